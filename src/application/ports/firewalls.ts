// The port through which the application reads and writes Compute Engine firewall rules.
// Implemented by the GCE adapter (src/adapters/gce), which talks to the real API or to the
// project's Compute emulator; there is deliberately no in-memory fake: tests use the emulator.

import type { FirewallRuleSpec, ObservedFirewallRule } from '../../domain/firewall-rule.ts';

export type { FirewallAllowed, FirewallRuleSpec, ObservedFirewallRule } from '../../domain/firewall-rule.ts';

export interface FirewallPage {
  rules: ObservedFirewallRule[];
  nextPageToken?: string;
}

export type FirewallErrorKind =
  | 'NotFound'
  | 'AlreadyExists'
  | 'QuotaExceeded'
  | 'PermissionDenied'
  | 'Invalid'
  | 'RateLimited'
  | 'Unavailable'
  | 'Unknown';

const retryableKinds: ReadonlySet<FirewallErrorKind> = new Set(['RateLimited', 'Unavailable', 'Unknown']);

/** Every failure of the port is one of these, classified so callers never parse messages. */
export class FirewallError extends Error {
  readonly kind: FirewallErrorKind;
  /** HTTP status GCE answered (or the operation's httpErrorStatusCode), when known. */
  readonly httpStatus: number | undefined;
  /** GCE's own error code or reason (`QUOTA_EXCEEDED`, `alreadyExists`, ...), when known. */
  readonly code: string | undefined;

  constructor(
    kind: FirewallErrorKind,
    message: string,
    options: { httpStatus?: number; code?: string; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'FirewallError';
    this.kind = kind;
    this.httpStatus = options.httpStatus;
    this.code = options.code;
  }

  get retryable(): boolean {
    return retryableKinds.has(this.kind);
  }
}

export interface ListFirewallsOptions {
  /** Only rules whose name starts with this prefix (sent to GCE as a `name eq "prefix.*"` filter). */
  namePrefix?: string;
  pageToken?: string;
  /** Page size; GCE allows at most 500. */
  maxResults?: number;
  /**
   * Ask GCE for the fields a comparison with the desired rules reads (a partial response): the
   * rules' ids, links and creation times are then left empty.
   */
  comparedFieldsOnly?: boolean;
}

export interface Firewalls {
  /** The project that holds the rules (the network's host project under shared VPC). */
  readonly project: string;
  get(name: string): Promise<ObservedFirewallRule | undefined>;
  listPage(options?: ListFirewallsOptions): Promise<FirewallPage>;
  /** Inserts the rule and waits until its operation is DONE; an operation error throws. */
  insert(rule: FirewallRuleSpec): Promise<void>;
  /** Changes the given fields in place (lists given replace the stored lists), waiting for DONE. */
  patch(name: string, changes: Partial<Omit<FirewallRuleSpec, 'name'>>): Promise<void>;
  /** Replaces the whole rule (needed when switching between target tags and service accounts). */
  update(rule: FirewallRuleSpec): Promise<void>;
  /** Deletes the rule; a rule that is already gone is `absent`, not an error. */
  delete(name: string): Promise<'deleted' | 'absent'>;
}
