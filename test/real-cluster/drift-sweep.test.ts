// The drift sweep against a real kube-apiserver (and etcd), the service running as its own process
// with the chart's RBAC and the Compute emulator for GCE; the out-of-band changes are made by hand
// with the real gcloud CLI, as an operator would. A rule deleted, or widened to 0.0.0.0/0, is back
// as its spec says within two sweep intervals; in between, GET says so in plain words; afterwards
// the answer says Repaired, the status record on the Service keeps the drift and the repair, and
// the Service carries FirewallDrifted and FirewallRepaired events.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import { after, before, describe, type TestContext, test } from 'node:test';
import { type ComputeEmulator, startComputeEmulator } from '@exposure-api/compute-emulator';
import { parseFirewallStatus } from '../../src/domain/firewall-status.ts';
import { FIREWALL_STATUS_ANNOTATION } from '../../src/domain/naming.ts';
import type { Condition, Exposure } from '../../src/schemas/exposure.ts';
import type { ServiceEventList } from '../../src/schemas/service-events.ts';
import { eventually } from '../support/eventually.ts';
import { type Gcloud, gcloudFor, gcloudInstalled } from '../support/gcloud.ts';
import {
  api,
  type ControlPlane,
  controlPlaneSkipReason,
  grantServiceIdentity,
  kubernetesAdmin,
  LEASE_NAMESPACE,
  type ServiceProcess,
  type ServiceProcessFactory,
  serviceProcesses,
  startControlPlane,
} from './fixture/index.ts';

/** The sweep interval under test (`reconciler.driftCheckSeconds`); repairs must land within two. */
const DRIFT_CHECK_SECONDS = 2;
/**
 * Every GCE write waits this long in the emulator while a change is under way (the gcloud edit
 * and the repair alike), so that the answer between detection and repair can be read without a
 * race. Reads are not held: the sweep's list and its confirming GET go at full speed.
 */
const WRITE_HOLD_MS = 500;
const WRITES = ['POST', 'PATCH', 'PUT', 'DELETE'];
const PROJECT = 'drift-project';
const NODE = { name: 'drift-node-1', ip: '127.67.0.1' };
const NAMESPACE = 'search';

const skip =
  (await controlPlaneSkipReason()) || ((await gcloudInstalled()) ? false : 'gcloud is not on PATH');

type Rule = Record<string, unknown> & { name: string; sourceRanges?: string[] };

