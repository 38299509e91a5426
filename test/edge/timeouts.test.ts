// A client that sends its request slowly is cut off with a 408 problem within the bound; one that
// waits for a long answer is not.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Sandbox } from '../../src/sandbox/sandbox.ts';
import { createRequest } from '../builders/create-request.ts';
import { SEARCH_TEAM, startTestSandbox } from '../support/test-sandbox.ts';
import { answerOf, openSocket } from './raw-socket.ts';

const REQUEST_TIMEOUT_MS = 1500;
const HEADERS_TIMEOUT_MS = 1000;
const CHECKING_INTERVAL_MS = 200;
/** The bound a slow client is cut at: the timeout, one check interval, and slack for a busy machine. */
const CUT_OFF_BOUND_MS = REQUEST_TIMEOUT_MS + CHECKING_INTERVAL_MS + 1500;

describe('request timeouts', () => {
  let sandbox: Sandbox;
  before(async () => {
    sandbox = await startTestSandbox({
      withDemoWorkload: false,
      config: {
        server: {
          requestTimeoutMs: REQUEST_TIMEOUT_MS,
          headersTimeoutMs: HEADERS_TIMEOUT_MS,
          connectionsCheckingIntervalMs: CHECKING_INTERVAL_MS,
        },
      },
    });
  });
  after(() => sandbox.close());

  function assertTimeoutProblem(answer: Awaited<ReturnType<typeof answerOf>>): void {
    assert.equal(answer.status, 408, answer.text);
    assert.equal(answer.headers['content-type'], 'application/problem+json');
    const problem = JSON.parse(answer.body) as { type: string; status: number; requestId: string };
    assert.equal(problem.type, '/problems/request-timeout');
    assert.equal(problem.status, 408);
    assert.ok(answer.headers['x-request-id']);
    assert.equal(problem.requestId, answer.headers['x-request-id']);
  }

  test('a body sent a byte at a time is cut off with a 408 problem, and the connection closed, within the bound', async () => {
    const socket = await openSocket(sandbox.apiUrl);
    const answer = answerOf(socket, 10_000);
    const body = JSON.stringify(createRequest({ name: 'slow-body' }));
    socket.write(
      `POST /exposures HTTP/1.1\r\nHost: test\r\nAuthorization: ${SEARCH_TEAM}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`,
    );
    let sent = 0;
    const dribble = setInterval(() => {
      if (socket.destroyed || sent >= body.length) return clearInterval(dribble);
      socket.write(body.charAt(sent++));
    }, 100);
    const result = await answer;
    clearInterval(dribble);
    assertTimeoutProblem(result);
    assert.ok(result.closedAfterMs < CUT_OFF_BOUND_MS, `closed after ${result.closedAfterMs} ms`);
    assert.ok(sent < body.length, 'cut off before the body was complete');
    assert.deepEqual(sandbox.cluster.allServices(), [], 'the cut-off request wrote nothing');
  });

  test('headers sent slowly are cut off by the headers timeout', async () => {
    const socket = await openSocket(sandbox.apiUrl);
    const answer = answerOf(socket, 10_000);
    socket.write('GET /healthz HTTP/1.1\r\nHost: test\r\n');
    const dribble = setInterval(() => {
      if (!socket.destroyed) socket.write('X-Slow: 1\r\n');
    }, 200);
    const result = await answer;
    clearInterval(dribble);
    assertTimeoutProblem(result);
    assert.ok(
      result.closedAfterMs < HEADERS_TIMEOUT_MS + CHECKING_INTERVAL_MS + 1500,
      `${result.closedAfterMs} ms`,
    );
  });

  test('an answer that takes longer than the request timeout (Prefer: wait) is not cut', async () => {
    // No workload: the exposure never turns Ready, so the create waits the whole 3 s.
    const started = Date.now();
    const response = await fetch(`${sandbox.apiUrl}/exposures`, {
      method: 'POST',
      headers: { authorization: SEARCH_TEAM, 'content-type': 'application/json', prefer: 'wait=3' },
      body: JSON.stringify(createRequest({ name: 'waited', ports: [{ name: 'http', port: 9200 }] })),
    });
    assert.equal(response.status, 201);
    assert.ok(Date.now() - started >= 2900, 'the answer came after the wait');
    assert.equal(response.headers.get('preference-applied'), 'wait=3');
  });
});
