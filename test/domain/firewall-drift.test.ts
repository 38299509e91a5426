import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { desiredFirewallRules } from '../../src/domain/desired-firewall.ts';
import type { ExposureId } from '../../src/domain/exposure-id.ts';
import type { ExposureRecord } from '../../src/domain/exposure-record.ts';
import { firewallUpToDate } from '../../src/domain/firewall-drift.ts';
import type { FirewallRuleSpec, ObservedFirewallRule } from '../../src/domain/firewall-rule.ts';
import type { FirewallStatusRecord } from '../../src/domain/firewall-status.ts';
import { firewallSettings, observedFirewallRule } from '../builders/firewall-rule.ts';

const id: ExposureId = 'exp_01jd6y8c3k2v7d9q4r5s6t7v8w';
const settings = firewallSettings();
const desired = desiredFirewallRules(
  {
    id,
    namespace: 'search',
    name: 'elasticsearch',
    sourceRanges: ['203.0.113.0/24', '2001:db8::/32'],
    ports: [{ nodePort: 30920, protocol: 'TCP' }],
  },
  settings,
);
const [v4, v6] = desired as [FirewallRuleSpec, FirewallRuleSpec];

const observed = observedFirewallRule;

function status(changes: Partial<FirewallStatusRecord> = {}): FirewallStatusRecord {
  return {
    specHash: 'hash-1',
    generation: 1,
    state: 'UpToDate',
    condition: {
      status: 'True',
      reason: 'UpToDate',
      message: 'in place',
      lastTransitionTime: '2026-11-27T10:00:00Z',
    },
    rules: [v4.name, v6.name],
    everReady: true,
    failures: 0,
    lastAttemptTime: '2026-11-27T10:00:00Z',
    ...changes,
  };
}

function listing(...rules: ObservedFirewallRule[]): Map<string, ObservedFirewallRule> {
  return new Map(rules.map((rule) => [rule.name, rule]));
}

describe('firewallUpToDate', () => {
  const cases: {
    name: string;
    record: Pick<ExposureRecord, 'specHash' | 'firewallStatus'>;
    listed: Map<string, ObservedFirewallRule>;
    upToDate: boolean;
  }[] = [
    {
      name: 'both rules listed and equal, status UpToDate for this spec',
      record: { specHash: 'hash-1', firewallStatus: status() },
      listed: listing(observed(v4), observed(v6)),
      upToDate: true,
    },
    {
      name: 'other rules listed besides do not matter',
      record: { specHash: 'hash-1', firewallStatus: status() },
      listed: listing(observed(v4), observed(v6), observed({ ...v4, name: 'exp-dev-other' })),
      upToDate: true,
    },
    {
      name: 'a rule deleted out of band',
      record: { specHash: 'hash-1', firewallStatus: status() },
      listed: listing(observed(v4)),
      upToDate: false,
    },
    {
      name: 'a rule widened out of band',
      record: { specHash: 'hash-1', firewallStatus: status() },
      listed: listing(observed(v4, { sourceRanges: ['0.0.0.0/0'] }), observed(v6)),
      upToDate: false,
    },
    {
      name: 'a source tag added by hand',
      record: { specHash: 'hash-1', firewallStatus: status() },
      listed: listing(observed(v4, { sourceTags: ['any-vm'] }), observed(v6)),
      upToDate: false,
    },
    {
      name: 'the spec changed since the status was written',
      record: { specHash: 'hash-2', firewallStatus: status() },
      listed: listing(observed(v4), observed(v6)),
      upToDate: false,
    },
    {
      name: 'the last pass failed',
      record: { specHash: 'hash-1', firewallStatus: status({ state: 'Failed' }) },
      listed: listing(observed(v4), observed(v6)),
      upToDate: false,
    },
    {
      name: 'still pending',
      record: { specHash: 'hash-1', firewallStatus: status({ state: 'Pending' }) },
      listed: listing(observed(v4), observed(v6)),
      upToDate: false,
    },
    {
      name: 'no status recorded yet',
      record: { specHash: 'hash-1', firewallStatus: undefined },
      listed: listing(observed(v4), observed(v6)),
      upToDate: false,
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.equal(firewallUpToDate(c.record, desired, c.listed), c.upToDate);
    });
  }

  test('an exposure that wants no rules is up to date on its status alone', () => {
    assert.equal(firewallUpToDate({ specHash: 'hash-1', firewallStatus: status() }, [], new Map()), true);
  });
});
