// Lookups beyond the caches stay bounded whatever callers do: unknown ids are coalesced into few
// calls, a miss is asked once, calls are spaced; node-port holders come from the cache, or from one
// walk shared by every conflict.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ExposureLookups } from '../../src/application/exposure-lookups.ts';
import { ClusterError } from '../../src/application/ports/cluster.ts';
import { ExposureProblem } from '../../src/application/problems.ts';
import type { ServiceManifest } from '../../src/domain/cluster-objects.ts';
import { newExposureId } from '../../src/domain/exposure-id.ts';
import { EXPOSURE_ID_LABEL, MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../../src/domain/naming.ts';
import { InMemoryCluster } from '../../src/sandbox/in-memory-cluster.ts';
import { eventually } from '../support/eventually.ts';

/** The in-memory cluster, counting the lookups that would be API calls on a real one. */
function countingCluster() {
  const cluster = new InMemoryCluster({ namespaces: ['search', 'legacy'] });
  const calls = { byId: 0, byIds: 0, idsAsked: [] as number[], walks: 0 };
  const byId = cluster.findServiceByExposureId.bind(cluster);
  const byIds = cluster.findServicesByExposureIds.bind(cluster);
  const walk = cluster.nodePortHolders.bind(cluster);
  cluster.findServiceByExposureId = (id) => {
    calls.byId++;
    return byId(id);
  };
  cluster.findServicesByExposureIds = (ids) => {
    calls.byIds++;
    calls.idsAsked.push(ids.length);
    return byIds(ids);
  };
  cluster.nodePortHolders = () => {
    calls.walks++;
    return walk();
  };
  return { cluster, calls, total: () => calls.byId + calls.byIds };
}

function manifest(namespace: string, name: string, managed = true, nodePort?: number): ServiceManifest {
  return {
    namespace,
    name,
    labels: managed
      ? { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [EXPOSURE_ID_LABEL]: newExposureId() }
      : { app: name },
    annotations: {},
    finalizers: [],
    selector: { app: name },
    ports: [{ name: 'http', port: 80, targetPort: 80, protocol: 'TCP', ...(nodePort && { nodePort }) }],
    externalTrafficPolicy: 'Cluster',
  };
}

describe('exposure ids missing from the cache', () => {
  test('1,000 lookups of distinct unknown ids at once: at most 10 calls (200 ids each), each id a miss', async () => {
    const { cluster, calls, total } = countingCluster();
    const lookups = new ExposureLookups(cluster);
    const ids = Array.from({ length: 1_000 }, () => newExposureId());
    const answers = await Promise.all(ids.map((id) => lookups.findByExposureId(id)));
    assert.ok(answers.every((answer) => answer === undefined));
    assert.ok(total() <= 10, `${total()} calls`);
    assert.equal(total(), 5);
    assert.ok(calls.idsAsked.every((n) => n <= 200));
  });

  test('1,000 lookups of one unknown id: one call; asking again later: none (a miss is remembered)', async () => {
    const { cluster, total } = countingCluster();
    const lookups = new ExposureLookups(cluster);
    const id = newExposureId();
    await Promise.all(Array.from({ length: 1_000 }, () => lookups.findByExposureId(id)));
    assert.equal(total(), 1);
    for (let i = 0; i < 100; i++) assert.equal(await lookups.findByExposureId(id), undefined);
    assert.equal(total(), 1);
  });

  test('found ids resolve to their Service, in the same call as the missing ones', async () => {
    const { cluster, total } = countingCluster();
    const wanted = [manifest('search', 'a'), manifest('search', 'b')];
    for (const service of wanted) await cluster.createService(service);
    const lookups = new ExposureLookups(cluster);
    const ids = [...wanted.map((s) => s.labels[EXPOSURE_ID_LABEL] as string), newExposureId()];
    const found = await Promise.all(ids.map((id) => lookups.findByExposureId(id)));
    assert.deepEqual(
      found.map((service) => service?.name),
      ['a', 'b', undefined],
    );
    assert.equal(total(), 1);
  });

  test('lookups one after another are spaced: at most one call per interval, whatever the caller does', async () => {
    const { cluster, total } = countingCluster();
    const lookups = new ExposureLookups(cluster, { minIntervalMs: 40 });
    const started = performance.now();
    for (let i = 0; i < 10; i++) await lookups.findByExposureId(newExposureId());
    const elapsed = performance.now() - started;
    assert.equal(total(), 10);
    // A timer may fire up to a millisecond before performance.now() says it is due (libuv keeps
    // its clock in whole milliseconds), so each of the nine waits is allowed that much.
    assert.ok(elapsed >= 9 * (40 - 2), `10 calls in ${elapsed.toFixed(0)} ms`);
  });

  test('a failed call fails its waiters (to be answered as an outage); the next call goes ahead', async () => {
    const { cluster } = countingCluster();
    const lookups = new ExposureLookups(cluster);
    cluster.failNext('readService', new ClusterError('Unavailable', 'connection refused'));
    await assert.rejects(lookups.findByExposureId(newExposureId()), (error: unknown) => {
      assert.ok(error instanceof ClusterError);
      return error.kind === 'Unavailable';
    });
    assert.equal(await lookups.findByExposureId(newExposureId()), undefined);
  });

  test('beyond the waiting cap a lookup is refused at once (503, retry), not queued', async () => {
    const { cluster } = countingCluster();
    const lookups = new ExposureLookups(cluster, { maxWaitingIds: 10, minIntervalMs: 50 });
    const waiting = Array.from({ length: 10 }, () => lookups.findByExposureId(newExposureId()));
    await assert.rejects(lookups.findByExposureId(newExposureId()), (error: unknown) => {
      assert.ok(error instanceof ExposureProblem);
      assert.equal(error.kind, 'kubernetes-unavailable');
      assert.equal(error.retryAfterSeconds, 1);
      return true;
    });
    await Promise.all(waiting);
  });
});

test('ids still waiting when the lookups stop are answered (retry), not left hanging', async () => {
  const { cluster } = countingCluster();
  const lookups = new ExposureLookups(cluster, { minIntervalMs: 1_000 });
  await lookups.findByExposureId(newExposureId());
  const waiting = lookups.findByExposureId(newExposureId());
  lookups.stop();
  await assert.rejects(
    waiting,
    (error: unknown) => error instanceof ExposureProblem && error.retryAfterSeconds === 1,
  );
});

describe('holders of taken node ports', () => {
  test('a managed holder is named from the cache: no call', async () => {
    const { cluster, calls } = countingCluster();
    await cluster.start();
    const lookups = new ExposureLookups(cluster);
    lookups.start();
    const holder = await cluster.createService({
      ...manifest('search', 'holder', true, 31000),
      finalizers: ['exposure-api.io/firewall-cleanup'],
    });
    await eventually(() => cluster.cachedService(holder), Boolean, { what: 'the holder in the cache' });
    for (let i = 0; i < 1_000; i++) {
      assert.deepEqual(await lookups.nodePortHolder(31000, 'TCP'), {
        namespace: 'search',
        name: 'holder',
        terminating: false,
      });
    }
    // A change of the cache is seen at once: the holder is being deleted.
    await cluster.deleteService(holder);
    await eventually(
      () => lookups.nodePortHolder(31000, 'TCP'),
      (found) => found?.terminating === true,
      { what: 'the holder to show as terminating' },
    );
    assert.equal(calls.walks, 0);
    lookups.stop();
  });

  test('an unmanaged holder: 1,000 conflicts share one walk; the walk is reused for a while, then made again', async () => {
    const { cluster, calls } = countingCluster();
    await cluster.start();
    const lookups = new ExposureLookups(cluster, { holderSnapshotTtlMs: 200 });
    lookups.start();
    await cluster.createService(manifest('legacy', 'hand-written', false, 31001));
    const answers = await Promise.all(
      Array.from({ length: 1_000 }, () => lookups.nodePortHolder(31001, 'TCP')),
    );
    assert.ok(answers.every((a) => a?.name === 'hand-written' && a.namespace === 'legacy'));
    assert.equal(calls.walks, 1);
    assert.equal((await lookups.nodePortHolder(31002, 'TCP'))?.name, undefined, 'a free port has no holder');
    assert.equal(calls.walks, 1, 'answered from the same walk');
    await new Promise((resolve) => setTimeout(resolve, 250));
    await lookups.nodePortHolder(31001, 'UDP');
    assert.equal(calls.walks, 2, 'walked again after it aged');
    lookups.stop();
  });

  test('a holder on the other protocol is named when none holds the port on the same one', async () => {
    const { cluster } = countingCluster();
    await cluster.start();
    const lookups = new ExposureLookups(cluster);
    await cluster.createService(manifest('legacy', 'tcp-holder', false, 31003));
    assert.equal((await lookups.nodePortHolder(31003, 'UDP'))?.name, 'tcp-holder');
  });
});
