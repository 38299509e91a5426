// What can go wrong in a use case, as the caller should learn it. The HTTP edge maps each kind to
// a status code and an RFC 9457 problem type; nothing else of HTTP leaks into the application.
import type { Violation } from '../domain/violation.ts';

export type ProblemKind =
  | 'validation-failed'
  | 'policy-violation'
  | 'forbidden-namespace'
  | 'exposure-not-found'
  | 'namespace-not-found'
  | 'name-taken'
  | 'node-port-taken'
  | 'node-port-releasing'
  | 'node-port-range-full'
  | 'quota-exceeded'
  | 'exposure-deleting'
  | 'precondition-failed'
  | 'idempotency-key-reused'
  | 'kubernetes-unavailable'
  | 'caches-not-synced'
  | 'kubernetes-misconfigured';

/**
 * Which quota a change would exceed: a namespace's ResourceQuota, or one of the installation's own
 * limits (named by its setting); the figures of each resource it exceeds.
 */
export interface QuotaExceededDetails {
  source: 'ResourceQuota' | 'InstallationLimit';
  /** The ResourceQuota's name, or the limit's setting, e.g. `limits.perNamespace.nodePorts`. */
  name: string;
  scope: 'namespace' | 'subject' | 'installation';
  namespace?: string;
  subject?: string;
  exceeded: { resource: string; requested: number; used: number; limit: number }[];
}

export class ExposureProblem extends Error {
  readonly kind: ProblemKind;
  readonly violations: Violation[];
  /** Where the violations point: into the body (default) or the query string. */
  readonly location: 'body' | 'query';
  readonly retryAfterSeconds: number | undefined;
  /** For `quota-exceeded`: which quota, and its figures. */
  readonly quota: QuotaExceededDetails | undefined;

  constructor(
    kind: ProblemKind,
    detail: string,
    options: {
      violations?: Violation[];
      location?: 'body' | 'query';
      retryAfterSeconds?: number;
      quota?: QuotaExceededDetails;
      cause?: unknown;
    } = {},
  ) {
    super(detail, { cause: options.cause });
    this.name = 'ExposureProblem';
    this.kind = kind;
    this.violations = options.violations ?? [];
    this.location = options.location ?? 'body';
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.quota = options.quota;
  }
}
