// A read of an exposure with more endpoints than the memo holds is streamed (two passes over
// nodes × ports, `endpointLimit` kept) instead of built whole. Both ways must give the same answer.
// A read that is sent as is (`encoded`) keeps its text while its inputs stay the same.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ExposureViews } from '../../src/application/exposure-views.ts';
import { HealthChecker } from '../../src/application/health-checker.ts';
import type { Prober } from '../../src/application/ports/prober.ts';
import { ReachabilityTracker } from '../../src/application/reachability-tracker.ts';
import { SweepRecords } from '../../src/application/sweep-records.ts';
import { newExposureId } from '../../src/domain/exposure-id.ts';
import { readExposureRecord } from '../../src/domain/exposure-record.ts';
import { InMemoryCluster } from '../../src/sandbox/in-memory-cluster.ts';
import type { Exposure } from '../../src/schemas/exposure.ts';
import { DEFAULT_ENDPOINT_LIMIT } from '../../src/schemas/exposure.ts';
import { exposureManifest } from '../builders/exposure-spec.ts';

/** Healthy on some nodes, refused on others, never probed on the rest (cap of 40 per read). */
const prober: Prober = {
  async probe(target) {
    const last = Number(target.address.split('.').at(-1));
    return last % 3 === 0
      ? { ok: false, latencyMs: 1, error: 'connection refused' }
      : { ok: true, latencyMs: 2 };
  },
};

async function setUp(
  variant: {
    healthCheckPort?: number;
    externalTrafficPolicy?: 'Local' | 'Cluster';
    maxProbesPerRead?: number;
    /** Drift sweep records for the whole-read views (verifiedAt). */
    sweeps?: SweepRecords;
  } = {},
) {
  const cluster = new InMemoryCluster({ namespaces: ['search'] });
  // Names out of order, some NotReady, one without an address.
  for (let n = 0; n < 30; n++) {
    cluster.setNode({
      name: `node-${(n * 7) % 30}`,
      ready: n % 5 !== 4,
      addresses: n === 11 ? [] : [{ type: 'InternalIP', address: `127.77.0.${n + 1}` }],
    });
  }
  const id = newExposureId();
  const observed = await cluster.createService(
    exposureManifest(
      {
        name: 'wide',
        ports: [
          { name: 'http', port: 9200, targetPort: 9200, protocol: 'TCP' },
          { name: 'gossip', port: 9300, targetPort: 9300, protocol: 'UDP' },
          { name: 'admin', port: 8080, targetPort: 8080, protocol: 'TCP' },
        ],
        externalTrafficPolicy: variant.externalTrafficPolicy ?? 'Local',
        ...(variant.healthCheckPort !== undefined && {
          healthCheck: { type: 'tcp', port: variant.healthCheckPort },
        }),
      },
      { id, clusterId: 'views-test' },
    ),
  );
  cluster.setServiceEndpoints(observed, [
    { nodeName: 'node-3', ready: true, addresses: ['10.4.0.1'] },
    { nodeName: 'node-14', ready: true, addresses: ['10.4.0.2'] },
    { nodeName: 'node-21', ready: true, addresses: ['10.4.0.3'] },
    { nodeName: 'node-8', ready: false, addresses: ['10.4.0.4'] },
  ]);
  const service = await cluster.readService(observed);
  assert.ok(service);
  const read = readExposureRecord(service);
  assert.ok(read.ok);
  const settings = {
    firewall: {
      clusterId: 'views-test',
      project: 'p',
      network: 'default',
      priority: 1000,
      targets: { targetTags: ['nodes'] },
    },
    probeAddressType: 'InternalIP' as const,
  };
  const clock = { now: () => 1_800_000_000_000 };
  // Each way has a probe cache of its own, so that each read starts from the same state in both.
  const health = () =>
    new HealthChecker(prober, clock, {
      timeoutMs: 1000,
      cacheTtlMs: 60_000,
      concurrency: 8,
      maxProbesPerRead: variant.maxProbesPerRead ?? 40,
      cacheEntries: 1000,
    });
  const whole = new ExposureViews(
    cluster,
    health(),
    settings,
    clock,
    new ReachabilityTracker(),
    variant.sweeps,
  );
  const streamed = new ExposureViews(
    cluster,
    health(),
    { ...settings, streamedFrom: 0 },
    clock,
    new ReachabilityTracker(),
  );
  return { record: read.record, whole, streamed, cluster };
}

