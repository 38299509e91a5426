// Fastify's own answers are problems too, and the operational routes behave.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Sandbox } from '../../src/sandbox/sandbox.ts';
import { createRequest } from '../builders/create-request.ts';
import { expectProblem, exposureApi, problemOf } from '../support/exposure-api.ts';
import { call, SEARCH_TEAM, startTestSandbox } from '../support/test-sandbox.ts';

describe('framework answers and operational routes', () => {
  let sandbox: Sandbox;
  before(async () => {
    sandbox = await startTestSandbox({ withDemoWorkload: false });
  });
  after(() => sandbox.close());

  const problemCases = [
    { name: 'unknown route', method: 'GET', url: '/nothing-here', status: 404, type: 'route-not-found' },
    {
      name: 'unsupported method on a known path',
      method: 'PUT',
      url: '/exposures',
      status: 405,
      type: 'method-not-allowed',
    },
    {
      name: 'malformed exposure id',
      method: 'GET',
      url: '/exposures/not-an-id',
      status: 400,
      type: 'validation-failed',
      pointer: '/id',
    },
    {
      name: 'unknown query parameter',
      method: 'GET',
      url: '/exposures?colour=blue',
      status: 400,
      type: 'validation-failed',
      pointer: '/colour',
    },
    {
      name: 'refresh not a boolean',
      method: 'GET',
      url: '/exposures/exp_01jd6y8c3k2v7d9q4r5s6t7v8w?refresh=maybe',
      status: 400,
      type: 'validation-failed',
      pointer: '/refresh',
    },
    {
      name: 'a well-formed id that does not exist',
      method: 'GET',
      url: '/exposures/exp_01jd6y8c3k2v7d9q4r5s6t7v8w',
      status: 404,
      type: 'exposure-not-found',
    },
    {
      name: 'a bearer header without a token',
      method: 'GET',
      url: '/exposures',
      auth: 'Bearer',
      status: 401,
      type: 'unauthenticated',
    },
    {
      name: 'basic auth instead of a bearer token',
      method: 'GET',
      url: '/exposures',
      auth: 'Basic dXNlcjpwYXNz',
      status: 401,
      type: 'unauthenticated',
    },
  ];
  for (const c of problemCases) {
    test(c.name, async () => {
      const response = await call(sandbox, {
        method: c.method as 'GET',
        url: c.url,
        headers: { authorization: c.auth ?? SEARCH_TEAM },
      });
      const problem = expectProblem(response, c.status);
      assert.equal(problem.type, `/problems/${c.type}`);
      assert.equal(problem.requestId, response.headers['x-request-id']);
      if (c.pointer)
        assert.ok(
          problem.errors?.some((e) => e.pointer === c.pointer),
          JSON.stringify(problem.errors),
        );
      if (c.status === 401) assert.equal(response.headers['www-authenticate'], 'Bearer realm="exposure-api"');
    });
  }

  test('problem types resolve to their description', async () => {
    const response = await call<{ status: number; title: string }>(sandbox, {
      method: 'GET',
      url: '/problems/node-port-taken',
    });
    assert.equal(response.status, 200);
    assert.equal(response.body.status, 409);
    const unknown = await call(sandbox, { method: 'GET', url: '/problems/no-such-type' });
    assert.equal(unknown.status, 404);
  });

  test('healthz and readyz are open and say ok/ready', async () => {
    const health = await call(sandbox, { method: 'GET', url: '/healthz' });
    assert.deepEqual([health.status, health.body], [200, { status: 'ok' }]);
    const ready = await call(sandbox, { method: 'GET', url: '/readyz' });
    assert.deepEqual(
      [ready.status, ready.body],
      [200, { status: 'ready', checks: { kubernetesCaches: true } }],
    );
  });

  test('the OpenAPI document and the docs page are served without a token', async () => {
    const document = await call<{ openapi: string; paths: Record<string, unknown> }>(sandbox, {
      method: 'GET',
      url: '/openapi.json',
    });
    assert.equal(document.status, 200);
    assert.equal(document.body.openapi, '3.1.0');
    assert.ok(document.body.paths['/exposures/{id}']);
    assert.equal(
      '/sandbox/nodes' in document.body.paths,
      false,
      'sandbox-only routes are not part of the API',
    );
    const docs = await sandbox.runtime.app.inject({ method: 'GET', url: '/docs/' });
    assert.equal(docs.statusCode, 200);
    assert.match(docs.body, /<html/i);
    assert.match(docs.body, /swagger-ui/i);
  });

  test('every operation the document says needs a token answers 401 without one, and only those', async () => {
    const document = await call<{
      paths: Record<string, Record<string, { security?: unknown[]; tags?: string[] }>>;
    }>(sandbox, { method: 'GET', url: '/openapi.json' });
    const seen: string[] = [];
    for (const [path, operations] of Object.entries(document.body.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const url = path.replace('{id}', 'exp_01jd6y8c3k2v7d9q4r5s6t7v8w');
        const response = await call(sandbox, { method: method.toUpperCase() as 'GET', url });
        const secured = (operation.security ?? []).length > 0;
        assert.equal(response.status === 401, secured, `${method} ${path}: ${response.status}`);
        if (secured) seen.push(`${method} ${path} [${operation.tags?.join()}]`);
      }
    }
    assert.deepEqual(seen.sort(), [
      'delete /exposures/{id} [exposures]',
      'get /exposures [exposures]',
      'get /exposures/{id} [exposures]',
      'get /exposures/{id}/events [exposures]',
      'get /exposures/{id}/watch [exposures]',
      'patch /exposures/{id} [exposures]',
      'post /exposures [exposures]',
    ]);
  });

  test('a caller-supplied request id is echoed; a hostile one is replaced', async () => {
    const kept = await call(sandbox, {
      method: 'GET',
      url: '/healthz',
      headers: { 'x-request-id': 'trace-123' },
    });
    assert.equal(kept.headers['x-request-id'], 'trace-123');
    const replaced = await call(sandbox, {
      method: 'GET',
      url: '/healthz',
      headers: { 'x-request-id': 'bad id\twith tab' },
    });
    assert.notEqual(replaced.headers['x-request-id'], 'bad id\twith tab');
  });

  test('/metrics counts requests by route and upstream calls by system', async () => {
    await call(sandbox, { method: 'GET', url: '/exposures', headers: { authorization: SEARCH_TEAM } });
    const metrics = await sandbox.runtime.app.inject({ method: 'GET', url: '/metrics' });
    assert.equal(metrics.statusCode, 200);
    assert.match(
      metrics.body,
      /exposure_api_http_request_duration_seconds_count\{method="GET",route="\/exposures",status_code="200"\} \d+/,
    );
    assert.match(metrics.body, /# TYPE exposure_api_upstream_requests_total counter/);
    assert.match(metrics.body, /# TYPE exposure_api_probes_total counter/);
    assert.match(metrics.body, /# TYPE exposure_api_reconciles_total counter/);
  });
});

describe('an installation restricted to some namespaces', () => {
  let restricted: Sandbox;
  before(async () => {
    restricted = await startTestSandbox({ managedNamespaces: ['search'], withDemoWorkload: false });
  });
  after(() => restricted.close());

  test('refuses other namespaces with a 403, even for a token that may use all', async () => {
    const response = await exposureApi(restricted).create(
      createRequest({
        namespace: 'payments',
        name: 'ledger',
        selector: { app: 'ledger' },
        ports: [{ name: 'http', port: 80 }],
      }),
      { authorization: 'Bearer sandbox-admin-token' },
    );
    assert.equal(response.status, 403);
    assert.match(String(problemOf(response).detail), /manages only the namespaces search/);
    assert.deepEqual(restricted.cluster.allServices(), []);
  });
});
