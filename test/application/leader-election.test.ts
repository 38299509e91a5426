// Leader election over Leases: one leader at a time, a takeover when the leader can no longer
// renew (it steps down before the lease can be taken), and a fast takeover after a graceful stop.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LeaderElector } from '../../src/application/leader-election.ts';
import { systemClock } from '../../src/application/ports/clock.ts';
import { ClusterError } from '../../src/application/ports/cluster.ts';
import type { Leases } from '../../src/application/ports/leases.ts';
import { InMemoryLeases } from '../../src/sandbox/in-memory-leases.ts';
import { eventually } from '../support/eventually.ts';

const quiet = { info() {}, warn() {} };
const timing = { leaseDurationMs: 900, renewDeadlineMs: 500, retryPeriodMs: 100 };

/** Leases as one replica sees them; `partitioned` makes every call fail, as a network split would. */
function replicaView(leases: Leases): Leases & { partitioned: boolean } {
  const view = {
    partitioned: false,
    get: (ns: string, name: string) => guard(() => leases.get(ns, name)),
    create: (ns: string, name: string, lease: Parameters<Leases['create']>[2]) =>
      guard(() => leases.create(ns, name, lease)),
    update: (ns: string, name: string, lease: Parameters<Leases['update']>[2], rv: string) =>
      guard(() => leases.update(ns, name, lease, rv)),
  };
  async function guard<T>(call: () => Promise<T>): Promise<T> {
    if (view.partitioned) throw new ClusterError('Unavailable', 'connection refused');
    return call();
  }
  return view;
}

/** Leases as one replica sees them; once `hung`, every call hangs forever (never answers). */
function hangingView(leases: Leases): Leases & { hung: boolean } {
  const never = new Promise<never>(() => {});
  const view = {
    hung: false,
    get: (ns: string, name: string) => (view.hung ? never : leases.get(ns, name)),
    create: (ns: string, name: string, lease: Parameters<Leases['create']>[2]) =>
      view.hung ? never : leases.create(ns, name, lease),
    update: (ns: string, name: string, lease: Parameters<Leases['update']>[2], rv: string) =>
      view.hung ? never : leases.update(ns, name, lease, rv),
  };
  return view;
}

function elector(leases: Leases, identity: string, log: string[], clock = systemClock, prepares = false) {
  return new LeaderElector(
    leases,
    clock,
    { namespace: 'default', name: 'exposure-api-test', identity, ...timing },
    {
      ...(prepares && {
        prepareToLead: async () => {
          log.push(`${identity} prepares`);
        },
      }),
      onStartedLeading: () => {
        log.push(`${identity} started`);
      },
      onStoppedLeading: () => {
        log.push(`${identity} stopped`);
      },
    },
    quiet,
  );
}

type Elector = ReturnType<typeof elector>;

/** Starts a, waits until it leads, then starts b. */
async function aLeadsThenBStarts(a: Elector, b: Elector): Promise<void> {
  a.start();
  await eventually(() => a.isLeader(), Boolean, { what: 'a to lead' });
  b.start();
}

/** Notes every 5 ms when both lead at once. */
function overlapSampler(a: Elector, b: Elector): { overlaps: number[]; stop(): void } {
  const overlaps: number[] = [];
  const timer = setInterval(() => {
    if (a.isLeader() && b.isLeader()) overlaps.push(Date.now());
  }, 5);
  timer.unref(); // a failed assertion must not leave it keeping the test process alive
  return { overlaps, stop: () => clearInterval(timer) };
}