describe('ExposureViews: whole and streamed reads', () => {
  test('give the same exposure, for every endpoint limit', async () => {
    const { record, whole, streamed } = await setUp();
    // The first read of each probes (up to the cap); the next ones answer from its probe cache.
    const first = await streamed.full(record);
    assert.equal(first.endpointSummary.total, 29 * 3);
    const byWhole = await whole.full(record);
    const comparable = (exposure: Exposure) => JSON.stringify(exposure);
    assert.equal(comparable(await streamed.full(record)), comparable(byWhole));
    for (const endpointLimit of [0, 1, 2, 5, 17, 40, 86, 87, 88, 5000]) {
      assert.equal(
        comparable(await streamed.full(record, { endpointLimit })),
        comparable(await whole.full(record, { endpointLimit })),
        `endpointLimit=${endpointLimit}`,
      );
    }
    const some = await streamed.full(record, { endpointLimit: 5 });
    assert.equal(some.endpoints.length, 5);
    assert.equal(some.endpointsOmitted, 29 * 3 - 5);
    // Best first: serving before not serving, then Healthy, Unknown (UDP, not probed), Unhealthy.
    const rank = { Healthy: 0, Unknown: 1, Unhealthy: 2 } as const;
    const ranks = some.endpoints.map((e) => (e.serving ? 0 : 3) + rank[e.health.state]);
    assert.deepEqual(
      ranks,
      [...ranks].sort((a, b) => a - b),
    );
    assert.deepEqual(
      some.endpoints.map((e) => e.health.state),
      ['Healthy', 'Healthy', 'Unknown', 'Unknown', 'Unhealthy'],
    );
  });

  test('agree when several ports share one health-check port and the probe cap is small', async () => {
    const { record, whole, streamed } = await setUp({
      healthCheckPort: 9200,
      externalTrafficPolicy: 'Cluster',
      maxProbesPerRead: 5,
    });
    // Each read probes 5 more nodes (one target per node for its 3 ports) until all are known.
    for (let read = 0; read < 6; read++) {
      const byStreamed = await streamed.full(record, { endpointLimit: 30 });
      const byWhole = await whole.full(record, { endpointLimit: 30 });
      assert.equal(JSON.stringify(byStreamed), JSON.stringify(byWhole), `read ${read}`);
    }
    const last = await whole.full(record);
    assert.equal(last.endpointSummary.unknown, 0, 'every serving node probed after enough reads');
  });
});

