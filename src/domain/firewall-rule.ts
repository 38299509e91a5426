// A Compute Engine firewall rule, reduced to the fields exposure-api owns and compares.

export interface FirewallAllowed {
  protocol: 'tcp' | 'udp';
  /** Single ports ("30920") or ranges ("30000-30100"). */
  ports: string[];
}

export interface FirewallRuleSpec {
  name: string;
  /** Ownership JSON (exposure id, cluster id, namespace/name); GCE rules have no labels. */
  description: string;
  /** Relative form `projects/P/global/networks/N`; observed full URLs are normalised to it. */
  network: string;
  priority: number;
  direction: 'INGRESS';
  sourceRanges: string[];
  allowed: FirewallAllowed[];
  /** Exactly one of targetTags / targetServiceAccounts is non-empty (an empty target set
   * would open the ports on every VM of the network). */
  targetTags: string[];
  targetServiceAccounts: string[];
  disabled: boolean;
}

/**
 * A rule as read back from GCE, with the server-assigned fields. Wider than what exposure-api
 * writes: someone may have edited it into an EGRESS rule or added other protocols, and the
 * comparison must see that rather than a made-up INGRESS/tcp.
 */
export interface ObservedFirewallRule extends Omit<FirewallRuleSpec, 'direction' | 'allowed'> {
  direction: 'INGRESS' | 'EGRESS';
  allowed: { protocol: string; ports: string[] }[];
  /**
   * Other ways GCE lets traffic match, which exposure-api never sets: a source tag or service
   * account added by hand admits traffic besides the source ranges, so they must stay empty.
   */
  sourceTags?: string[];
  sourceServiceAccounts?: string[];
  destinationRanges?: string[];
  /** A deny rule's entries (a rule has either `allowed` or `denied`): exposure-api never denies. */
  denied?: { protocol: string; ports: string[] }[];
  id: string;
  selfLink: string;
  creationTimestamp: string;
}
