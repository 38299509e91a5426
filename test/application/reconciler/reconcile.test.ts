// The reconcile function on its own: one request in, the world driven one step towards the desired
// state, and the next step out as a value. The cluster is the in-memory one; GCE is the Compute
// emulator behind the real adapter.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Firewalls } from '../../../src/application/ports/firewalls.ts';
import { newExposureId } from '../../../src/domain/exposure-id.ts';
import { ownershipDescription } from '../../../src/domain/firewall-ownership.ts';
import type { FirewallRuleSpec } from '../../../src/domain/firewall-rule.ts';
import { FIREWALL_FINALIZER, firewallRuleName } from '../../../src/domain/naming.ts';
import { firewallRuleSpec } from '../../builders/firewall-rule.ts';
import {
  CLUSTER_ID,
  createExposure,
  delivered,
  eventReasons,
  type Harness,
  nodePortOf,
  reconciledExposure,
  startHarness,
  statusOf,
} from './harness.ts';

describe('reconcile', () => {
  let harness: Harness;
  before(async () => {
    harness = await startHarness();
  });
  after(() => harness.close());

  function project(): string {
    return harness.gce.firewalls.project;
  }

  /** The API calls made to the emulator since the last clearRequests, as `METHOD rule-or-list`. */
  function gceCalls(): string[] {
    return harness.gce.emulator.requests().map((r) => `${r.method} ${r.path.split('/').pop()}`);
  }

  test('creates the rule of a new exposure, records UpToDate and announces it', async () => {
    const exposure = await createExposure(harness, 'created');
    const result = await harness.reconcile({ kind: 'service', ref: exposure.ref });
    assert.deepEqual(result, { kind: 'done' });
    const rule = await harness.gce.firewalls.get(exposure.rule);
    assert.ok(rule, 'the rule exists');
    assert.deepEqual(
      {
        network: rule.network,
        direction: rule.direction,
        sourceRanges: rule.sourceRanges,
        allowed: rule.allowed,
        targetTags: rule.targetTags,
        description: JSON.parse(rule.description),
      },
      {
        network: `projects/${project()}/global/networks/default`,
        direction: 'INGRESS',
        sourceRanges: ['203.0.113.0/24'],
        allowed: [{ protocol: 'tcp', ports: [String(await nodePortOf(harness, exposure.ref))] }],
        targetTags: ['test-node'],
        description: {
          'kubernetes.io/service-name': 'search/created',
          'exposure-api.io/exposure-id': exposure.id,
          'exposure-api.io/cluster-id': CLUSTER_ID,
        },
      },
    );
    const status = await statusOf(harness, exposure.ref);
    assert.equal(status?.state, 'UpToDate');
    assert.equal(status?.condition.reason, 'UpToDate');
    assert.deepEqual(status?.rules, [exposure.rule]);
    assert.deepEqual(eventReasons(harness, exposure.ref), ['FirewallCreated']);
  });

  test('leaves an exposure that is up to date alone: reads only, no event, no status write', async () => {
    const exposure = await reconciledExposure(harness, 'unchanged');
    const before = await harness.cluster.readService(exposure.ref);
    harness.gce.emulator.clearRequests();
    const result = await harness.reconcile({ kind: 'service', ref: exposure.ref });
    assert.deepEqual(result, { kind: 'done' });
    assert.deepEqual(gceCalls(), [`GET ${exposure.rule}`]);
    const afterwards = await harness.cluster.readService(exposure.ref);
    assert.equal(afterwards?.resourceVersion, before?.resourceVersion, 'the status was not written again');
    assert.deepEqual(eventReasons(harness, exposure.ref), ['FirewallCreated']);
  });

  test('repairs a rule deleted out of band', async () => {
    const exposure = await reconciledExposure(harness, 'deleted-by-hand');
    await harness.gce.firewalls.delete(exposure.rule);
    const result = await harness.reconcile({ kind: 'service', ref: exposure.ref });
    assert.deepEqual(result, { kind: 'done' });
    assert.deepEqual((await harness.gce.firewalls.get(exposure.rule))?.sourceRanges, ['203.0.113.0/24']);
    assert.deepEqual(eventReasons(harness, exposure.ref), ['FirewallCreated', 'FirewallRepaired']);
    assert.equal((await statusOf(harness, exposure.ref))?.state, 'UpToDate');
  });

  test('narrows a rule widened out of band with a patch of what differs', async () => {
    const exposure = await reconciledExposure(harness, 'widened-by-hand');
    await harness.gce.firewalls.patch(exposure.rule, { sourceRanges: ['203.0.113.0/24', '0.0.0.0/0'] });
    harness.gce.emulator.clearRequests();
    const result = await harness.reconcile({ kind: 'service', ref: exposure.ref });
    assert.deepEqual(result, { kind: 'done' });
    assert.deepEqual((await harness.gce.firewalls.get(exposure.rule))?.sourceRanges, ['203.0.113.0/24']);
    assert.ok(gceCalls().includes(`PATCH ${exposure.rule}`), gceCalls().join(', '));
    assert.deepEqual(eventReasons(harness, exposure.ref), ['FirewallCreated', 'FirewallRepaired']);
  });

  test('closes the port of a spec that breaks a tightened policy, and asks a person', async () => {
    const exposure = await reconciledExposure(harness, 'outside-policy');
    assert.ok(await harness.gce.firewalls.get(exposure.rule), 'open under the first policy');
    const tightened = harness.reconcileWith({
      ...harness.settings,
      spec: {
        ...harness.settings.spec,
        sourceRanges: { ...harness.settings.spec.sourceRanges, allowedSupernets: ['10.0.0.0/8'] },
      },
    });
    const result = await tightened({ kind: 'service', ref: exposure.ref });
    assert.deepEqual(result, { kind: 'needsPerson', recheckAfterMs: harness.settings.needsPersonRecheckMs });
    assert.equal(await harness.gce.firewalls.get(exposure.rule), undefined, 'the rule is deleted');
    const status = await statusOf(harness, exposure.ref);
    assert.equal(status?.state, 'Failed');
    assert.equal(status?.condition.reason, 'PolicyViolation');
    assert.match(status?.condition.message ?? '', /203\.0\.113\.0\/24/);
    assert.match(status?.condition.message ?? '', new RegExp(`PATCH /exposures/${exposure.id}`));
    assert.deepEqual(status?.rules, []);
    assert.deepEqual(eventReasons(harness, exposure.ref), ['FirewallCreated', 'PolicyViolation']);
  });

  test('finalizes a deleted exposure: its rules go first, then the finalizer, then the Service', async () => {
    const exposure = await createExposure(harness, 'finalized');
    await harness.reconcile({ kind: 'service', ref: exposure.ref });
    const deletion = await harness.cluster.deleteService(exposure.ref);
    assert.equal(deletion.outcome, 'terminating', 'the finalizer holds the Service');
    await delivered();
    // Each delete of a rule checks that the Service still holds the finalizer at that moment.
    const heldAtDelete: boolean[] = [];
    const gce = harness.gce.firewalls;
    const watching: Firewalls = {
      project: gce.project,
      get: (name) => gce.get(name),
      listPage: (options) => gce.listPage(options),
      insert: (rule) => gce.insert(rule),
      patch: (name, changes) => gce.patch(name, changes),
      update: (rule) => gce.update(rule),
      delete: async (name) => {
        const service = await harness.cluster.readService(exposure.ref);
        heldAtDelete.push(service?.finalizers.includes(FIREWALL_FINALIZER) ?? false);
        return gce.delete(name);
      },
    };
    const result = await harness.reconcileWith(
      harness.settings,
      watching,
    )({ kind: 'service', ref: exposure.ref });
    assert.deepEqual(result, { kind: 'done' });
    assert.deepEqual(heldAtDelete, [true], 'the rule was deleted while the finalizer still held the Service');
    assert.equal(await gce.get(exposure.rule), undefined);
    assert.equal(await harness.cluster.readService(exposure.ref), undefined, 'the Service is gone');
  });

  test('expires an exposure: looked at again just after its expiry, then deleted, rules first', async () => {
    const expiresAt = new Date(harness.clock.now() + 60_000).toISOString();
    const exposure = await createExposure(harness, 'expiring', { expiresAt });
    const first = await harness.reconcile({ kind: 'service', ref: exposure.ref });
    assert.deepEqual(first, { kind: 'requeueAfter', afterMs: 60_010 });
    assert.ok(await harness.gce.firewalls.get(exposure.rule), 'open until it expires');
    await delivered();
    harness.clock.advance(60_000);
    const second = await harness.reconcile({ kind: 'service', ref: exposure.ref });
    assert.deepEqual(second, { kind: 'done' });
    assert.equal(await harness.gce.firewalls.get(exposure.rule), undefined, 'the rule is deleted');
    assert.equal(await harness.cluster.readService(exposure.ref), undefined, 'the Service is deleted');
    assert.deepEqual(eventReasons(harness, exposure.ref), ['FirewallCreated', 'Expired']);
  });

  test('collects the rule of an exposure whose Service is gone, and only that', async () => {
    const orphanId = newExposureId();
    const orphan = firewallRuleName(CLUSTER_ID, orphanId, 'IPv4');
    await harness.gce.firewalls.insert(
      handMadeRule(
        orphan,
        ownershipDescription({ exposureId: orphanId, clusterId: CLUSTER_ID, service: 'search/gone' }),
      ),
    );
    const live = await createExposure(harness, 'still-here');
    await harness.reconcile({ kind: 'service', ref: live.ref });

    assert.deepEqual(await harness.reconcile({ kind: 'collect', exposureId: orphanId }), { kind: 'done' });
    assert.equal(await harness.gce.firewalls.get(orphan), undefined, 'the orphan is collected');

    assert.deepEqual(await harness.reconcile({ kind: 'collect', exposureId: live.id }), { kind: 'done' });
    assert.ok(await harness.gce.firewalls.get(live.rule), 'the rule of a live exposure stays');
  });

  test('never adopts a rule of its name that another owner made: Failed, RuleNameTaken, with the gcloud command', async () => {
    const exposure = await createExposure(harness, 'name-taken');
    const foreign = handMadeRule(exposure.rule, 'made by hand for something else');
    await harness.gce.firewalls.insert(foreign);
    const before = await harness.gce.firewalls.get(exposure.rule);

    const result = await harness.reconcile({ kind: 'service', ref: exposure.ref });
    assert.deepEqual(result, { kind: 'needsPerson', recheckAfterMs: harness.settings.needsPersonRecheckMs });
    const status = await statusOf(harness, exposure.ref);
    assert.equal(status?.state, 'Failed');
    assert.equal(status?.condition.status, 'False');
    assert.equal(status?.condition.reason, 'RuleNameTaken');
    assert.ok(
      status?.condition.message.includes(
        `gcloud compute firewall-rules delete ${exposure.rule} --project=${project()}`,
      ),
      status?.condition.message,
    );
    assert.deepEqual(await harness.gce.firewalls.get(exposure.rule), before, 'the foreign rule is untouched');
    assert.deepEqual(eventReasons(harness, exposure.ref), ['FirewallFailed']);
  });

  function handMadeRule(name: string, description: string): FirewallRuleSpec {
    return firewallRuleSpec({
      name,
      description,
      network: `projects/${project()}/global/networks/default`,
      priority: 1000,
      sourceRanges: ['198.51.100.0/24'],
      allowed: [{ protocol: 'tcp', ports: ['31999'] }],
      targetTags: ['test-node'],
    });
  }
});