describe('ExposureViews: the kept answer of a full read', () => {
  /** A serializer counting the views it is given (the route passes its own). */
  function countingEncoder() {
    const counter = {
      calls: 0,
      encode: (view: Exposure) => {
        counter.calls++;
        return JSON.stringify(view);
      },
    };
    return counter;
  }

  test('is the view serialized, and is kept from the second read while nothing it is built from changes', async () => {
    const encoder = countingEncoder();
    const { record, whole } = await setUp();
    const first = await whole.encoded(record, {}, encoder.encode);
    assert.equal(encoder.calls, 1);
    assert.equal(first, JSON.stringify(await whole.full(record)));
    assert.equal(await whole.encoded(record, {}, encoder.encode), first);
    assert.equal(encoder.calls, 2, 'the text of a first read is not kept: the second builds it again');
    for (let read = 0; read < 3; read++) assert.equal(await whole.encoded(record, {}, encoder.encode), first);
    assert.equal(encoder.calls, 2, 'unchanged inputs: the kept text, nothing serialized again');
  });

  test('is built again for another endpoint limit, new probe results and a change of node', async () => {
    const encoder = countingEncoder();
    const { record, whole, cluster } = await setUp();
    const all = await whole.encoded(record, {}, encoder.encode);

    const five = await whole.encoded(record, { endpointLimit: 5 }, encoder.encode);
    assert.equal(encoder.calls, 2);
    assert.equal((JSON.parse(five) as Exposure).endpoints.length, 5);
    assert.equal(five, JSON.stringify(await whole.full(record, { endpointLimit: 5 })));

    // A refresh probes again: new results (the same health, a new checkedAt), a new answer.
    const refreshed = await whole.encoded(record, { refresh: true }, encoder.encode);
    assert.equal(encoder.calls, 3);
    assert.equal(refreshed, JSON.stringify(await whole.full(record)));

    // A node turns NotReady: the answer says so at once.
    const before = JSON.parse(all) as Exposure;
    const shown = before.endpoints.find((endpoint) => endpoint.serving && endpoint.node === 'node-14');
    assert.ok(shown, 'node-14 serves before the change');
    cluster.setNode({
      name: 'node-14',
      ready: false,
      addresses: [{ type: 'InternalIP', address: '127.77.0.3' }],
    });
    const after = JSON.parse(await whole.encoded(record, {}, encoder.encode)) as Exposure;
    assert.equal(encoder.calls, 4);
    assert.notDeepEqual(after.endpointSummary, before.endpointSummary);
    assert.equal(
      after.endpoints.find((endpoint) => endpoint.node === 'node-14' && endpoint.port === shown.port)
        ?.serving,
      false,
    );
  });

  /** A counting serializer and views that read their drift sweep records from `sweeps`. */
  async function withSweeps() {
    const sweeps = new SweepRecords();
    return { encoder: countingEncoder(), sweeps, ...(await setUp({ sweeps })) };
  }

  test("is built again when the Service's endpoints change, and after a drift sweep", async () => {
    const { encoder, sweeps, record, cluster, whole: views } = await withSweeps();
    const before = JSON.parse(await views.encoded(record, {}, encoder.encode)) as Exposure;
    // The pod on node-21 goes; node-21 no longer serves under the Local policy.
    cluster.setServiceEndpoints(record.service, [
      { nodeName: 'node-3', ready: true, addresses: ['10.4.0.1'] },
      { nodeName: 'node-14', ready: true, addresses: ['10.4.0.2'] },
      { nodeName: 'node-8', ready: false, addresses: ['10.4.0.4'] },
    ]);
    const after = JSON.parse(await views.encoded(record, {}, encoder.encode)) as Exposure;
    assert.equal(encoder.calls, 2);
    const serving = (exposure: Exposure) =>
      exposure.endpoints.filter((endpoint) => endpoint.serving && endpoint.node === 'node-21').length;
    assert.ok(serving(before) > 0);
    assert.equal(serving(after), 0);

    sweeps.record({
      startedAt: '2027-01-15T07:59:58.000Z',
      completedAt: '2027-01-15T08:00:00.000Z',
      missed: 0,
    });
    await views.encoded(record, {}, encoder.encode);
    assert.equal(encoder.calls, 3, 'a new sweep record: verifiedAt may move');
  });

  test('is what `kept` gives, without waiting, exactly when `encoded` would answer with it', async () => {
    const { encoder, sweeps, record, cluster, whole: views } = await withSweeps();
    await views.encoded(record, {}, encoder.encode);
    assert.equal(views.kept(record, {}), undefined, 'a first read keeps no text');
    const text = await views.encoded(record, {}, encoder.encode);
    assert.equal(views.kept(record, {}), text);
    assert.equal(views.kept(record, { endpointLimit: DEFAULT_ENDPOINT_LIMIT }), text);
    assert.equal(views.kept(record, { refresh: true }), undefined, 'a refresh probes again');
    assert.equal(views.kept(record, { endpointLimit: 5 }), undefined, 'another limit, another answer');
    sweeps.record({
      startedAt: '2027-01-15T07:59:58.000Z',
      completedAt: '2027-01-15T08:00:00.000Z',
      missed: 0,
    });
    assert.equal(views.kept(record, {}), undefined, 'a new sweep record');
    const afterSweep = await views.encoded(record, {}, encoder.encode);
    assert.equal(views.kept(record, {}), afterSweep);
    cluster.setNode({
      name: 'node-14',
      ready: false,
      addresses: [{ type: 'InternalIP', address: '127.77.0.3' }],
    });
    assert.equal(views.kept(record, {}), undefined, 'a node changed');
    assert.equal(encoder.calls, 3, 'kept serializes nothing');
  });

  test('of an exposure too large to keep is streamed and serialized each time', async () => {
    const encoder = countingEncoder();
    const { record, streamed } = await setUp();
    const first = await streamed.encoded(record, {}, encoder.encode);
    assert.equal(await streamed.encoded(record, {}, encoder.encode), first);
    assert.equal(encoder.calls, 2);
    assert.equal(streamed.kept(record, {}), undefined);
  });
});

describe('ExposureViews: list summaries', () => {
  test('are kept for exposures with probe results, built again for those without', async () => {
    const { record, whole } = await setUp();
    const unprobed = whole.summary(record);
    const again = whole.summary(record);
    assert.notEqual(again, unprobed, 'without probe results: built again');
    assert.deepEqual(again, unprobed);
    await whole.full(record);
    const probed = whole.summary(record);
    assert.equal(whole.summary(record), probed, 'with probe results: the kept summary');
    assert.notDeepEqual(probed.endpointSummary, unprobed.endpointSummary);
  });
});
