// A problem the edge raises itself (a rate limit, a refusal of the sandbox's controls), thrown from
// a hook and answered by the problem-details error handler like the application's problems.
import type { EdgeProblemKind } from './problem-types.ts';
import { problemTypes } from './problem-types.ts';

export class EdgeProblem extends Error {
  readonly kind: EdgeProblemKind;
  readonly statusCode: number;
  readonly retryAfterSeconds: number | undefined;

  constructor(kind: EdgeProblemKind, detail: string, options: { retryAfterSeconds?: number } = {}) {
    super(detail);
    this.name = 'EdgeProblem';
    this.kind = kind;
    this.statusCode = problemTypes[kind].status;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}