describe('leader election', () => {
  test('one leader at a time; a partitioned leader steps down before the other takes over', async () => {
    const shared = new InMemoryLeases();
    const viewA = replicaView(shared);
    const viewB = replicaView(shared);
    const log: string[] = [];
    const a = elector(viewA, 'a', log);
    const b = elector(viewB, 'b', log);
    await aLeadsThenBStarts(a, b);
    const sampler = overlapSampler(a, b);
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.equal(b.isLeader(), false, 'b waits while a renews');

    viewA.partitioned = true;
    await eventually(() => b.isLeader(), Boolean, { what: 'b to take over', timeoutMs: 5_000 });
    sampler.stop();
    assert.deepEqual(sampler.overlaps, [], 'never two leaders at once');
    assert.deepEqual(log, ['a started', 'a stopped', 'b started'], 'a stopped before b started');
    const lease = await shared.get('default', 'exposure-api-test');
    assert.equal(lease?.holderIdentity, 'b');
    assert.equal(lease?.leaseTransitions, 1);

    viewA.partitioned = false;
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(a.isLeader(), false, 'a does not take the lease back while b renews');
    await b.stop();
    await a.stop();
  });

  test('a leader whose lease calls hang stops leading at the renew deadline, before anyone can take over', async () => {
    const shared = new InMemoryLeases();
    const hanging = hangingView(shared);
    const log: string[] = [];
    const a = elector(hanging, 'a', log);
    const b = elector(shared, 'b', log);
    await aLeadsThenBStarts(a, b);
    const sampler = overlapSampler(a, b);
    const hungAt = Date.now();
    hanging.hung = true;
    await eventually(
      () => a.isLeader(),
      (leading) => leading === false,
      { what: 'a to stop leading' },
    );
    assert.ok(
      Date.now() - hungAt < timing.leaseDurationMs,
      'it stops before its lease could expire and be taken',
    );
    await eventually(() => log.includes('a stopped'), Boolean, { what: 'the writes to be stopped' });
    await eventually(() => b.isLeader(), Boolean, { what: 'b to take over', timeoutMs: 5_000 });
    sampler.stop();
    assert.deepEqual(sampler.overlaps, []);
    assert.deepEqual(log, ['a started', 'a stopped', 'b started']);
    await b.stop();
    void a.stop();
  });

  test('the renew deadline holds when its timer fires early by the clock the lease is measured with', async () => {
    // Timers run on a monotonic clock, leases on the wall clock: here the wall clock falls 20 ms
    // behind once the lease calls hang, so the deadline timer fires "before" the deadline.
    let behindMs = 0;
    const clock = { now: () => Date.now() - behindMs };
    const shared = new InMemoryLeases();
    const hanging = hangingView(shared);
    const log: string[] = [];
    const a = elector(hanging, 'a', log, clock);
    a.start();
    await eventually(() => a.isLeader(), Boolean, { what: 'a to lead' });
    hanging.hung = true;
    behindMs = 20;
    await eventually(() => log.includes('a stopped'), Boolean, {
      what: 'a to stop its writes',
      timeoutMs: 3_000,
    });
    void a.stop();
  });

  test('a graceful stop releases the lease, so the other replica takes over at once', async () => {
    const shared = new InMemoryLeases();
    const log: string[] = [];
    const a = elector(shared, 'a', log);
    const b = elector(shared, 'b', log);
    await aLeadsThenBStarts(a, b);
    const stoppedAt = Date.now();
    await a.stop();
    assert.equal((await shared.get('default', 'exposure-api-test'))?.holderIdentity, undefined);
    await eventually(() => b.isLeader(), Boolean, { what: 'b to take over' });
    assert.ok(Date.now() - stoppedAt < timing.leaseDurationMs, 'sooner than a lease expiry');
    assert.deepEqual(log, ['a started', 'a stopped', 'b started']);
    await b.stop();
  });

  test('what leading needs is prepared once, when the lease is free, before it is taken; a follower of a live leader never prepares', async () => {
    const shared = new InMemoryLeases();
    const log: string[] = [];
    const a = elector(shared, 'a', log, systemClock, true);
    const b = elector(shared, 'b', log, systemClock, true);
    await aLeadsThenBStarts(a, b);
    await new Promise((resolve) => setTimeout(resolve, timing.leaseDurationMs * 2));
    assert.deepEqual(log, ['a prepares', 'a started'], 'b never prepared while a led');
    await a.stop();
    await eventually(() => b.isLeader(), Boolean, { what: 'b to take over' });
    assert.deepEqual(log, ['a prepares', 'a started', 'a stopped', 'b prepares', 'b started']);
    await b.stop();
  });

  test('a renew deadline that is not shorter than the lease is refused', () => {
    assert.throws(
      () =>
        new LeaderElector(
          new InMemoryLeases(),
          systemClock,
          {
            namespace: 'default',
            name: 'x',
            identity: 'a',
            leaseDurationMs: 1000,
            renewDeadlineMs: 1000,
            retryPeriodMs: 100,
          },
          { onStartedLeading() {}, onStoppedLeading() {} },
          quiet,
        ),
      /shorter than the lease/,
    );
  });
});
