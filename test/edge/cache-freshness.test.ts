// Reads say how far the caches behind them can be trusted: before the caches have synced they are
// a 503 to retry (not an empty list), and once the watch on the Kubernetes API has been broken for
// longer than cluster.staleAfterSeconds they answer from the caches but say how old the data may be.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { InMemoryCluster } from '../../src/sandbox/in-memory-cluster.ts';
import type { Sandbox } from '../../src/sandbox/sandbox.ts';
import { createRequest } from '../builders/create-request.ts';
import { type ExposureApi, expectProblem, exposureApi } from '../support/exposure-api.ts';
import { runtimeOnCaches } from '../support/runtime-on-caches.ts';
import { call, type JsonResponse, startTestSandbox } from '../support/test-sandbox.ts';

test('before the caches have synced, reads are a 503 with Retry-After, not an empty answer', async () => {
  const cluster = new InMemoryCluster({ namespaces: ['default', 'search'] });
  const edge = await runtimeOnCaches(cluster, { clusterId: 'unsynced', staleAfterSeconds: 60 });
  try {
    for (const url of [
      '/exposures',
      '/exposures/exp_01jd6y8c3k2v7d9q4r5s6t7v8w',
      '/exposures/exp_01jd6y8c3k2v7d9q4r5s6t7v8w/events',
    ]) {
      const response = await edge.read(url);
      assert.equal(response.statusCode, 503, `${url}: ${response.body}`);
      assert.equal(response.headers['retry-after'], '2');
      assert.equal(JSON.parse(response.body).type, '/problems/caches-not-synced');
    }
    await cluster.start();
    const listed = await edge.read('/exposures');
    assert.equal(listed.statusCode, 200);
    assert.deepEqual(JSON.parse(listed.body), { items: [] });
  } finally {
    await edge.close();
    await cluster.stop();
  }
});

describe('while the watch on the Kubernetes API is broken', () => {
  let sandbox: Sandbox;
  let api: ExposureApi;
  /** Time as the service sees it runs ahead of the wall clock by this much. */
  let aheadMs = 0;
  let id: string;
  before(async () => {
    sandbox = await startTestSandbox({ withDemoWorkload: false, clock: { now: () => Date.now() + aheadMs } });
    api = exposureApi(sandbox);
    const created = await api.create(createRequest({ name: 'stale-es' }));
    assert.equal(created.status, 201, JSON.stringify(created.body));
    id = created.body.id;
  });
  after(() => sandbox.close());

  const brokenGauge = async () => {
    const metrics = await call<string>(sandbox, { method: 'GET', url: '/metrics' });
    const line = metrics.body
      .split('\n')
      .find((l) => l.startsWith('exposure_api_cache_watch_broken_seconds '));
    return Number(line?.split(' ')[1]);
  };

  test('within cluster.staleAfterSeconds (60 s by default) reads say nothing; beyond, they say how old', async () => {
    assert.equal(await brokenGauge(), 0);
    sandbox.cluster.breakWatch();
    aheadMs = 30_000;
    const early = await api.read(id);
    assert.equal(early.status, 200);
    assert.equal(early.headers.warning, undefined);
    assert.equal(early.body.cacheAgeSeconds, undefined);
    assert.ok((await brokenGauge()) >= 30, 'the gauge counts from the break');

    aheadMs = 90_000;
    const [read, list, events] = [await api.read(id), await api.list(), await api.events(id)];
    const answers: JsonResponse<{ cacheAgeSeconds?: number }>[] = [read, list, events];
    for (const response of answers) {
      assert.equal(response.status, 200, JSON.stringify(response.body));
      assert.equal(response.headers.warning, '110 - "Response is Stale"');
      const age = Number(response.headers['x-cache-age']);
      assert.ok(age >= 90 && age < 120, `X-Cache-Age ${age}`);
      assert.equal(response.body.cacheAgeSeconds, age);
    }
    assert.equal(read.body.id, id, 'the exposure is still served from the cache');
    assert.ok(list.body.items.some((item) => item.id === id));
    assert.ok((await brokenGauge()) >= 90);

    sandbox.cluster.restoreWatch();
    const fresh = await api.read(id);
    assert.equal(fresh.status, 200);
    assert.equal(fresh.headers.warning, undefined);
    assert.equal(fresh.headers['x-cache-age'], undefined);
    assert.equal(fresh.body.cacheAgeSeconds, undefined);
    assert.equal(await brokenGauge(), 0);
    expectProblem(await api.read('exp_01jd6y8c3k2v7d9q4r5s6t7v8w'), 404);
  });
});
