// The periodic full resync: list calls only when nothing drifted, repairs what did, and collects
// rules of this installation whose exposure is gone — never anyone else's.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { newExposureId } from '../../../src/domain/exposure-id.ts';
import { ownershipDescription } from '../../../src/domain/firewall-ownership.ts';
import { firewallRuleName } from '../../../src/domain/naming.ts';
import type { Sandbox } from '../../../src/sandbox/sandbox.ts';
import { exposureManifest } from '../../builders/exposure-spec.ts';
import { firewallRuleSpec } from '../../builders/firewall-rule.ts';
import { eventually } from '../../support/eventually.ts';
import { startTestSandbox } from '../../support/test-sandbox.ts';

const EXPOSURES = 520;

const HTTP_80 = { name: 'http', port: 80, targetPort: 80, protocol: 'TCP' } as const;

describe('full resync', () => {
  let sandbox: Sandbox;
  before(async () => {
    sandbox = await startTestSandbox({
      withDemoWorkload: false,
      config: {
        gce: { writesPerSecond: 100 } as never,
        reconciler: {
          workers: 8,
          resyncSeconds: 600,
          driftCheckSeconds: 3600,
          backoffInitialMs: 50,
          backoffMaxMs: 500,
        },
      },
    });
    await eventually(() => sandbox.runtime.reconciler.running, Boolean, { what: 'the reconciler to run' });
    // More rules than a real project's default quota of 500.
    sandbox.emulator.setQuota(sandbox.config.gce.project, 2000);
    for (let i = 0; i < EXPOSURES; i++) {
      await sandbox.cluster.createService(
        exposureManifest({ namespace: 'default', name: `bulk-${i}`, ports: [HTTP_80] }),
      );
    }
    await eventually(
      () => sandbox.emulator.rules(sandbox.config.gce.project).length,
      (n) => n === EXPOSURES,
      {
        what: `${EXPOSURES} rules`,
        timeoutMs: 120_000,
      },
    );
    await sandbox.runtime.reconciler.idle();
  });
  after(() => sandbox.close());

  test(`with no drift, a resync of ${EXPOSURES} rules makes list calls only`, async () => {
    sandbox.emulator.clearRequests();
    const report = await sandbox.runtime.reconciler.fullResync();
    await sandbox.runtime.reconciler.idle();
    assert.deepEqual(report, { listCalls: 2, rules: EXPOSURES, drifted: 0, collected: 0 });
    const calls = sandbox.emulator
      .requests()
      .map((r) => `${r.method} ${r.path.replace(/exp-sandbox-[0-9a-z-]+/, 'RULE')}`);
    assert.deepEqual(new Set(calls), new Set(['GET /compute/v1/projects/sandbox-project/global/firewalls']));
    assert.equal(calls.length, 2);
  });

  test('one deleted and one edited rule are repaired; orphans of this cluster are collected, others untouched', async () => {
    const project = sandbox.config.gce.project;
    const [first, second] = sandbox.emulator.rules(project).map((r) => String(r.name));
    await sandbox.firewalls.delete(first as string);
    await sandbox.firewalls.patch(second as string, { sourceRanges: ['0.0.0.0/0'] });
    const base = firewallRuleSpec({
      network: `projects/${project}/global/networks/default`,
      priority: 1000,
      allowed: [{ protocol: 'tcp', ports: ['30000'] }],
      targetTags: ['sandbox-node'],
    });
    const orphanId = newExposureId();
    const orphan = firewallRuleName('sandbox', orphanId, 'IPv4');
    await sandbox.firewalls.insert({
      ...base,
      name: orphan,
      description: ownershipDescription({
        exposureId: orphanId,
        clusterId: 'sandbox',
        service: 'default/gone',
      }),
    });
    const foreignId = newExposureId();
    const foreign = firewallRuleName('sandbox', foreignId, 'IPv4').replace('exp-sandbox-', 'exp-sandbox-2-');
    await sandbox.firewalls.insert({
      ...base,
      name: foreign,
      description: ownershipDescription({
        exposureId: foreignId,
        clusterId: 'sandbox-2',
        service: 'default/theirs',
      }),
    });
    const unowned = `exp-sandbox-${'x'.repeat(26)}`;
    await sandbox.firewalls.insert({ ...base, name: unowned, description: 'made by hand' });

    const report = await sandbox.runtime.reconciler.fullResync();
    await sandbox.runtime.reconciler.idle();
    assert.equal(report.drifted, 2);
    assert.equal(report.collected, 1);
    const names = new Set(sandbox.emulator.rules(project).map((r) => String(r.name)));
    assert.ok(names.has(first as string), 'the deleted rule is back');
    const repaired = sandbox.emulator.rules(project).find((r) => r.name === second);
    assert.deepEqual(repaired?.sourceRanges, ['203.0.113.0/24']);
    assert.equal(names.has(orphan), false, "this cluster's orphan is collected");
    assert.ok(names.has(foreign), "another installation's rule is untouched");
    assert.ok(names.has(unowned), 'a rule without an ownership record is untouched');
    await sandbox.firewalls.delete(foreign);
    await sandbox.firewalls.delete(unowned);
  });
});

describe('drift that widens a rule without touching its ranges', () => {
  test('a source tag added by hand is removed (GCE matches ranges OR tags)', async () => {
    const sandbox = await startTestSandbox({ withDemoWorkload: false });
    try {
      await eventually(() => sandbox.runtime.reconciler.running, Boolean, { what: 'the reconciler to run' });
      await sandbox.cluster.createService(
        exposureManifest({ namespace: 'default', name: 'tagged', ports: [HTTP_80] }),
      );
      const project = sandbox.config.gce.project;
      const [rule] = await eventually(
        () => sandbox.emulator.rules(project),
        (rules) => rules.length === 1,
        { what: 'the rule' },
      );
      await sandbox.runtime.reconciler.idle();
      const edited = await fetch(
        `${sandbox.emulator.url}/compute/v1/projects/${project}/global/firewalls/${String(rule?.name)}`,
        {
          method: 'PATCH',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ sourceTags: ['any-vm'] }),
        },
      );
      assert.equal(edited.status, 200, await edited.text());
      const report = await sandbox.runtime.reconciler.fullResync();
      await sandbox.runtime.reconciler.idle();
      assert.equal(report.drifted, 1);
      const repaired = sandbox.emulator.rules(project)[0];
      assert.equal(repaired?.sourceTags, undefined, JSON.stringify(repaired));
      assert.deepEqual(repaired?.sourceRanges, ['203.0.113.0/24']);
    } finally {
      await sandbox.close();
    }
  });
});
