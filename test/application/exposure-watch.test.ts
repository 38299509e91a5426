// The watch of exposures in the application: one view per change, handed as the same snapshot to
// every subscriber; probes shared by all the subscribers of an exposure and stopped when the last
// one leaves; a deleted exposure ends with `deleted`; another tenant's exposure is not found.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type ComputeEmulator, startComputeEmulator } from '@exposure-api/compute-emulator';
import { pino } from 'pino';
import type { GceFirewalls } from '../../src/adapters/gce/gce-firewalls.ts';
import { ExposureProblem } from '../../src/application/problems.ts';
import type { WatchSnapshot, WatchSubscriber } from '../../src/application/watch/watch-topic.ts';
import { parseConfig } from '../../src/config/load.ts';
import type { ProbeTarget } from '../../src/domain/endpoints.ts';
import { createRuntime, type Runtime } from '../../src/runtime.ts';
import { InMemoryCluster } from '../../src/sandbox/in-memory-cluster.ts';
import { gceFirewallsOn } from '../support/emulated-gce.ts';
import { eventually } from '../support/eventually.ts';

const PROBE_INTERVAL_MS = 1000;
const admin = { subject: 'admin', namespaces: ['*'] };
const searchTeam = { subject: 'search-bot', namespaces: ['search'] };

/** Answers like the nodes it is told are up; counts what it was asked. */
class CountingProber {
  readonly down = new Set<string>();
  probes = 0;
  async probe(target: ProbeTarget): Promise<{ ok: boolean; latencyMs: number; error?: string }> {
    this.probes++;
    return this.down.has(target.address)
      ? { ok: false, latencyMs: 0.2, error: 'connection refused' }
      : { ok: true, latencyMs: 0.3 };
  }
}

class RecordingSubscriber implements WatchSubscriber {
  readonly snapshots: WatchSnapshot[] = [];
  deletedId: string | undefined;
  snapshot(snapshot: WatchSnapshot): void {
    this.snapshots.push(snapshot);
  }
  deleted(id: string): void {
    this.deletedId = id;
  }
}

