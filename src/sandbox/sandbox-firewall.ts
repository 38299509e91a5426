// What the GCE firewall does to a connection that reaches a sandbox node, decided from the rules
// the Compute emulator holds at that moment: deleting the rule closes the port, widening it opens
// it, as in GCE. Rules are evaluated as GCE evaluates ingress: of the enabled INGRESS rules of the
// network that apply to the node, to the protocol and port and to the client's address, the one
// of highest priority (lowest number) decides, a deny winning over an allow of equal priority;
// when none applies, GCE's implied rule denies. Who the client is comes from loopback-clients.ts.
//
// Traffic from inside the cluster's network is admitted before any rule, as GKE's own cluster
// rules admit traffic between the VPC's machines: the service's probes come from there (in a real
// cluster they are not subject to an exposure's source ranges either).
import type { protos } from '@google-cloud/compute';
import ipaddr from 'ipaddr.js';
import { parseIPv4, publicAddressOf } from './loopback-clients.ts';

type Firewall = protos.google.cloud.compute.v1.IFirewall;
type ProtocolPorts = protos.google.cloud.compute.v1.IAllowed;

export interface IngressDecision {
  admitted: boolean;
  /** Why, for the log: the rule that decided, or why none did. */
  reason: string;
}

/** Decides whether a TCP connection from `clientAddress` to a node's `nodePort` gets through. */
export interface IngressFirewall {
  admit(clientAddress: string, nodePort: number): IngressDecision;
}

export interface EmulatedFirewallOptions {
  /** The project's rules as the Compute API answers them (the emulator's `rules(project)`). */
  rules: () => readonly Record<string, unknown>[];
  project: string;
  network: string;
  /** What the nodes are, for a rule's targets: their network tags and service accounts. */
  nodeTags: readonly string[];
  nodeServiceAccounts: readonly string[];
  /** The cluster's own network (CIDR), admitted whatever the rules say. */
  clusterNetwork: string;
}

interface Verdict {
  action: 'allow' | 'deny';
  priority: number;
  rule: string;
}

export class EmulatedFirewall implements IngressFirewall {
  readonly #options: EmulatedFirewallOptions;
  readonly #clusterNetwork: [ipaddr.IPv4, number];
  readonly #networkPath: string;

  constructor(options: EmulatedFirewallOptions) {
    this.#options = options;
    this.#clusterNetwork = ipaddr.IPv4.parseCIDR(options.clusterNetwork);
    this.#networkPath = `projects/${options.project}/global/networks/${options.network}`;
  }

  admit(clientAddress: string, nodePort: number): IngressDecision {
    if (parseIPv4(clientAddress)?.match(this.#clusterNetwork)) {
      return {
        admitted: true,
        reason: `${clientAddress} is inside the cluster network ${this.#options.clusterNetwork}`,
      };
    }
    const source = publicAddressOf(clientAddress);
    const client = source
      ? `${source.toString()} (${clientAddress})`
      : `an internet client (${clientAddress})`;
    let deciding: Verdict | undefined;
    // The emulator answers the Compute API's JSON, which is what the client library's IFirewall describes.
    for (const rule of this.#options.rules() as readonly Firewall[]) {
      const verdict = this.#verdict(rule, nodePort, source);
      if (verdict && (!deciding || outranks(verdict, deciding))) deciding = verdict;
    }
    if (!deciding) {
      return {
        admitted: false,
        reason: `no rule allows ${client} to tcp:${nodePort} (GCE's implied rule denies ingress)`,
      };
    }
    return {
      admitted: deciding.action === 'allow',
      reason: `${deciding.action === 'allow' ? 'allowed' : 'denied'} ${client} to tcp:${nodePort} by rule ${deciding.rule}`,
    };
  }

  #verdict(rule: Firewall, nodePort: number, source: ipaddr.IPv4 | undefined): Verdict | undefined {
    if ((rule.direction ?? 'INGRESS') !== 'INGRESS' || rule.disabled) return undefined;
    if (!(rule.network ?? '').endsWith(this.#networkPath)) return undefined;
    if (!this.#targetsNodes(rule)) return undefined;
    if (!(rule.sourceRanges ?? []).some((range) => rangeHolds(range, source))) return undefined;
    const action = coversPort(rule.denied, nodePort)
      ? 'deny'
      : coversPort(rule.allowed, nodePort)
        ? 'allow'
        : undefined;
    return action && { action, priority: rule.priority ?? 1000, rule: rule.name ?? '' };
  }

  #targetsNodes(rule: Firewall): boolean {
    const tags = rule.targetTags ?? [];
    const accounts = rule.targetServiceAccounts ?? [];
    if (tags.length === 0 && accounts.length === 0) return true;
    return (
      tags.some((tag) => this.#options.nodeTags.includes(tag)) ||
      accounts.some((account) => this.#options.nodeServiceAccounts.includes(account))
    );
  }
}

/** Admits every connection: where the sandbox cannot tell its probes from its clients. */
export const unenforcedFirewall: IngressFirewall = {
  admit: () => ({ admitted: true, reason: 'source ranges are not enforced on a single-address sandbox' }),
};

function outranks(candidate: Verdict, current: Verdict): boolean {
  if (candidate.priority !== current.priority) return candidate.priority < current.priority;
  return candidate.action === 'deny' && current.action === 'allow';
}

/** An unknown internet address lies only in a range that holds every IPv4 address. */
function rangeHolds(range: string, source: ipaddr.IPv4 | undefined): boolean {
  if (!ipaddr.isValidCIDR(range)) return false;
  const [network, prefixLength] = ipaddr.parseCIDR(range);
  if (network.kind() !== 'ipv4') return false;
  return source ? source.match(network, prefixLength) : prefixLength === 0;
}

function coversPort(entries: readonly ProtocolPorts[] | null | undefined, nodePort: number): boolean {
  return (entries ?? []).some((entry) => {
    const protocol = (entry.IPProtocol ?? '').toLowerCase();
    if (protocol !== 'tcp' && protocol !== 'all' && protocol !== '6') return false;
    const ports = entry.ports ?? [];
    return (
      ports.length === 0 ||
      ports.some((port) => {
        const [low = Number.NaN, high = low] = port.split('-').map(Number);
        return nodePort >= low && nodePort <= high;
      })
    );
  });
}
