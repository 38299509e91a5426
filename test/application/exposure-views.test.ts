// A read of an exposure with more endpoints than the memo holds is streamed (two passes over
// nodes × ports, `endpointLimit` kept) instead of built whole. Both ways must give the same answer.
// A read that is sent as is (`encoded`) keeps its text while its inputs stay the same.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ExposureViews } from '../../src/application/exposure-views.ts';
import { HealthChecker } from '../../src/application/health-checker.ts';
import type { Prober } from '../../src/application/ports/prober.ts';
import { ReachabilityTracker } from '../../src/application/reachability-tracker.ts';
import { newExposureId } from '../../src/domain/exposure-id.ts';
import { readExposureRecord } from '../../src/domain/exposure-record.ts';
import { exposureSerializer } from '../../src/edge/exposure-serializer.ts';
import { InMemoryCluster } from '../../src/sandbox/in-memory-cluster.ts';
import type { Exposure } from '../../src/schemas/exposure.ts';
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
    encode?: (view: Exposure) => string;
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
    ...(variant.encode && { encode: variant.encode }),
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
  const whole = new ExposureViews(cluster, health(), settings, clock, new ReachabilityTracker());
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
  /** The edge's serializer, counting the views it is given. */
  function countingSerializer() {
    const serialize = exposureSerializer();
    const counter = {
      calls: 0,
      encode: (view: Exposure) => {
        counter.calls++;
        return serialize(view);
      },
    };
    return counter;
  }

  test('is the view serialized, and is kept while nothing it is built from changes', async () => {
    const serializer = countingSerializer();
    const { record, whole } = await setUp({ encode: serializer.encode });
    const first = await whole.encoded(record);
    const view = await whole.full(record);
    assert.equal(first, exposureSerializer()(view));
    assert.deepEqual(JSON.parse(first), JSON.parse(JSON.stringify(view)));
    const calls = serializer.calls;
    for (let read = 0; read < 3; read++) assert.equal(await whole.encoded(record), first);
    assert.equal(serializer.calls, calls, 'unchanged inputs: the kept text, nothing serialized again');
  });

  test('is built again for another endpoint limit, new probe results and a change of node', async () => {
    const serializer = countingSerializer();
    const { record, whole, cluster } = await setUp({ encode: serializer.encode });
    const all = await whole.encoded(record);
    let calls = serializer.calls;

    const five = await whole.encoded(record, { endpointLimit: 5 });
    assert.equal(serializer.calls, calls + 1);
    assert.equal((JSON.parse(five) as Exposure).endpoints.length, 5);
    assert.equal(five, exposureSerializer()(await whole.full(record, { endpointLimit: 5 })));
    calls = serializer.calls;

    // New probe results (new outcomes, the same health): a new answer, with their checkedAt.
    const refreshed = await whole.encoded(record, { refresh: true });
    assert.equal(serializer.calls, calls + 1);
    assert.equal(refreshed, exposureSerializer()(await whole.full(record)));
    calls = serializer.calls;

    // A node turns NotReady: the answer says so at once.
    const before = JSON.parse(all) as Exposure;
    const shown = before.endpoints.find((endpoint) => endpoint.serving && endpoint.node === 'node-14');
    assert.ok(shown, 'node-14 serves before the change');
    cluster.setNode({
      name: 'node-14',
      ready: false,
      addresses: [{ type: 'InternalIP', address: '127.77.0.3' }],
    });
    const after = JSON.parse(await whole.encoded(record)) as Exposure;
    assert.ok(serializer.calls > calls);
    assert.notDeepEqual(after.endpointSummary, before.endpointSummary);
    assert.equal(
      after.endpoints.find((endpoint) => endpoint.node === 'node-14' && endpoint.port === shown.port)
        ?.serving,
      false,
    );
  });
});
