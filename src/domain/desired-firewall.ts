// The firewall rules an exposure needs, derived from its spec, its allocated node ports and the
// installation's firewall settings: one rule per IP family present in the source ranges (GCE
// cannot mix families in one rule), allowing exactly the node ports, to the cluster's nodes.
import { parseCidr } from './cidr.ts';
import type { ObservedServicePort } from './cluster-objects.ts';
import type { ExposureId } from './exposure-id.ts';
import { type ExposureRecord, exposedPorts } from './exposure-record.ts';
import { ownershipDescription } from './firewall-ownership.ts';
import type { FirewallAllowed, FirewallRuleSpec } from './firewall-rule.ts';
import { firewallRuleName, type IpFamily } from './naming.ts';

/** Who the rules target: network tags or service accounts of the cluster's nodes, never none. */
export type FirewallTargets =
  | { targetTags: readonly string[] }
  | { targetServiceAccounts: readonly string[] };

export interface FirewallSettings {
  clusterId: string;
  /** Project that holds the network (the host project under shared VPC). */
  project: string;
  network: string;
  priority: number;
  targets: FirewallTargets;
}

export interface ExposureForFirewall {
  id: ExposureId;
  namespace: string;
  name: string;
  sourceRanges: readonly string[];
  ports: readonly Pick<ObservedServicePort, 'nodePort' | 'protocol'>[];
}

export function networkPath(settings: Pick<FirewallSettings, 'project' | 'network'>): string {
  return `projects/${settings.project}/global/networks/${settings.network}`;
}

export function desiredFirewallRules(
  exposure: ExposureForFirewall,
  settings: FirewallSettings,
): FirewallRuleSpec[] {
  const rangesByFamily = new Map<IpFamily, string[]>();
  for (const range of exposure.sourceRanges) {
    const parsed = parseCidr(range);
    if (!parsed.ok) continue; // accepted specs hold only valid ranges
    const list = rangesByFamily.get(parsed.cidr.family) ?? [];
    list.push(parsed.cidr.text);
    rangesByFamily.set(parsed.cidr.family, list);
  }
  const allowed = allowedNodePorts(exposure.ports);
  const description = ownershipDescription({
    exposureId: exposure.id,
    clusterId: settings.clusterId,
    service: `${exposure.namespace}/${exposure.name}`,
  });
  const targetTags = 'targetTags' in settings.targets ? [...settings.targets.targetTags] : [];
  const targetServiceAccounts =
    'targetServiceAccounts' in settings.targets ? [...settings.targets.targetServiceAccounts] : [];
  if (targetTags.length === 0 && targetServiceAccounts.length === 0) {
    // Configuration validation refuses this; the domain refuses it again because the
    // consequence (ports opened on every VM of the network) is too severe to rely on one check.
    throw new Error('firewall targets must not be empty');
  }
  return (['IPv4', 'IPv6'] as const).flatMap((family) => {
    const sourceRanges = rangesByFamily.get(family);
    if (!sourceRanges || sourceRanges.length === 0) return [];
    return [
      {
        name: firewallRuleName(settings.clusterId, exposure.id, family),
        description,
        network: networkPath(settings),
        priority: settings.priority,
        direction: 'INGRESS' as const,
        sourceRanges: [...sourceRanges].sort(),
        allowed,
        targetTags,
        targetServiceAccounts,
        disabled: false,
      },
    ];
  });
}

/**
 * The rules an exposure record needs: its accepted source ranges, and only the node ports of the
 * Service that the spec asked for (a port added to the Service by hand is never opened).
 */
export function recordFirewallRules(
  record: Pick<ExposureRecord, 'id' | 'spec' | 'service'>,
  settings: FirewallSettings,
): FirewallRuleSpec[] {
  return desiredFirewallRules(
    {
      id: record.id,
      namespace: record.spec.namespace,
      name: record.spec.name,
      sourceRanges: record.spec.sourceRanges,
      ports: exposedPorts(record),
    },
    settings,
  );
}

/** Node ports grouped by protocol, numerically sorted: `[{tcp, ["30920","30921"]}, {udp, [...]}]`. */
export function allowedNodePorts(
  ports: readonly Pick<ObservedServicePort, 'nodePort' | 'protocol'>[],
): FirewallAllowed[] {
  const byProtocol = new Map<'tcp' | 'udp', Set<number>>();
  for (const port of ports) {
    const protocol = port.protocol === 'UDP' ? 'udp' : 'tcp';
    const set = byProtocol.get(protocol) ?? new Set<number>();
    set.add(port.nodePort);
    byProtocol.set(protocol, set);
  }
  return (['tcp', 'udp'] as const).flatMap((protocol) => {
    const set = byProtocol.get(protocol);
    if (!set) return [];
    return [{ protocol, ports: [...set].sort((a, b) => a - b).map(String) }];
  });
}

export function ipFamilyOfRuleName(name: string): IpFamily {
  return name.endsWith('-v6') ? 'IPv6' : 'IPv4';
}
