// Structured logs: request ids on every line of a request, one audit line per change naming the
// subject, and never a token.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Sandbox } from '../../src/sandbox/sandbox.ts';
import { createRequest } from '../builders/create-request.ts';
import { exposureApi } from '../support/exposure-api.ts';
import { logLines } from '../support/log-lines.ts';
import { startTestSandbox } from '../support/test-sandbox.ts';

const { lines, destination } = logLines();
let sandbox: Sandbox;

before(async () => {
  sandbox = await startTestSandbox({ logLevel: 'info', logDestination: destination });
});
after(() => sandbox.close());

test('create, patch and delete each write one audit line naming the subject; no token is ever logged', async () => {
  const api = exposureApi(sandbox);
  const created = await api.create(
    createRequest({ name: 'audited', ports: [{ name: 'http', port: 9200 }] }),
    {
      'x-request-id': 'audit-trail-1',
    },
  );
  assert.equal(created.status, 201);
  const patched = await api.patch(created.body.id, { labels: { stage: 'two' } });
  assert.equal(patched.status, 200);
  const deleted = await api.remove(created.body.id);
  assert.equal(deleted.status, 204);
  await new Promise((resolve) => setImmediate(resolve));

  const audits = lines.filter((line) => line.audit === true);
  assert.deepEqual(
    audits.map((line) => [line.action, line.subject, line.exposure, line.namespace, line.name]),
    [
      ['exposure.create', 'team-search-bot', created.body.id, 'search', 'audited'],
      ['exposure.patch', 'team-search-bot', created.body.id, 'search', 'audited'],
      ['exposure.delete', 'team-search-bot', created.body.id, 'search', 'audited'],
    ],
  );
  assert.equal(audits[0]?.reqId, 'audit-trail-1', 'the audit line carries the request id');
  const everything = JSON.stringify(lines);
  assert.doesNotMatch(everything, /search-team-token/);
  // One access line per request, when it is answered: method, URL, client, status and time.
  const requestLines = lines.filter((line) => line.reqId === 'audit-trail-1' && line.audit !== true);
  assert.deepEqual(
    requestLines.map((line) => line.msg),
    ['request completed'],
  );
  const [access] = requestLines as [
    {
      req: { method: string; url: string; remoteAddress: string };
      res: { statusCode: number };
      responseTime: number;
    },
  ];
  assert.equal(access.req.method, 'POST');
  assert.equal(access.req.url, '/exposures');
  assert.equal(access.req.remoteAddress, '127.0.0.1');
  assert.equal(access.res.statusCode, 201);
  assert.ok(access.responseTime > 0);
});

test('a request that logs nothing else writes the same access line, with its request id first, as one that did', async () => {
  const api = exposureApi(sandbox);
  const created = await api.create(
    createRequest({ name: 'read-logged', ports: [{ name: 'http', port: 9200 }] }),
    { 'x-request-id': 'logged-write-1' },
  );
  assert.equal(created.status, 201);
  // The create wrote its audit line through the request's logger; the read writes nothing but its
  // access line.
  const read = await api.read(created.body.id, undefined, { 'x-request-id': 'logged-read-1' });
  assert.equal(read.status, 200);
  await new Promise((resolve) => setImmediate(resolve));

  const accessLine = (reqId: string) => {
    const mine = lines.filter((line) => line.reqId === reqId && line.audit !== true);
    assert.equal(mine.length, 1, `one access line for ${reqId}`);
    return mine[0] as Record<string, unknown>;
  };
  const write = accessLine('logged-write-1');
  const readLine = accessLine('logged-read-1');
  assert.deepEqual(Object.keys(readLine), Object.keys(write));
  assert.deepEqual(Object.keys(readLine).slice(-5), ['reqId', 'req', 'res', 'responseTime', 'msg']);
  assert.deepEqual(readLine.req, {
    ...(write.req as object),
    method: 'GET',
    url: `/exposures/${created.body.id}`,
  });
  assert.deepEqual(readLine.res, { statusCode: 200 });
  assert.equal(readLine.msg, 'request completed');
});
