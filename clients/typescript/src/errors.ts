// Problems the API answers (RFC 9457), as errors a caller can inspect.
import type { components } from './schema.ts';

export type Problem = components['schemas']['Problem'];

/** A problem the API answered (RFC 9457), with the HTTP status and, for 4xx, the fields at fault. */
export class ExposureApiError extends Error {
  readonly status: number;
  readonly problem: Problem | undefined;

  constructor(status: number, problem: Problem | undefined) {
    super(problem ? `${problem.title}: ${problem.detail ?? ''}`.trim() : `exposure-api answered ${status}`);
    this.name = 'ExposureApiError';
    this.status = status;
    this.problem = problem;
  }

  /** The stable problem type, e.g. `/problems/node-port-taken`. */
  get type(): string | undefined {
    return this.problem?.type;
  }
}

export function isProblem(value: unknown): value is Problem {
  return value !== null && typeof value === 'object' && 'type' in value && 'status' in value;
}

/** The error for a response that is not a success, with its problem body when it has one. */
export async function errorOf(response: Response): Promise<ExposureApiError> {
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  return new ExposureApiError(response.status, isProblem(body) ? body : undefined);
}