describe('drift sweep on a real kube-apiserver, rules changed with gcloud', { skip }, () => {
  let controlPlane: ControlPlane;
  let emulator: ComputeEmulator;
  let processes: ServiceProcessFactory;
  let service: ServiceProcess;
  let gcloud: Gcloud;
  const kubeProxies: http.Server[] = [];

  before(async () => {
    controlPlane = await startControlPlane();
    await grantServiceIdentity(controlPlane);
    const admin = kubernetesAdmin(controlPlane);
    await admin.createNamespace(NAMESPACE);
    await admin.createNamespace(LEASE_NAMESPACE);
    await admin.setNode({
      name: NODE.name,
      ready: true,
      addresses: [{ type: 'InternalIP', address: NODE.ip }],
    });
    emulator = await startComputeEmulator();
    gcloud = await gcloudFor(emulator.computeEndpoint, PROJECT);
    processes = await serviceProcesses({
      kubeconfig: controlPlane.kubeconfigPath('service'),
      emulatorUrl: emulator.url,
      project: PROJECT,
      clusterId: 'drift',
      extra: {
        reconciler: { backoffInitialMs: 100, backoffMaxMs: 2000, driftCheckSeconds: DRIFT_CHECK_SECONDS },
      },
    });
    service = await processes.start();
  });
  after(async () => {
    emulator?.setFaults(undefined);
    await processes?.close();
    for (const server of kubeProxies) server.close();
    await gcloud?.close();
    await emulator?.close();
    await controlPlane?.stop();
  });

  /** An exposure with one ready pod behind a node port that answers (so it is Ready), in place. */
  async function readyExposure(name: string, nodePort: number): Promise<Exposure> {
    const proxy = http.createServer((_request, response) => response.end(name));
    proxy.listen(nodePort, NODE.ip);
    await once(proxy, 'listening');
    kubeProxies.push(proxy);
    const created = await api(service, 'POST', '/exposures', {
      namespace: NAMESPACE,
      name,
      selector: { app: name },
      ports: [{ name: 'http', port: 9200, nodePort }],
      sourceRanges: ['203.0.113.0/24'],
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    await kubernetesAdmin(controlPlane).setServiceEndpoints({ namespace: NAMESPACE, name }, [
      { nodeName: NODE.name, ready: true, addresses: ['10.244.1.10'] },
    ]);
    return eventually(
      () => read((created.body as Exposure).id, '?refresh=true'),
      (exposure) => exposure.status.phase === 'Ready' && exposure.firewall.state === 'UpToDate',
      { what: `${name} Ready`, timeoutMs: 30_000 },
    );
  }

  async function read(id: string, query = ''): Promise<Exposure> {
    const answer = await api(service, 'GET', `/exposures/${id}${query}`);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    return answer.body as Exposure;
  }

  const firewallCondition = (exposure: Exposure): Condition | undefined =>
    exposure.status.conditions.find((c) => c.type === 'FirewallReady');

  const ruleNamed = (name: string): Rule | undefined =>
    emulator.rules(PROJECT).find((rule) => rule.name === name) as Rule | undefined;

  /**
   * Makes the change with gcloud while GCE writes are held, and times it from the emulator's side:
   * from the moment the rule stops being `inPlace` to the moment it is again. Meanwhile GET is read
   * until it shows the drift (the answer between detection and repair).
   */
  async function changeOutOfBand(
    id: string,
    rule: string,
    inPlace: (rule: Rule | undefined) => boolean,
    ...command: string[]
  ): Promise<{ repairSeconds: number; during: Exposure }> {
    let changedAt: number | undefined;
    let restoredAt: number | undefined;
    const sampler = setInterval(() => {
      const now = performance.now();
      const ok = inPlace(ruleNamed(rule));
      if (!ok && changedAt === undefined) changedAt = now;
      if (ok && changedAt !== undefined && restoredAt === undefined) restoredAt = now;
    }, 5);
    emulator.setFaults({ latencyMs: WRITE_HOLD_MS, methods: WRITES });
    try {
      // GET is read from before gcloud starts: gcloud exits only after its operation is done, and a
      // sweep that comes right after the change can have repaired the rule by then.
      const drifted = eventually(
        () => read(id),
        (exposure) =>
          exposure.firewall.state === 'Drifted' || firewallCondition(exposure)?.reason === 'Repaired',
        { what: 'the drift in GET', timeoutMs: 4 * DRIFT_CHECK_SECONDS * 1000 + 20_000, intervalMs: 20 },
      );
      // Awaited below; if gcloud fails first, that failure is the one reported.
      drifted.catch(() => {});
      const changed = await gcloud.run(...command);
      assert.equal(changed.code, 0, changed.stderr);
      const during = await drifted;
      await eventually(
        () => restoredAt,
        (at) => at !== undefined,
        { what: 'the rule as its spec says again', timeoutMs: 20_000, intervalMs: 10 },
      );
      return { repairSeconds: ((restoredAt ?? 0) - (changedAt ?? 0)) / 1000, during };
    } finally {
      clearInterval(sampler);
      emulator.setFaults(undefined);
    }
  }

  /** GET between detection and repair: Drifted, Degraded, and the condition says why in plain words. */
  function assertShowsDrift(during: Exposure, message: string): void {
    assert.equal(during.firewall.state, 'Drifted', 'GET showed the drift before the repair');
    assert.equal(during.status.phase, 'Degraded');
    assert.deepEqual(
      {
        status: firewallCondition(during)?.status,
        reason: firewallCondition(during)?.reason,
        message: firewallCondition(during)?.message,
      },
      { status: 'False', reason: 'Drifted', message },
    );
  }

  /** The answer once repaired: Repaired and Ready, with a transition time later than the drift's. */
  async function repairedSince(id: string, during: Exposure): Promise<Exposure> {
    const repaired = await eventually(
      () => read(id, '?refresh=true'),
      (answer) => firewallCondition(answer)?.reason === 'Repaired' && answer.status.phase === 'Ready',
      { what: 'Repaired and Ready', timeoutMs: 15_000 },
    );
    assert.equal(firewallCondition(repaired)?.status, 'True');
    assert.ok(
      Date.parse(firewallCondition(repaired)?.lastTransitionTime ?? '') >
        Date.parse(firewallCondition(during)?.lastTransitionTime ?? ''),
      'a fresh transition time',
    );
    return repaired;
  }

  async function statusRecord(name: string) {
    const response = await controlPlane.request('GET', `/api/v1/namespaces/${NAMESPACE}/services/${name}`);
    assert.equal(response.status, 200);
    const annotations = (response.body as { metadata: { annotations?: Record<string, string> } }).metadata
      .annotations;
    return parseFirewallStatus(annotations?.[FIREWALL_STATUS_ANNOTATION]);
  }

  async function eventsOf(name: string, reason: string): Promise<string[]> {
    const events = await eventually(
      () => kubernetesAdmin(controlPlane).events({ namespace: NAMESPACE, name }),
      (found) => found.some((event) => event.reason === reason),
      { what: `a ${reason} event on ${name}`, timeoutMs: 10_000 },
    );
    return events
      .filter((event) => event.reason === reason)
      .map((event) => `${event.type}: ${event.message}`);
  }

  function report(t: TestContext, what: string, seconds: number): void {
    t.diagnostic(
      `${what} after ${seconds.toFixed(2)} s (sweep every ${DRIFT_CHECK_SECONDS} s; GCE writes held ${WRITE_HOLD_MS} ms each)`,
    );
  }

  test(`gcloud firewall-rules delete: the rule is back within 2 × ${DRIFT_CHECK_SECONDS} s, told as Drifted, then Repaired`, async (t) => {
    const exposure = await readyExposure('deleted-by-hand', 30921);
    const rule = exposure.firewall.rules[0]?.name ?? assert.fail('no rule');
    const before = firewallCondition(exposure);

    const { repairSeconds, during } = await changeOutOfBand(
      exposure.id,
      rule,
      (observed) => observed !== undefined,
      'compute',
      'firewall-rules',
      'delete',
      rule,
    );
    report(t, 'deleted rule back', repairSeconds);
    assert.ok(repairSeconds <= 2 * DRIFT_CHECK_SECONDS, `back after ${repairSeconds} s`);

    assertShowsDrift(during, `firewall rule ${rule}: deleted out of band; repairing`);
    assert.ok(!during.firewall.verifiedAt, 'a drifted rule is not vouched for');

    const repaired = await repairedSince(exposure.id, during);
    assert.ok(
      Date.parse(firewallCondition(during)?.lastTransitionTime ?? '') >
        Date.parse(before?.lastTransitionTime ?? ''),
    );
    assert.equal(
      firewallCondition(repaired)?.message,
      `firewall rule ${rule} repaired (deleted out of band); firewall rule ${rule} now allows tcp:30921 from 203.0.113.0/24`,
    );
    assert.ok(repaired.firewall.verifiedAt, 'verifiedAt shown once repaired');
    assert.deepEqual(ruleNamed(rule)?.sourceRanges, ['203.0.113.0/24']);

    const record = await statusRecord('deleted-by-hand');
    assert.deepEqual(
      {
        drift: record?.lastDrift?.kind,
        driftRule: record?.lastDrift?.rule,
        repair: record?.lastRepair?.kind,
      },
      { drift: 'deleted', driftRule: rule, repair: 'deleted' },
    );
    assert.ok(Date.parse(record?.lastRepair?.at ?? '') >= Date.parse(record?.lastDrift?.at ?? ''));
    assert.deepEqual(repaired.firewall.lastDrift, record?.lastDrift);
    assert.deepEqual(repaired.firewall.lastRepair, record?.lastRepair);

    assert.deepEqual(await eventsOf('deleted-by-hand', 'FirewallDrifted'), [
      `Warning: firewall rule ${rule}: deleted out of band; repairing`,
    ]);
    const repairedEvents = await eventsOf('deleted-by-hand', 'FirewallRepaired');
    assert.equal(repairedEvents.length, 1, repairedEvents.join('\n'));
    assert.ok(
      repairedEvents[0]?.startsWith(`Warning: firewall rule ${rule}: deleted out of band; restored it`),
      repairedEvents.join('\n'),
    );
  });

  test(`gcloud firewall-rules update --source-ranges=0.0.0.0/0: narrowed again within 2 × ${DRIFT_CHECK_SECONDS} s`, async (t) => {
    const exposure = await readyExposure('widened-by-hand', 30922);
    const rule = exposure.firewall.rules[0]?.name ?? assert.fail('no rule');

    const { repairSeconds, during } = await changeOutOfBand(
      exposure.id,
      rule,
      (observed) => JSON.stringify(observed?.sourceRanges) === JSON.stringify(['203.0.113.0/24']),
      'compute',
      'firewall-rules',
      'update',
      rule,
      '--source-ranges=0.0.0.0/0',
    );
    report(t, 'widened rule narrowed again', repairSeconds);
    assert.ok(repairSeconds <= 2 * DRIFT_CHECK_SECONDS, `narrowed after ${repairSeconds} s`);

    assertShowsDrift(
      during,
      `firewall rule ${rule}: source ranges widened out of band to 0.0.0.0/0; repairing`,
    );
    assert.deepEqual(
      during.firewall.lastDrift && {
        kind: during.firewall.lastDrift.kind,
        message: during.firewall.lastDrift.message,
      },
      { kind: 'widened', message: 'source ranges widened out of band to 0.0.0.0/0' },
    );

    const repaired = await repairedSince(exposure.id, during);
    assert.equal(repaired.firewall.lastRepair?.kind, 'widened');

    const record = await statusRecord('widened-by-hand');
    assert.deepEqual(
      { drift: record?.lastDrift?.kind, repair: record?.lastRepair?.kind, rule: record?.lastRepair?.rule },
      { drift: 'widened', repair: 'widened', rule },
    );

    assert.deepEqual(await eventsOf('widened-by-hand', 'FirewallDrifted'), [
      `Warning: firewall rule ${rule}: source ranges widened out of band to 0.0.0.0/0; repairing before other work`,
    ]);
    const repairedEvents = await eventsOf('widened-by-hand', 'FirewallRepaired');
    assert.equal(repairedEvents.length, 1, repairedEvents.join('\n'));
    assert.match(
      repairedEvents[0] ?? '',
      new RegExp(`^Warning: firewall rule ${rule}: source ranges widened`),
    );

    // The same events through the API, from the service's own events cache, newest first.
    const listed = await eventually(
      () => api(service, 'GET', `/exposures/${exposure.id}/events`),
      (response) =>
        (response.body as ServiceEventList).items?.some((event) => event.reason === 'FirewallRepaired') ===
        true,
      { what: 'the repair in GET /exposures/{id}/events', timeoutMs: 10_000 },
    );
    const reasons = (listed.body as ServiceEventList).items.map((event) => event.reason);
    assert.ok(reasons.indexOf('FirewallRepaired') < reasons.indexOf('FirewallDrifted'), reasons.join(', '));
    assert.ok(reasons.includes('FirewallCreated'), reasons.join(', '));
  });
});
