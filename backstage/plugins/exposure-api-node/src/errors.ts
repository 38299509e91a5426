// exposure-api's problems (RFC 9457) as the errors Backstage's HTTP stack and scaffolder know, so
// that a plugin route answers with the matching status and a task log shows what was wrong.
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import { ExposureApiError } from '@exposure-api/client';

type BackstageErrorClass = new (message?: string, cause?: unknown) => Error;

const ERROR_BY_STATUS: ReadonlyMap<number, BackstageErrorClass> = new Map<number, BackstageErrorClass>([
  [400, InputError],
  [413, InputError],
  [415, InputError],
  [422, InputError],
  [431, InputError],
  [403, NotAllowedError],
  [404, NotFoundError],
  [409, ConflictError],
  [412, ConflictError],
  // The plugin's own token was refused: nothing the user can change, an installation to fix.
  [401, ServiceUnavailableError],
  [408, ServiceUnavailableError],
  [429, ServiceUnavailableError],
]);

/**
 * The Backstage error for an exposure-api problem, its message holding the problem's title, detail
 * and the fields at fault; any other error is returned as it is.
 */
export function toBackstageError(error: unknown): unknown {
  if (!(error instanceof ExposureApiError)) return error;
  const ErrorClass =
    ERROR_BY_STATUS.get(error.status) ?? (error.status >= 500 ? ServiceUnavailableError : Error);
  return new ErrorClass(describeProblem(error), error);
}

/** `Validation failed: … (/sourceRanges/0: host bits are set; …)`, for logs and error messages. */
export function describeProblem(error: ExposureApiError): string {
  const problem = error.problem;
  if (!problem) return `exposure-api answered ${error.status}`;
  const fields = (problem.errors ?? []).map((field) => `${field.pointer}: ${field.detail}`);
  const detail = problem.detail?.toLowerCase() === problem.title.toLowerCase() ? undefined : problem.detail;
  const summary = detail ? `${problem.title}: ${detail}` : problem.title;
  return fields.length > 0 ? `${summary} (${fields.join('; ')})` : summary;
}

/** Runs a call to exposure-api, turning its problems into Backstage errors. */
export async function withBackstageErrors<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toBackstageError(error);
  }
}
