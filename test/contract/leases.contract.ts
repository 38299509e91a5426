// The contract of the Leases port (coordination.k8s.io/v1 Leases with optimistic concurrency),
// run against the in-memory implementation and the Kubernetes adapter on a real apiserver.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ClusterError } from '../../src/application/ports/cluster.ts';
import type { Leases } from '../../src/application/ports/leases.ts';

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
  });
}
