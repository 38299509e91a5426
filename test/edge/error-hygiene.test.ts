// What the HTTP layer answers on its own is a problem like every other answer, an id the pattern
// admits is never a 500, a 503 does not pass on what the upstream said, and a bodiless DELETE with
// a JSON content type is not a malformed request.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { ClusterError } from '../../src/application/ports/cluster.ts';
import type { Sandbox } from '../../src/sandbox/sandbox.ts';
import type { Exposure } from '../../src/schemas/exposure.ts';
import { createRequest } from '../builders/create-request.ts';
import { call, SEARCH_TEAM, startTestSandbox } from '../support/test-sandbox.ts';
import { answerOf, openSocket } from './raw-socket.ts';

type Response = Awaited<ReturnType<typeof call>>;

function assertProblem(response: Response, status: number, type: string): { detail: string } {
  assert.equal(response.status, status, JSON.stringify(response.body));
  assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
  const problem = response.body as { type: string; requestId: string; detail: string };
  assert.equal(problem.type, `/problems/${type}`);
  assert.ok(response.headers['x-request-id']);
  assert.equal(problem.requestId, response.headers['x-request-id']);
  return problem;
}

describe('error hygiene', () => {
  let sandbox: Sandbox;
  const logs: string[] = [];
  before(async () => {
    const destination = new Writable({
      write(chunk, _encoding, done) {
        logs.push(String(chunk));
        done();
      },
    });
    sandbox = await startTestSandbox({
      withDemoWorkload: false,
      logLevel: 'warn',
      logDestination: destination,
    });
  });
  after(() => sandbox.close());

  const OVERFLOWING_ID = 'exp_80000000000000000000000000';

  for (const method of ['GET', 'PATCH', 'DELETE'] as const) {
    test(`${method} of ${OVERFLOWING_ID} (past ULID's time) is a 404, not a 500`, async () => {
      const response = await call(sandbox, {
        method,
        url: `/exposures/${OVERFLOWING_ID}`,
        headers: {
          authorization: SEARCH_TEAM,
          ...(method === 'PATCH' && { 'content-type': 'application/merge-patch+json' }),
        },
        ...(method === 'PATCH' && { payload: JSON.stringify({ labels: { a: 'b' } }) }),
      });
      assertProblem(response, 404, 'exposure-not-found');
    });
  }

  const unsupported = [
    { method: 'PUT', url: '/exposures', allow: 'GET, HEAD, POST' },
    { method: 'DELETE', url: '/exposures', allow: 'GET, HEAD, POST' },
    { method: 'POST', url: '/exposures/exp_01jd6y8c3k2v7d9q4r5s6t7v8w', allow: 'GET, HEAD, PATCH, DELETE' },
    { method: 'PUT', url: '/exposures/exp_01jd6y8c3k2v7d9q4r5s6t7v8w', allow: 'GET, HEAD, PATCH, DELETE' },
    { method: 'POST', url: '/healthz', allow: 'GET, HEAD' },
    { method: 'OPTIONS', url: '/openapi.json', allow: 'GET, HEAD' },
    { method: 'TRACE', url: '/healthz', allow: 'GET, HEAD' },
    { method: 'QUERY', url: '/exposures', allow: 'GET, HEAD, POST' },
  ] as const;
  for (const c of unsupported) {
    test(`${c.method} ${c.url} is a 405 with Allow: ${c.allow}`, async () => {
      const response = await call(sandbox, {
        method: c.method,
        url: c.url,
        headers: { authorization: SEARCH_TEAM, 'content-type': 'text/plain' },
        payload: 'not even JSON: a 405 does not read the body',
      });
      assertProblem(response, 405, 'method-not-allowed');
      assert.equal(response.headers.allow, c.allow);
    });
  }

  test('an unknown path stays a 404', async () => {
    assertProblem(await call(sandbox, { method: 'PUT', url: '/nowhere' }), 404, 'route-not-found');
  });

  test('a path parameter over 100 characters is a 414 problem with x-request-id', async () => {
    const response = await call(sandbox, {
      method: 'GET',
      url: `/exposures/exp_${'0'.repeat(120)}`,
      headers: { authorization: SEARCH_TEAM, 'x-request-id': 'long-id-1' },
    });
    assertProblem(response, 414, 'uri-too-long');
    assert.equal(response.headers['x-request-id'], 'long-id-1');
  });

  test('a URL that cannot be decoded is a 400 problem', async () => {
    const response = await call(sandbox, {
      method: 'GET',
      url: '/exposures/%E0%A4%A',
      headers: { authorization: SEARCH_TEAM },
    });
    assertProblem(response, 400, 'malformed-url');
  });

  test('headers over 16 KiB are a 431 problem with x-request-id, over a real connection', async () => {
    const socket = await openSocket(sandbox.apiUrl);
    const answer = answerOf(socket, 5_000);
    socket.write(`GET /healthz HTTP/1.1\r\nHost: test\r\nX-Padding: ${'p'.repeat(20_000)}\r\n\r\n`);
    const result = await answer;
    assert.equal(result.status, 431, result.text);
    assert.equal(result.headers['content-type'], 'application/problem+json');
    const problem = JSON.parse(result.body) as { type: string; requestId: string };
    assert.equal(problem.type, '/problems/headers-too-large');
    assert.equal(problem.requestId, result.headers['x-request-id']);
  });

  test('bytes that are not HTTP are a 400 problem', async () => {
    const socket = await openSocket(sandbox.apiUrl);
    const answer = answerOf(socket, 5_000);
    socket.write('HELLO THERE\r\n\r\n');
    const result = await answer;
    assert.equal(result.status, 400, result.text);
    assert.equal((JSON.parse(result.body) as { type: string }).type, '/problems/malformed-request');
  });

  test('a DELETE or GET with Content-Type: application/json and no body is accepted', async () => {
    const created = await call<Exposure>(sandbox, {
      method: 'POST',
      url: '/exposures',
      headers: { authorization: SEARCH_TEAM, 'content-type': 'application/json' },
      payload: JSON.stringify(createRequest({ name: 'bodiless', ports: [{ name: 'http', port: 9200 }] })),
    });
    assert.equal(created.status, 201);
    const jsonNoBody = {
      authorization: SEARCH_TEAM,
      'content-type': 'application/json',
      'content-length': '0',
    };
    const read = await call(sandbox, {
      method: 'GET',
      url: `/exposures/${created.body.id}`,
      headers: jsonNoBody,
    });
    assert.equal(read.status, 200);
    const deleted = await call(sandbox, {
      method: 'DELETE',
      url: `/exposures/${created.body.id}`,
      headers: jsonNoBody,
      payload: '',
    });
    assert.equal(deleted.status, 204, JSON.stringify(deleted.body));
    // A create still needs its body.
    const emptyCreate = await call(sandbox, {
      method: 'POST',
      url: '/exposures',
      headers: jsonNoBody,
      payload: '',
    });
    assertProblem(emptyCreate, 400, 'malformed-request');
  });

  const upstream = [
    {
      name: 'the Kubernetes API unreachable',
      error: new ClusterError('Unavailable', 'connect ECONNREFUSED 10.0.0.1:443'),
      type: 'kubernetes-unavailable',
      secret: '10.0.0.1',
      detail: /the Kubernetes API is unavailable/,
    },
    {
      name: "exposure-api's own identity refused",
      error: new ClusterError(
        'Forbidden',
        'services is forbidden: User "system:serviceaccount:exposure-api:exposure-api" cannot create resource "services"',
      ),
      type: 'kubernetes-misconfigured',
      secret: 'system:serviceaccount',
      detail: /RBAC/,
    },
  ];
  for (const c of upstream) {
    test(`${c.name}: the 503 says so in the API's words; the upstream text is in the logs only`, async () => {
      sandbox.cluster.failNext('createService', c.error);
      const response = await call(sandbox, {
        method: 'POST',
        url: '/exposures',
        headers: { authorization: SEARCH_TEAM, 'content-type': 'application/json' },
        payload: JSON.stringify(createRequest({ name: 'upstream', ports: [{ name: 'http', port: 9200 }] })),
      });
      const problem = assertProblem(response, 503, c.type);
      assert.match(problem.detail, c.detail);
      assert.doesNotMatch(response.raw.body, new RegExp(c.secret));
      await new Promise((resolve) => setImmediate(resolve));
      assert.ok(
        logs.some(
          (line) => line.includes(c.secret) && line.includes(String(response.headers['x-request-id'])),
        ),
        'the upstream text is logged with the request id',
      );
    });
  }
});
