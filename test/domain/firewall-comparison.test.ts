import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type FirewallField,
  firewallDifferences,
  firewallNeedsUpdate,
  type RepairAction,
  repairAction,
} from '../../src/domain/firewall-comparison.ts';
import type { FirewallRuleSpec, ObservedFirewallRule } from '../../src/domain/firewall-rule.ts';
import { observedFirewallRule, widerFirewallRuleSpec } from '../builders/firewall-rule.ts';

const desired = widerFirewallRuleSpec;

function observed(overrides: Partial<ObservedFirewallRule> = {}): ObservedFirewallRule {
  return observedFirewallRule(desired(), overrides);
}

interface Case {
  name: string;
  desired?: Partial<FirewallRuleSpec>;
  observed?: Partial<ObservedFirewallRule>;
  differences: FirewallField[];
  action: RepairAction;
}

const cases: Case[] = [
  { name: 'an identical rule', differences: [], action: 'none' },
  {
    name: 'server-assigned fields are not compared',
    observed: { id: '987', selfLink: 'elsewhere', creationTimestamp: 'later' },
    differences: [],
    action: 'none',
  },
  {
    name: 'an edited description',
    observed: { description: 'mine now' },
    differences: ['description'],
    action: 'patch',
  },
  {
    name: 'another network',
    observed: { network: 'projects/p/global/networks/other' },
    differences: ['network'],
    action: 'recreate',
  },
  { name: 'another priority', observed: { priority: 65534 }, differences: ['priority'], action: 'patch' },
  {
    name: 'turned into an EGRESS rule',
    observed: { direction: 'EGRESS' },
    differences: ['direction'],
    action: 'recreate',
  },
  {
    name: 'source ranges in another order',
    observed: { sourceRanges: ['203.0.113.0/24', '10.0.0.0/8'] },
    differences: [],
    action: 'none',
  },
  {
    name: 'a source range added by hand',
    observed: { sourceRanges: ['10.0.0.0/8', '203.0.113.0/24', '0.0.0.0/0'] },
    differences: ['sourceRanges'],
    action: 'patch',
  },
  {
    name: 'a source range removed by hand',
    observed: { sourceRanges: ['10.0.0.0/8'] },
    differences: ['sourceRanges'],
    action: 'patch',
  },
  {
    name: 'a source range replaced by one of the same count',
    observed: { sourceRanges: ['10.0.0.0/8', '198.51.100.0/24'] },
    differences: ['sourceRanges'],
    action: 'patch',
  },
  {
    name: 'allowed ports grouped differently and in another order',
    observed: {
      allowed: [
        { protocol: 'udp', ports: ['30053'] },
        { protocol: 'tcp', ports: ['30921'] },
        { protocol: 'tcp', ports: ['30920'] },
      ],
    },
    differences: [],
    action: 'none',
  },
  {
    name: 'allowed protocols in upper case',
    observed: {
      allowed: [
        { protocol: 'TCP', ports: ['30920', '30921'] },
        { protocol: 'UDP', ports: ['30053'] },
      ],
    },
    differences: [],
    action: 'none',
  },
  {
    name: 'an allowed port removed',
    observed: {
      allowed: [
        { protocol: 'tcp', ports: ['30920'] },
        { protocol: 'udp', ports: ['30053'] },
      ],
    },
    differences: ['allowed'],
    action: 'patch',
  },
  {
    name: 'a port moved from udp to tcp',
    observed: { allowed: [{ protocol: 'tcp', ports: ['30920', '30921', '30053'] }] },
    differences: ['allowed'],
    action: 'patch',
  },
  {
    name: 'icmp added by hand',
    observed: {
      allowed: [
        { protocol: 'tcp', ports: ['30920', '30921'] },
        { protocol: 'udp', ports: ['30053'] },
        { protocol: 'icmp', ports: [] },
      ],
    },
    differences: ['allowed'],
    action: 'patch',
  },
  {
    name: 'all tcp ports opened (a protocol without ports)',
    observed: {
      allowed: [
        { protocol: 'tcp', ports: [] },
        { protocol: 'udp', ports: ['30053'] },
      ],
    },
    differences: ['allowed'],
    action: 'patch',
  },
  {
    name: 'a range of ports instead of the single ports',
    observed: {
      allowed: [
        { protocol: 'tcp', ports: ['30920-30921'] },
        { protocol: 'udp', ports: ['30053'] },
      ],
    },
    differences: ['allowed'],
    action: 'patch',
  },
  {
    name: 'target tags in another order',
    observed: { targetTags: ['gke-dev-other', 'gke-dev-pool-node'] },
    differences: [],
    action: 'none',
  },
  {
    name: 'a target tag removed',
    observed: { targetTags: ['gke-dev-pool-node'] },
    differences: ['targetTags'],
    action: 'patch',
  },
  { name: 'disabled by hand', observed: { disabled: true }, differences: ['disabled'], action: 'patch' },
  {
    name: 'tags switched to service accounts in the settings',
    desired: { targetTags: [], targetServiceAccounts: ['nodes@p.iam.gserviceaccount.com'] },
    differences: ['targetTags', 'targetServiceAccounts'],
    action: 'update',
  },
  {
    name: 'service accounts switched to tags in the settings',
    desired: { targetTags: ['gke-dev-pool-node'], targetServiceAccounts: [] },
    observed: { targetTags: [], targetServiceAccounts: ['nodes@p.iam.gserviceaccount.com'] },
    differences: ['targetTags', 'targetServiceAccounts'],
    action: 'update',
  },
  {
    name: 'other service accounts',
    desired: { targetTags: [], targetServiceAccounts: ['a@p.iam.gserviceaccount.com'] },
    observed: { targetTags: [], targetServiceAccounts: ['b@p.iam.gserviceaccount.com'] },
    differences: ['targetServiceAccounts'],
    action: 'patch',
  },
  {
    name: 'many fields at once, in field order',
    observed: {
      description: '',
      priority: 1,
      direction: 'EGRESS',
      sourceRanges: [],
      allowed: [],
      targetTags: [],
      disabled: true,
    },
    differences: [
      'description',
      'priority',
      'direction',
      'sourceRanges',
      'allowed',
      'targetTags',
      'disabled',
    ],
    action: 'recreate',
  },
];

describe('firewallDifferences and repairAction', () => {
  for (const c of cases) {
    test(c.name, () => {
      const want = desired(c.desired);
      const have = observed(c.observed);
      const differences = firewallDifferences(want, have);
      assert.deepEqual(differences, c.differences);
      assert.equal(firewallNeedsUpdate(want, have), c.differences.length > 0);
      assert.equal(repairAction(differences, want, have), c.action);
    });
  }
});
