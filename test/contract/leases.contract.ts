// The contract of the Leases port (coordination.k8s.io/v1 Leases with optimistic concurrency, and
// the annotations the leader publishes on its Lease), run against the in-memory implementation and
// the Kubernetes adapter on a real apiserver.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { LeaderElector } from '../../src/application/leader-election.ts';
import { systemClock } from '../../src/application/ports/clock.ts';
import { ClusterError } from '../../src/application/ports/cluster.ts';
import type { Leases } from '../../src/application/ports/leases.ts';
import { SweepRecords } from '../../src/application/sweep-records.ts';
import type { FirewallStatusRecord } from '../../src/domain/firewall-status.ts';
import {
  firewallVerification,
  formatSweepRecord,
  parseSweepRecord,
  type SweepRecord,
} from '../../src/domain/firewall-verification.ts';
import { FIREWALL_SWEEP_ANNOTATION } from '../../src/domain/naming.ts';
import { eventually } from '../support/eventually.ts';

export interface LeasesUnderTest {
  leases: Leases;
  /** A namespace that exists. */
  namespace: string;
  close(): Promise<void>;
}

export function leasesContract(name: string, make: () => Promise<LeasesUnderTest | undefined>): void {
  describe(`Leases contract: ${name}`, () => {
    let subject: LeasesUnderTest | undefined;
    before(async () => {
      subject = await make();
    });
    after(() => subject?.close());

    test('create, get, update with the current resourceVersion; a stale one is a Conflict', async (t) => {
      if (!subject) return t.skip('this backend is not available');
      const { leases, namespace } = subject;
      const name = `lease-${Date.now()}`;
      assert.equal(await leases.get(namespace, name), undefined);
      const now = new Date().toISOString().replace('Z', '000Z');
      const created = await leases.create(namespace, name, {
        holderIdentity: 'replica-a',
        leaseDurationSeconds: 15,
        acquireTime: now,
        renewTime: now,
        leaseTransitions: 0,
      });
      assert.equal(created.holderIdentity, 'replica-a');
      assert.ok(created.resourceVersion);
      await assert.rejects(
        leases.create(namespace, name, {
          holderIdentity: 'replica-b',
          leaseDurationSeconds: 15,
          leaseTransitions: 0,
        }),
        (error: unknown) => error instanceof ClusterError && error.kind === 'AlreadyExists',
      );
      const read = await leases.get(namespace, name);
      assert.equal(read?.holderIdentity, 'replica-a');
      assert.equal(read?.leaseDurationSeconds, 15);
      assert.equal(read?.leaseTransitions, 0);
      assert.ok(read?.renewTime && Math.abs(Date.parse(read.renewTime) - Date.parse(now)) < 1000);
      const updated = await leases.update(
        namespace,
        name,
        { ...created, holderIdentity: 'replica-b', leaseTransitions: 1 },
        created.resourceVersion,
      );
      assert.equal(updated.holderIdentity, 'replica-b');
      assert.notEqual(updated.resourceVersion, created.resourceVersion);
      await assert.rejects(
        leases.update(namespace, name, { ...created, holderIdentity: 'replica-c' }, created.resourceVersion),
        (error: unknown) => error instanceof ClusterError && error.kind === 'Conflict',
      );
      assert.equal((await leases.get(namespace, name))?.holderIdentity, 'replica-b');
      const released = await leases.update(
        namespace,
        name,
        { leaseDurationSeconds: 1, leaseTransitions: 1 },
        updated.resourceVersion,
      );
      assert.equal(released.holderIdentity, undefined, 'an empty holder releases the lease');
    });

    test('annotations round-trip: written on create and update, replaced by the next update', async (t) => {
      if (!subject) return t.skip('this backend is not available');
      const { leases, namespace } = subject;
      const name = `lease-annotated-${Date.now()}`;
      const first: SweepRecord = {
        startedAt: '2026-11-27T10:00:00.000Z',
        completedAt: '2026-11-27T10:00:01.250Z',
        missed: 0,
      };
      const created = await leases.create(namespace, name, {
        holderIdentity: 'replica-a',
        leaseDurationSeconds: 15,
        leaseTransitions: 0,
        annotations: { [FIREWALL_SWEEP_ANNOTATION]: formatSweepRecord(first) },
      });
      const read = await leases.get(namespace, name);
      assert.deepEqual(parseSweepRecord(read?.annotations?.[FIREWALL_SWEEP_ANNOTATION]), first);
      const second: SweepRecord = { ...first, missed: 1 };
      const updated = await leases.update(
        namespace,
        name,
        {
          holderIdentity: 'replica-a',
          leaseDurationSeconds: 15,
          leaseTransitions: 0,
          annotations: { [FIREWALL_SWEEP_ANNOTATION]: formatSweepRecord(second), other: 'kept' },
        },
        created.resourceVersion,
      );
      assert.deepEqual(parseSweepRecord(updated.annotations?.[FIREWALL_SWEEP_ANNOTATION]), second);
      assert.deepEqual((await leases.get(namespace, name))?.annotations, {
        [FIREWALL_SWEEP_ANNOTATION]: formatSweepRecord(second),
        other: 'kept',
      });
      const replaced = await leases.update(
        namespace,
        name,
        {
          holderIdentity: 'replica-a',
          leaseDurationSeconds: 15,
          leaseTransitions: 0,
          annotations: { [FIREWALL_SWEEP_ANNOTATION]: formatSweepRecord(first) },
        },
        updated.resourceVersion,
      );
      assert.deepEqual(replaced.annotations, { [FIREWALL_SWEEP_ANNOTATION]: formatSweepRecord(first) });
      assert.deepEqual((await leases.get(namespace, name))?.annotations, replaced.annotations);
    });

    test("a follower reads the leader's last completed sweep from the Lease, and verifiedAt from it", async (t) => {
      if (!subject) return t.skip('this backend is not available');
      const { leases, namespace } = subject;
      const name = `exposure-api-sweep-${Date.now()}`;
      const quiet = { info() {}, warn() {} };
      const timing = { leaseDurationMs: 3000, renewDeadlineMs: 2000, retryPeriodMs: 200 };
      const replica = (identity: string, sweeps: SweepRecords) =>
        new LeaderElector(
          leases,
          systemClock,
          { namespace, name, identity, ...timing },
          {
            onStartedLeading() {},
            onStoppedLeading() {},
            leaseAnnotations: () => sweeps.leaseAnnotations(),
            onLeaseObserved: (annotations) => sweeps.observeLease(annotations),
          },
          quiet,
        );
      const leaderSweeps = new SweepRecords();
      const followerSweeps = new SweepRecords();
      const leader = replica('replica-leader', leaderSweeps);
      const follower = replica('replica-follower', followerSweeps);
      leader.start();
      try {
        await eventually(() => leader.isLeader(), Boolean, { what: 'the leader to lead' });
        follower.start();
        // The pass that put an exposure's rules in place, and a sweep that began after it.
        const status: FirewallStatusRecord = {
          specHash: 'spec-1',
          generation: 1,
          state: 'UpToDate',
          condition: {
            status: 'True',
            reason: 'UpToDate',
            message: 'in place',
            lastTransitionTime: '2026-11-27T09:59:00.000Z',
          },
          rules: ['exp-rule'],
          everReady: true,
          failures: 0,
          lastAttemptTime: '2026-11-27T09:59:00.000Z',
        };
        const sweep: SweepRecord = {
          startedAt: new Date().toISOString(),
          completedAt: new Date(Date.now() + 1).toISOString(),
          missed: 0,
        };
        leaderSweeps.record(sweep);
        const seen = await eventually(
          () => followerSweeps.latest(),
          (latest) => latest?.completedAt === sweep.completedAt,
          { what: "the leader's sweep on the follower", timeoutMs: 10_000 },
        );
        assert.deepEqual(seen, sweep);
        assert.equal(follower.isLeader(), false);
        assert.equal(firewallVerification(status, 'spec-1', seen).verifiedAt, sweep.completedAt);
        // Read back as it is stored, too.
        const stored = await leases.get(namespace, name);
        assert.equal(stored?.holderIdentity, 'replica-leader');
        assert.deepEqual(parseSweepRecord(stored?.annotations?.[FIREWALL_SWEEP_ANNOTATION]), sweep);
      } finally {
        await follower.stop();
        await leader.stop();
      }
      // Released, the Lease keeps the record for the next leader.
      const released = await leases.get(namespace, name);
      assert.equal(released?.holderIdentity, undefined);
      assert.ok(released?.annotations?.[FIREWALL_SWEEP_ANNOTATION], 'the record outlives the leader');
    });
  });
}
