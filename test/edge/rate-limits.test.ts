// Floods of reads, writes and wrong tokens meet 429 problems with Retry-After, counted in /metrics
// and logged once per window, not once per request.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Sandbox } from '../../src/sandbox/sandbox.ts';
import { logLines } from '../support/log-lines.ts';
import { ADMIN, call, SEARCH_TEAM, startTestSandbox } from '../support/test-sandbox.ts';

const UNKNOWN_ID = '/exposures/exp_01jd6y8c3k2v7d9q4r5s6t7v8w';
const WINDOW_SECONDS = 60;

interface LogLine {
  level: number;
  msg: string;
  limit?: string;
  key?: string;
}

function problemOf(response: Awaited<ReturnType<typeof call>>) {
  return response.body as { type: string; status: number; detail: string; requestId: string };
}

async function rateLimitedCount(sandbox: Sandbox, limit: string): Promise<number> {
  const text = (await sandbox.runtime.app.inject({ method: 'GET', url: '/metrics' })).body;
  const match = new RegExp(`^exposure_api_rate_limited_total\\{limit="${limit}"\\} (\\d+)$`, 'm').exec(text);
  return match ? Number(match[1]) : 0;
}

function assertRateLimited(response: Awaited<ReturnType<typeof call>>): void {
  assert.equal(response.status, 429, JSON.stringify(response.body));
  assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
  const problem = problemOf(response);
  assert.equal(problem.type, '/problems/rate-limited');
  assert.equal(problem.requestId, response.headers['x-request-id']);
  const retryAfter = Number(response.headers['retry-after']);
  assert.ok(
    retryAfter >= 1 && retryAfter <= WINDOW_SECONDS,
    `Retry-After ${response.headers['retry-after']}`,
  );
}

describe('rate limits', () => {
  let sandbox: Sandbox;
  const { lines, destination } = logLines<LogLine>();
  before(async () => {
    sandbox = await startTestSandbox({
      withDemoWorkload: false,
      logLevel: 'warn',
      logDestination: destination,
      config: {
        rateLimit: {
          reads: { max: 5, windowSeconds: WINDOW_SECONDS },
          writes: { max: 3, windowSeconds: WINDOW_SECONDS },
          failedAuthentication: { max: 4, windowSeconds: WINDOW_SECONDS },
        },
      },
    });
  });
  after(() => sandbox.close());

  const warnings = (limit: string) => lines.filter((line) => line.level === 40 && line.limit === limit);

  test('a flood of reads by one caller meets 429 past its limit; its writes and other callers are not touched', async () => {
    const read = (authorization: string, url = UNKNOWN_ID) =>
      call(sandbox, { method: 'GET', url, headers: { authorization } });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++)
      statuses.push((await read(SEARCH_TEAM, i % 2 ? '/exposures' : UNKNOWN_ID)).status);
    assert.deepEqual(statuses, [404, 200, 404, 200, 404], 'the list and the single read share one budget');
    for (let i = 0; i < 10; i++) assertRateLimited(await read(SEARCH_TEAM));
    assert.equal((await read(ADMIN)).status, 404, 'another caller has its own budget');
    const write = await call(sandbox, {
      method: 'DELETE',
      url: UNKNOWN_ID,
      headers: { authorization: SEARCH_TEAM },
    });
    assert.equal(write.status, 404, 'writes have a budget of their own');
    assert.equal(await rateLimitedCount(sandbox, 'reads'), 10);
    assert.equal(warnings('reads').length, 1, 'one log line for the window, not one per refusal');
    assert.equal(warnings('reads')[0]?.key, 'team-search-bot');
  });

  test('a flood of writes by one caller meets 429 past its limit', async () => {
    const remove = () =>
      call(sandbox, { method: 'DELETE', url: UNKNOWN_ID, headers: { authorization: ADMIN } });
    for (let i = 0; i < 3; i++) assert.equal((await remove()).status, 404);
    for (let i = 0; i < 4; i++) assertRateLimited(await remove());
    assert.equal(await rateLimitedCount(sandbox, 'writes'), 4);
    assert.equal(warnings('writes').length, 1);
    assert.equal(warnings('writes')[0]?.key, 'sandbox-admin');
  });

  test('wrong tokens from one address meet 429 past the limit, and the address is locked out until the window ends, even with a valid token', async () => {
    const from = (remoteAddress: string, authorization?: string) =>
      call(sandbox, {
        method: 'GET',
        url: '/exposures',
        remoteAddress,
        headers: authorization === undefined ? {} : { authorization },
      });
    const guesser = '192.0.2.7';
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++)
      statuses.push((await from(guesser, i % 2 ? `Bearer guess-${i}` : undefined)).status);
    assert.deepEqual(statuses, [401, 401, 401, 401], 'a missing token counts like a wrong one');
    for (let i = 0; i < 5; i++) assertRateLimited(await from(guesser, `Bearer guess-more-${i}`));
    // ADMIN: a caller whose read budget is not spent, so the 429 can only be the lock-out.
    const rightGuess = await from(guesser, ADMIN);
    assertRateLimited(rightGuess);
    assert.match(problemOf(rightGuess).detail, /missing or unknown token from your address/);
    const elsewhere = await from('192.0.2.8', ADMIN);
    assert.equal(elsewhere.status, 200, 'other addresses are not locked out');
    assert.equal(await rateLimitedCount(sandbox, 'failed-authentication'), 6);
    assert.equal(warnings('failed-authentication').length, 1);
    assert.equal(warnings('failed-authentication')[0]?.key, guesser);
  });
});

describe('client addresses behind a proxy (server.trustProxy)', () => {
  let sandbox: Sandbox;
  before(async () => {
    sandbox = await startTestSandbox({
      withDemoWorkload: false,
      config: {
        server: { trustProxy: ['10.1.2.3'] },
        rateLimit: { failedAuthentication: { max: 1, windowSeconds: WINDOW_SECONDS } },
      },
    });
  });
  after(() => sandbox.close());

  test('failed authentication is counted per client named by a trusted proxy, not per proxy', async () => {
    const through = (client: string) =>
      call(sandbox, {
        method: 'GET',
        url: '/exposures',
        remoteAddress: '10.1.2.3',
        headers: { authorization: 'Bearer wrong', 'x-forwarded-for': client },
      });
    assert.equal((await through('198.51.100.1')).status, 401);
    assertRateLimited(await through('198.51.100.1'));
    assert.equal((await through('198.51.100.2')).status, 401, 'another client behind the same proxy');
    // An untrusted peer's X-Forwarded-For is ignored: it is counted as itself.
    const direct = (forwarded: string) =>
      call(sandbox, {
        method: 'GET',
        url: '/exposures',
        remoteAddress: '203.0.113.9',
        headers: { authorization: 'Bearer wrong', 'x-forwarded-for': forwarded },
      });
    assert.equal((await direct('198.51.100.3')).status, 401);
    assertRateLimited(await direct('198.51.100.4'));
  });
});
