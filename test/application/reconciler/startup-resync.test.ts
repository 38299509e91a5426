// The reconciler's start-up resync: it lists the rules to find what needs work, so a restart with
// nothing drifted costs list calls only. A list that fails is tried again with backoff before
// the fallback — every exposure looked at one by one, one GET each — which comes only when GCE
// still cannot be listed; and a reconciler stopped meanwhile neither retries nor falls back.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { FirewallError, type Firewalls } from '../../../src/application/ports/firewalls.ts';
import { Reconciler, STARTUP_LIST_ATTEMPTS } from '../../../src/application/reconciler/reconciler.ts';
import { createExposure, type Harness, startHarness, type TestExposure } from './harness.ts';

const EXPOSURES = 3;

/** The emulated GCE, whose first `failures` list calls fail as a reset connection does. */
function failingLists(firewalls: Firewalls, failures: number): Firewalls & { listCalls: number } {
  const wrapped = {
    listCalls: 0,
    project: firewalls.project,
    get: (name: string) => firewalls.get(name),
    listPage: async (options: Parameters<Firewalls['listPage']>[0]) => {
      wrapped.listCalls++;
      if (wrapped.listCalls <= failures) throw new FirewallError('Unknown', 'read ECONNRESET');
      return firewalls.listPage(options);
    },
    insert: (rule: Parameters<Firewalls['insert']>[0]) => firewalls.insert(rule),
    patch: (name: string, changes: Parameters<Firewalls['patch']>[1]) => firewalls.patch(name, changes),
    update: (rule: Parameters<Firewalls['update']>[0]) => firewalls.update(rule),
    delete: (name: string) => firewalls.delete(name),
  };
  return wrapped;
}

describe('start-up resync', () => {
  let harness: Harness;
  const exposures: TestExposure[] = [];

  before(async () => {
    harness = await startHarness();
    // Exposures whose rules are in place and recorded so, as a previous leader left them.
    for (let i = 0; i < EXPOSURES; i++) {
      const exposure = await createExposure(harness, `in-place-${i}`);
      assert.deepEqual(await harness.reconcile({ kind: 'service', ref: exposure.ref }), { kind: 'done' });
      exposures.push(exposure);
    }
    await new Promise((resolve) => setImmediate(resolve));
  });
  after(() => harness.close());

  function reconciler(firewalls: Firewalls, warnings: string[]): Reconciler {
    return new Reconciler({
      cluster: harness.cluster,
      firewalls,
      clock: harness.clock,
      settings: {
        ...harness.settings,
        workers: 2,
        backoff: { initialMs: 20, maxMs: 80 },
        resyncIntervalMs: 3_600_000,
        driftCheckIntervalMs: 3_600_000,
      },
      log: { info() {}, warn: (_details, message) => warnings.push(message) },
      random: () => 0.5,
    });
  }

  /** GCE calls other than list calls: the GETs of one-by-one passes. */
  const gets = () =>
    harness.gce.emulator.requests().filter((r) => r.method === 'GET' && /\/firewalls\/[^/]+$/.test(r.path))
      .length;

  /**
   * Starts a reconciler whose first `failures` lists fail, waits for its start-up pass and what it
   * queued, hands its list calls and warnings to `check`, and stops it.
   */
  async function afterStartUp(
    failures: number,
    check: (listCalls: number, warnings: string[]) => void,
  ): Promise<void> {
    const firewalls = failingLists(harness.gce.firewalls, failures);
    const warnings: string[] = [];
    const subject = reconciler(firewalls, warnings);
    harness.gce.emulator.clearRequests();
    subject.start();
    try {
      await subject.startedUp();
      await subject.idle();
      check(firewalls.listCalls, warnings);
    } finally {
      await subject.stop();
    }
  }

  test('a list that fails twice is tried again: list calls only, no one-by-one GETs', async () => {
    await afterStartUp(2, (listCalls, warnings) => {
      assert.equal(listCalls, 3);
      assert.equal(gets(), 0, 'nothing drifted, so no exposure is read one by one');
      assert.deepEqual(warnings, [
        'could not list the firewall rules at start; trying again before reconciling one by one',
        'could not list the firewall rules at start; trying again before reconciling one by one',
      ]);
    });
  });

  test(`after ${STARTUP_LIST_ATTEMPTS} failed lists every exposure is reconciled one by one`, async () => {
    await afterStartUp(Number.POSITIVE_INFINITY, (listCalls, warnings) => {
      assert.equal(listCalls, STARTUP_LIST_ATTEMPTS);
      assert.equal(gets(), EXPOSURES, 'one GET per exposure');
      assert.equal(
        warnings.at(-1),
        'could not list the firewall rules; reconciling every exposure one by one',
      );
    });
  });

  test('a reconciler stopped while waiting to retry neither retries nor falls back', async () => {
    const firewalls = failingLists(harness.gce.firewalls, Number.POSITIVE_INFINITY);
    const subject = reconciler(firewalls, []);
    harness.gce.emulator.clearRequests();
    subject.start();
    while (firewalls.listCalls === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    await subject.stop();
    await subject.startedUp();
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(firewalls.listCalls, 1);
    assert.equal(gets(), 0);
  });
});
