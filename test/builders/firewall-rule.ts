// A firewall rule as exposure-api wants it, and as GCE returns it with its server-assigned fields.
import type { FirewallSettings } from '../../src/domain/desired-firewall.ts';
import type { FirewallRuleSpec, ObservedFirewallRule } from '../../src/domain/firewall-rule.ts';

/** Cluster "dev" writing to the shared VPC of project host-project, its nodes tagged gke-dev-pool-node. */
export function firewallSettings(overrides: Partial<FirewallSettings> = {}): FirewallSettings {
  return {
    clusterId: 'dev',
    project: 'host-project',
    network: 'shared-vpc',
    priority: 900,
    targets: { targetTags: ['gke-dev-pool-node'] },
    ...overrides,
  };
}

/** Elasticsearch's rule as firewallSettings() make it: tcp:30920 from 203.0.113.0/24 to the dev pool. */
export function firewallRuleSpec(overrides: Partial<FirewallRuleSpec> = {}): FirewallRuleSpec {
  return {
    name: 'exp-dev-01jd6y8c3k2v7d9q4r5s6t7v8w',
    description:
      '{"kubernetes.io/service-name":"search/elasticsearch","exposure-api.io/exposure-id":"exp_01jd6y8c3k2v7d9q4r5s6t7v8w","exposure-api.io/cluster-id":"dev"}',
    network: 'projects/host-project/global/networks/shared-vpc',
    priority: 900,
    direction: 'INGRESS',
    sourceRanges: ['203.0.113.0/24'],
    allowed: [{ protocol: 'tcp', ports: ['30920'] }],
    targetTags: ['gke-dev-pool-node'],
    targetServiceAccounts: [],
    disabled: false,
    ...overrides,
  };
}

/** The rule read back from GCE: the same fields plus its id, selfLink and creation time. */
export function observedFirewallRule(
  rule: FirewallRuleSpec,
  changes: Partial<ObservedFirewallRule> = {},
): ObservedFirewallRule {
  const project = /^projects\/([^/]+)\//.exec(rule.network)?.[1] ?? 'host-project';
  return {
    ...rule,
    id: '123456789',
    selfLink: `https://compute.googleapis.com/compute/v1/projects/${project}/global/firewalls/${rule.name}`,
    creationTimestamp: '2026-11-27T10:00:00.000-08:00',
    ...changes,
  };
}

/** The same rule opened wider: two ranges, two TCP ports and a UDP port, to two node tags. */
export function widerFirewallRuleSpec(overrides: Partial<FirewallRuleSpec> = {}): FirewallRuleSpec {
  return firewallRuleSpec({
    sourceRanges: ['10.0.0.0/8', '203.0.113.0/24'],
    allowed: [
      { protocol: 'tcp', ports: ['30920', '30921'] },
      { protocol: 'udp', ports: ['30053'] },
    ],
    targetTags: ['gke-dev-pool-node', 'gke-dev-other'],
    ...overrides,
  });
}
