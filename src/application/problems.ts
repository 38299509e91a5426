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
  | 'exposure-deleting'
  | 'precondition-failed'
  | 'idempotency-key-reused'
  | 'kubernetes-unavailable'
  | 'kubernetes-misconfigured';

export class ExposureProblem extends Error {
  readonly kind: ProblemKind;
  readonly violations: Violation[];
  /** Where the violations point: into the body (default) or the query string. */
  readonly location: 'body' | 'query';
  readonly retryAfterSeconds: number | undefined;

  constructor(
    kind: ProblemKind,
    detail: string,
    options: {
      violations?: Violation[];
      location?: 'body' | 'query';
      retryAfterSeconds?: number;
      cause?: unknown;
    } = {},
  ) {
    super(detail, { cause: options.cause });
    this.name = 'ExposureProblem';
    this.kind = kind;
    this.violations = options.violations ?? [];
    this.location = options.location ?? 'body';
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}