describe('ExposureWatch', () => {
  let emulator: ComputeEmulator;
  let gce: GceFirewalls;
  let runtime: Runtime;
  const cluster = new InMemoryCluster({ namespaces: ['default', 'search', 'payments'] });
  const prober = new CountingProber();

  before(async () => {
    emulator = await startComputeEmulator();
    gce = gceFirewallsOn(emulator, 'p');
    for (const n of [1, 2, 3]) {
      cluster.setNode({
        name: `node-${n}`,
        ready: true,
        addresses: [{ type: 'InternalIP', address: `10.0.0.${n}` }],
      });
    }
    runtime = await createRuntime({
      config: parseConfig({
        cluster: { id: 'watch' },
        gce: { project: 'p' },
        firewall: { targetTags: ['node'] },
        leaderElection: { enabled: false },
        probe: { cacheTtlMs: PROBE_INTERVAL_MS },
      }),
      cluster,
      firewalls: gce,
      prober,
      logger: pino({ level: 'silent' }),
    });
    await runtime.start();
  });
  after(async () => {
    await runtime.stop();
    await gce.close();
    await emulator.close();
  });

  async function createExposure(name: string, namespace = 'search'): Promise<string> {
    const { exposure } = await runtime.exposures.create(admin, {
      namespace,
      name,
      selector: { app: name },
      ports: [{ port: 80 }],
      sourceRanges: ['10.0.0.0/16'],
      // None, rather than the selector's: the tests follow label changes, each from none.
      labels: {},
    });
    cluster.setServiceEndpoints({ namespace, name }, [
      { nodeName: 'node-1', ready: true, addresses: ['10.244.0.1'] },
    ]);
    // Its firewall rule in place, so that what follows is the only change.
    const settled = await runtime.exposures.waitUntilSettled(admin, exposure.id, 10_000);
    assert.equal(settled.exposure.status.phase, 'Ready');
    return exposure.id;
  }

  test('200 subscribers get the same snapshot object for each change, computed once', async () => {
    const id = await createExposure('shared');
    const subscribers = Array.from({ length: 200 }, () => new RecordingSubscriber());
    const subscriptions = await Promise.all(
      subscribers.map((subscriber) => runtime.watch.subscribe(admin, id, subscriber)),
    );
    assert.equal(runtime.watch.watchedExposures, 1);
    const first = subscribers[0]?.snapshots[0];
    assert.ok(first, 'the first snapshot arrives at once');
    for (const subscriber of subscribers) assert.equal(subscriber.snapshots[0], first);

    prober.down.add('10.0.0.2');
    await eventually(
      () => subscribers.every((subscriber) => subscriber.snapshots.length === 2),
      (all) => all,
      { timeoutMs: PROBE_INTERVAL_MS * 3, what: 'the health change at every subscriber' },
    );
    const second = subscribers[0]?.snapshots[1] as WatchSnapshot;
    assert.notEqual(second.version, first.version);
    for (const subscriber of subscribers) assert.equal(subscriber.snapshots[1], second);
    const node2 = second.exposure.endpoints.find((endpoint) => endpoint.node === 'node-2');
    assert.equal(node2?.health.state, 'Unhealthy');
    prober.down.delete('10.0.0.2');
    for (const subscription of subscriptions) subscription.close();
    assert.equal(runtime.watch.watchedExposures, 0, 'the topic ends with its last subscriber');
  });

  test('probes of a watched exposure are shared by its subscribers and stop when the last leaves', async () => {
    const id = await createExposure('probed');
    const one = await runtime.watch.subscribe(admin, id, new RecordingSubscriber());
    const probesBefore = prober.probes;
    await sleep(PROBE_INTERVAL_MS * 3 + 200);
    const withOne = prober.probes - probesBefore;
    // Three endpoints, probed again once per interval.
    assert.ok(withOne >= 3 * 2 && withOne <= 3 * 4, `one subscriber: ${withOne} probes in 3 intervals`);

    const many = await Promise.all(
      Array.from({ length: 50 }, () => runtime.watch.subscribe(admin, id, new RecordingSubscriber())),
    );
    const probesWithMany = prober.probes;
    await sleep(PROBE_INTERVAL_MS * 3 + 200);
    const withFiftyOne = prober.probes - probesWithMany;
    assert.ok(withFiftyOne <= 3 * 4, `51 subscribers: ${withFiftyOne} probes in 3 intervals`);

    one.close();
    for (const subscription of many) subscription.close();
    const probesAfter = prober.probes;
    await sleep(PROBE_INTERVAL_MS * 2 + 200);
    assert.equal(prober.probes, probesAfter, 'nobody watches: no probe');
  });

  test('resuming with the version last seen sends nothing until the exposure changes', async () => {
    const id = await createExposure('resumed');
    const first = new RecordingSubscriber();
    const firstSubscription = await runtime.watch.subscribe(admin, id, first);
    const seen = first.snapshots[0]?.version;
    firstSubscription.close();

    const resumed = new RecordingSubscriber();
    const subscription = await runtime.watch.subscribe(admin, id, resumed, { lastVersion: seen });
    await sleep(PROBE_INTERVAL_MS * 2 + 200);
    assert.equal(resumed.snapshots.length, 0, 'same state: nothing is repeated');
    const stale = new RecordingSubscriber();
    const staleSubscription = await runtime.watch.subscribe(admin, id, stale, { lastVersion: 'not-seen' });
    assert.equal(stale.snapshots.length, 1, 'another version: the state at once');
    await runtime.exposures.patch(admin, id, { labels: { tier: 'gold' } });
    // The new spec, then (unless the reconciler is quicker than the watch) its rules updated.
    await eventually(
      () => resumed.snapshots.at(-1)?.exposure.status.phase,
      (phase) => phase === 'Ready',
      { what: 'the change after resuming' },
    );
    for (const snapshot of resumed.snapshots) assert.deepEqual(snapshot.exposure.labels, { tier: 'gold' });
    const versions = resumed.snapshots.map((snapshot) => snapshot.version);
    assert.equal(new Set(versions).size, versions.length, 'no state twice');
    subscription.close();
    staleSubscription.close();
  });

  test('a subscriber that throws does not keep the others from the change', async () => {
    const id = await createExposure('faulty');
    const probe = new RecordingSubscriber();
    (await runtime.watch.subscribe(admin, id, probe)).close();
    const version = probe.snapshots[0]?.version;
    // The faulty subscriber comes first, so the others are reached only past its failure.
    const faulty: WatchSubscriber = {
      snapshot() {
        throw new Error('broken subscriber');
      },
      deleted() {},
    };
    const healthy = new RecordingSubscriber();
    const subscriptions = [
      await runtime.watch.subscribe(admin, id, faulty, { lastVersion: version }),
      await runtime.watch.subscribe(admin, id, healthy, { lastVersion: version }),
    ];
    await runtime.exposures.patch(admin, id, { labels: { changed: 'yes' } });
    await eventually(
      () => healthy.snapshots.length,
      (count) => count >= 1,
      { what: 'the change at the healthy subscriber' },
    );
    assert.deepEqual(healthy.snapshots[0]?.exposure.labels, { changed: 'yes' });
    for (const subscription of subscriptions) subscription.close();
  });

  test('deletion ends the watch with `deleted`; other tenants and unknown ids are not found', async () => {
    const paymentsId = await createExposure('ledger', 'payments');
    await assert.rejects(
      runtime.watch.subscribe(searchTeam, paymentsId, new RecordingSubscriber()),
      (error: unknown) => error instanceof ExposureProblem && error.kind === 'exposure-not-found',
    );
    assert.equal(runtime.watch.watchedExposures, 0, 'a refused subscriber leaves no topic behind');

    const subscriber = new RecordingSubscriber();
    await runtime.watch.subscribe(admin, paymentsId, subscriber);
    await runtime.exposures.delete(admin, paymentsId, { waitMs: 5000 });
    await eventually(
      () => subscriber.deletedId,
      (id) => id === paymentsId,
      { what: 'the deleted event' },
    );
    assert.equal(subscriber.snapshots.at(-1)?.exposure.status.phase, 'Deleting');
    assert.equal(runtime.watch.watchedExposures, 0);
  });
});
