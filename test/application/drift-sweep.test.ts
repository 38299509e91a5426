// The drift sweep in the sandbox: a rule deleted or widened out of band is back (or narrowed
// again) within two sweep intervals; between detection and repair the answer says so in plain
// words (Degraded, FirewallReady=False, Drifted), then Repaired with a fresh transition time; the
// status record keeps the last drift and the last repair; Kubernetes events say the same.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parseFirewallStatus } from '../../src/domain/firewall-status.ts';
import { FIREWALL_STATUS_ANNOTATION } from '../../src/domain/naming.ts';
import type { Sandbox } from '../../src/sandbox/sandbox.ts';
import type { Condition, Exposure } from '../../src/schemas/exposure.ts';
import { createRequest } from '../builders/create-request.ts';
import { eventually } from '../support/eventually.ts';
import { call, SEARCH_TEAM, startTestSandbox } from '../support/test-sandbox.ts';

const DRIFT_CHECK_SECONDS = 2;

describe('drift sweep (sandbox)', () => {
  let sandbox: Sandbox;
  /** Every firewall status the reconciler wrote, in order, by Service name. */
  const written: { service: string; state: string; reason: string; message: string }[] = [];
  /** Called when a Drifted status is written, before the repair runs. */
  let onDrifted: (() => void) | undefined;

  before(async () => {
    sandbox = await startTestSandbox({
      withDemoWorkload: false,
      config: { reconciler: { driftCheckSeconds: DRIFT_CHECK_SECONDS } },
    });
    sandbox.cluster.subscribe((event) => {
      if (event.kind !== 'service' || event.type !== 'upsert') return;
      const status = parseFirewallStatus(event.service.annotations[FIREWALL_STATUS_ANNOTATION]);
      const last = written.findLast((entry) => entry.service === event.service.name);
      if (!status || (last?.state === status.state && last.message === status.condition.message)) return;
      written.push({
        service: event.service.name,
        state: status.state,
        reason: status.condition.reason,
        message: status.condition.message,
      });
      if (status.state === 'Drifted') onDrifted?.();
    });
  });
  after(() => sandbox.close());

  async function create(name: string): Promise<Exposure> {
    const created = await call<Exposure>(sandbox, {
      method: 'POST',
      url: '/exposures',
      headers: { authorization: SEARCH_TEAM, 'content-type': 'application/json' },
      payload: JSON.stringify(
        createRequest({ name, selector: { app: name }, ports: [{ name: 'http', port: 9200 }] }),
      ),
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    return eventually(
      () => read(created.body.id),
      (exposure) => exposure.firewall.state === 'UpToDate',
      { what: `${name} up to date` },
    );
  }

  async function read(id: string): Promise<Exposure> {
    const answer = await call<Exposure>(sandbox, {
      method: 'GET',
      url: `/exposures/${id}`,
      headers: { authorization: SEARCH_TEAM },
    });
    assert.equal(answer.status, 200);
    return answer.body;
  }

  const ruleNamed = (name: string) =>
    sandbox.emulator.rules(sandbox.config.gce.project).find((rule) => rule.name === name);
  const firewallCondition = (exposure: Exposure): Condition | undefined =>
    exposure.status.conditions.find((c) => c.type === 'FirewallReady');

  /** GET once the FirewallReady condition says Repaired. */
  const repairedAnswer = (id: string): Promise<Exposure> =>
    eventually(
      () => read(id),
      (answer) => firewallCondition(answer)?.reason === 'Repaired',
      { what: 'Repaired' },
    );

  /** Slows GCE down from the moment drift is reported, so that a read sees the window before the repair. */
  function holdRepairWhileReading(id: string): Promise<Exposure> {
    return new Promise((resolve, reject) => {
      onDrifted = () => {
        onDrifted = undefined;
        sandbox.emulator.setFaults({ latencyMs: 150 });
        read(id).then(resolve, reject);
      };
    });
  }

  test(`a rule deleted out of band is back within 2 × ${DRIFT_CHECK_SECONDS} s, told as Drifted, then Repaired`, async () => {
    const exposure = await create('deleted-rule');
    const rule = exposure.firewall.rules[0]?.name ?? assert.fail('no rule');
    const before = firewallCondition(exposure);
    const during = holdRepairWhileReading(exposure.id);
    await sandbox.firewalls.delete(rule);
    const deletedAt = performance.now();
    await eventually(() => ruleNamed(rule), Boolean, {
      what: 'the rule back',
      timeoutMs: 20_000,
      intervalMs: 20,
    });
    const repairSeconds = (performance.now() - deletedAt) / 1000;
    sandbox.emulator.setFaults(undefined);
    process.stdout.write(
      `# deleted rule back after ${repairSeconds.toFixed(2)} s (sweep every ${DRIFT_CHECK_SECONDS} s)\n`,
    );

    const drifted = await during;
    assert.equal(drifted.status.phase, 'Degraded');
    assert.equal(drifted.firewall.state, 'Drifted');
    assert.ok(!drifted.firewall.verifiedAt, 'a drifted rule is not vouched for');
    assert.deepEqual(
      { status: firewallCondition(drifted)?.status, reason: firewallCondition(drifted)?.reason },
      { status: 'False', reason: 'Drifted' },
    );
    assert.equal(
      firewallCondition(drifted)?.message,
      `firewall rule ${rule}: deleted out of band; repairing`,
    );

    const repaired = await repairedAnswer(exposure.id);
    assert.ok(repairSeconds <= 2 * DRIFT_CHECK_SECONDS, `back after ${repairSeconds} s`);
    // No pod serves these exposures, so Degraded by its endpoints, as before the drift.
    assert.equal(repaired.status.phase, exposure.status.phase);
    assert.equal(firewallCondition(repaired)?.status, 'True');
    assert.ok(
      Date.parse(firewallCondition(repaired)?.lastTransitionTime ?? '') >
        Date.parse(before?.lastTransitionTime ?? ''),
      'a fresh transition time',
    );
    assert.equal(
      firewallCondition(repaired)?.message,
      `firewall rule ${rule} repaired (deleted out of band); firewall rule ${rule} now allows tcp:${exposure.ports[0]?.nodePort} from 203.0.113.0/24`,
    );
    assert.equal(repaired.firewall.lastDrift?.kind, 'deleted');
    assert.equal(repaired.firewall.lastDrift?.rule, rule);
    assert.equal(repaired.firewall.lastRepair?.kind, 'deleted');
    assert.ok(
      Date.parse(repaired.firewall.lastRepair?.at ?? '') >= Date.parse(repaired.firewall.lastDrift?.at ?? ''),
    );
    assert.deepEqual(
      written.filter((entry) => entry.service === 'deleted-rule').map((entry) => entry.reason),
      ['UpToDate', 'Drifted', 'Repaired'],
    );
    const events = sandbox.cluster
      .events()
      .filter((event) => event.involvedObject.name === 'deleted-rule')
      .map((event) => `${event.type} ${event.reason}: ${event.message}`);
    assert.ok(
      events.some((e) =>
        e.startsWith(`Warning FirewallDrifted: firewall rule ${rule}: deleted out of band; repairing`),
      ),
      events.join('\n'),
    );
    assert.ok(
      events.some((e) =>
        e.startsWith(`Warning FirewallRepaired: firewall rule ${rule}: deleted out of band; restored it`),
      ),
      events.join('\n'),
    );
  });

  test(`a rule widened to 0.0.0.0/0 out of band is narrowed again within 2 × ${DRIFT_CHECK_SECONDS} s`, async () => {
    const exposure = await create('widened-rule');
    const rule = exposure.firewall.rules[0]?.name ?? assert.fail('no rule');
    const during = holdRepairWhileReading(exposure.id);
    await sandbox.firewalls.patch(rule, { sourceRanges: ['0.0.0.0/0'] });
    const widenedAt = performance.now();
    await eventually(
      () => ruleNamed(rule)?.sourceRanges,
      (ranges) => JSON.stringify(ranges) === JSON.stringify(['203.0.113.0/24']),
      { what: 'the rule narrowed again', timeoutMs: 20_000, intervalMs: 20 },
    );
    const repairSeconds = (performance.now() - widenedAt) / 1000;
    sandbox.emulator.setFaults(undefined);
    process.stdout.write(
      `# widened rule narrowed again after ${repairSeconds.toFixed(2)} s (sweep every ${DRIFT_CHECK_SECONDS} s)\n`,
    );
    assert.ok(repairSeconds <= 2 * DRIFT_CHECK_SECONDS, `narrowed after ${repairSeconds} s`);

    const drifted = await during;
    assert.equal(drifted.status.phase, 'Degraded');
    assert.equal(
      firewallCondition(drifted)?.message,
      `firewall rule ${rule}: source ranges widened out of band to 0.0.0.0/0; repairing`,
    );
    assert.deepEqual(
      drifted.firewall.lastDrift && {
        kind: drifted.firewall.lastDrift.kind,
        message: drifted.firewall.lastDrift.message,
      },
      {
        kind: 'widened',
        message: 'source ranges widened out of band to 0.0.0.0/0',
      },
    );
    const repaired = await repairedAnswer(exposure.id);
    assert.equal(repaired.firewall.lastRepair?.kind, 'widened');
    assert.ok(repaired.firewall.verifiedAt, 'verifiedAt shown');
    // The record keeps the last drift and repair, read back from the Service itself.
    const service = await sandbox.cluster.readService({ namespace: 'search', name: 'widened-rule' });
    const record = parseFirewallStatus(service?.annotations[FIREWALL_STATUS_ANNOTATION]);
    assert.equal(record?.lastDrift?.kind, 'widened', service?.annotations[FIREWALL_STATUS_ANNOTATION]);
    assert.equal(record?.lastRepair?.kind, 'widened');
  });

  test('with nothing drifted a sweep makes list calls only, and verifiedAt follows the sweeps', async () => {
    const exposure = await create('quiet-rule');
    await sandbox.runtime.reconciler.idle();
    sandbox.emulator.clearRequests();
    const report = await sandbox.runtime.reconciler.sweepDrift();
    assert.equal(report.outcome, 'completed');
    assert.deepEqual(report.drifted, []);
    const calls = sandbox.emulator.requests().map((r) => `${r.method} ${r.path}`);
    assert.deepEqual(
      new Set(calls),
      new Set([`GET /compute/v1/projects/${sandbox.config.gce.project}/global/firewalls`]),
    );
    assert.equal(calls.length, report.listCalls);
    const sweep = sandbox.runtime.reconciler.lastSweep();
    const answer = await eventually(
      () => read(exposure.id),
      (e) => e.firewall.verifiedAt === sweep?.completedAt,
      { what: 'verifiedAt of the last sweep' },
    );
    assert.equal(answer.firewall.state, 'UpToDate');
  });
});
