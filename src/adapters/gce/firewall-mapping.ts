// Between the port's rule types and the compute#firewall messages of @google-cloud/compute.
//
// Reading normalises what GCE answers into the form the domain compares: the network's full URL
// becomes `projects/P/global/networks/N`, lists GCE leaves out become [], protocols are lower
// case. Values outside the port's narrow types (an EGRESS rule, an icmp entry) are passed
// through as observed rather than invented away, so a comparison with the desired rule sees the
// difference.

import type { protos } from '@google-cloud/compute';
import type {
  FirewallAllowed,
  FirewallRuleSpec,
  ObservedFirewallRule,
} from '../../application/ports/firewalls.ts';

type Firewall = protos.google.cloud.compute.v1.IFirewall;
type Allowed = protos.google.cloud.compute.v1.IAllowed;

export function toFirewallResource(rule: FirewallRuleSpec): Firewall {
  return {
    name: rule.name,
    ...toPartialFirewallResource(rule),
  };
}

/**
 * The given fields only. The client serialises messages as proto3 JSON, which leaves empty
 * lists out, so an empty list here would not reach GCE: callers must not rely on it to clear one.
 */
export function toPartialFirewallResource(changes: Partial<Omit<FirewallRuleSpec, 'name'>>): Firewall {
  const resource: Firewall = {};
  if (changes.description !== undefined) resource.description = changes.description;
  if (changes.network !== undefined) resource.network = changes.network;
  if (changes.priority !== undefined) resource.priority = changes.priority;
  if (changes.direction !== undefined) resource.direction = changes.direction;
  if (changes.sourceRanges !== undefined) resource.sourceRanges = [...changes.sourceRanges];
  if (changes.allowed !== undefined) resource.allowed = changes.allowed.map(toAllowed);
  if (changes.targetTags !== undefined) resource.targetTags = [...changes.targetTags];
  if (changes.targetServiceAccounts !== undefined) {
    resource.targetServiceAccounts = [...changes.targetServiceAccounts];
  }
  if (changes.disabled !== undefined) resource.disabled = changes.disabled;
  return resource;
}

function toAllowed(entry: FirewallAllowed): Allowed {
  return { IPProtocol: entry.protocol, ports: [...entry.ports] };
}

export function toObservedRule(firewall: Firewall): ObservedFirewallRule {
  return {
    name: firewall.name ?? '',
    description: firewall.description ?? '',
    network: relativeNetwork(firewall.network ?? ''),
    priority: firewall.priority ?? 1000,
    // Passed through as observed (see the header): an EGRESS rule must compare as different.
    direction: (firewall.direction ?? 'INGRESS') as ObservedFirewallRule['direction'],
    sourceRanges: firewall.sourceRanges ?? [],
    allowed: (firewall.allowed ?? []).map((entry) => ({
      protocol: (entry.IPProtocol ?? '').toLowerCase(),
      ports: entry.ports ?? [],
    })),
    targetTags: firewall.targetTags ?? [],
    targetServiceAccounts: firewall.targetServiceAccounts ?? [],
    disabled: firewall.disabled ?? false,
    sourceTags: firewall.sourceTags ?? [],
    sourceServiceAccounts: firewall.sourceServiceAccounts ?? [],
    destinationRanges: firewall.destinationRanges ?? [],
    denied: (firewall.denied ?? []).map((entry) => ({
      protocol: (entry.IPProtocol ?? '').toLowerCase(),
      ports: entry.ports ?? [],
    })),
    id: String(firewall.id ?? ''),
    selfLink: firewall.selfLink ?? '',
    creationTimestamp: firewall.creationTimestamp ?? '',
  };
}

/** `https://www.googleapis.com/compute/v1/projects/P/global/networks/N` → `projects/P/global/networks/N`. */
export function relativeNetwork(network: string): string {
  const start = network.indexOf('projects/');
  return start >= 0 ? network.slice(start) : network;
}
