// Secrets never reach the logs: the service's logger redacts a token or an Authorization header
// wherever it can arrive, including inside the errors of HTTP clients, which carry the failed
// request's options and headers.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createLogger } from '../src/logger.ts';
import { logLines } from './support/log-lines.ts';

const SECRET = 'secret-token-value-1234';

function logged(write: (log: ReturnType<typeof createLogger>) => void): string {
  const { lines, destination } = logLines();
  write(createLogger('info', destination));
  assert.equal(lines.length, 1, 'one line was written');
  return JSON.stringify(lines[0]);
}

describe('createLogger', () => {
  test('a token or Authorization header at the top, under req or under headers is redacted', () => {
    for (const object of [
      { token: SECRET },
      { authorization: `Bearer ${SECRET}` },
      { headers: { authorization: `Bearer ${SECRET}` } },
      { req: { headers: { authorization: `Bearer ${SECRET}` } } },
    ]) {
      const line = logged((log) => log.info(object, 'something happened'));
      assert.doesNotMatch(line, new RegExp(SECRET), line);
      assert.match(line, /\[redacted\]/);
    }
  });

  test("an HTTP client's error keeps its message and loses the request's Authorization header", () => {
    const error = Object.assign(new Error('request failed with status 503'), {
      config: { url: 'https://compute.googleapis.com/x', headers: { Authorization: `Bearer ${SECRET}` } },
      request: { headers: { authorization: `Bearer ${SECRET}` } },
      options: { token: SECRET },
      headers: { authorization: `Bearer ${SECRET}` },
    });
    const line = logged((log) => log.warn({ err: error }, 'the call failed'));
    assert.doesNotMatch(line, new RegExp(SECRET), line);
    assert.match(line, /request failed with status 503/);
    assert.match(line, /compute\.googleapis\.com/, 'the rest of the error is kept');
  });

  test('lines without secrets are written as they are', () => {
    const line = logged((log) => log.info({ exposure: 'exp_1', namespace: 'search' }, 'created'));
    assert.match(line, /"exposure":"exp_1","namespace":"search"/);
    assert.doesNotMatch(line, /redacted/);
  });
});
