// Turns what @google-cloud/compute reports into FirewallErrors, so that nothing above the
// adapter parses messages.
//
// Two sources of failure:
// - a call fails: google-gax (REST transport) keeps the HTTP status in `httpStatusCode` and the
//   envelope's `message`, but maps the status to a lossy gRPC code (409 becomes ABORTED, every
//   other 5xx INTERNAL) and drops GCE's `errors[].reason` from the error's fields. The reason is
//   read back from the raw body google-gax attaches (when it is there); otherwise the status
//   decides, and the message separates the cases one status covers (a 403 is a missing
//   permission, a synchronous `Quota 'FIREWALLS' exceeded`, or an older-style rate limit).
// - an accepted write fails later: its operation ends DONE with `error.errors[].code`
//   (QUOTA_EXCEEDED, RESOURCE_ALREADY_EXISTS, ...) and `httpErrorStatusCode`.

import type { protos } from '@google-cloud/compute';
import { FirewallError, type FirewallErrorKind } from '../../application/ports/firewalls.ts';

type Operation = protos.google.cloud.compute.v1.IOperation;

/** gRPC codes of failures that produced no HTTP response (google-gax's Status enum). */
const grpcCancelled = 1;
const grpcDeadlineExceeded = 4;
const grpcUnavailable = 14;

const quotaMessage = /Quota '[A-Z_]+' exceeded/;
const rateLimitMessage = /rate limit|quota exceeded for quota metric|too many requests/i;
/** Where google-gax keeps the undecoded body of a failed response (non-enumerable). */
const rawPayloadKey = Symbol.for('google-gax.rawHttpResponsePayload');

const kindByReason: Readonly<Record<string, FirewallErrorKind>> = {
  notFound: 'NotFound',
  alreadyExists: 'AlreadyExists',
  quotaExceeded: 'QuotaExceeded',
  rateLimitExceeded: 'RateLimited',
  userRateLimitExceeded: 'RateLimited',
  forbidden: 'PermissionDenied',
  insufficientPermissions: 'PermissionDenied',
  invalid: 'Invalid',
  required: 'Invalid',
  badRequest: 'Invalid',
  backendError: 'Unavailable',
  internalError: 'Unavailable',
};

export function classifyCallError(error: unknown): FirewallError {
  if (error instanceof FirewallError) return error;
  const { httpStatusCode, code, message } = errorFields(error);
  const reason = reasonFromRawPayload(error);
  const kind =
    (reason === undefined ? undefined : kindByReason[reason]) ??
    (httpStatusCode === undefined ? kindWithoutResponse(code) : kindFromStatus(httpStatusCode, message));
  return new FirewallError(kind, message, {
    ...(httpStatusCode === undefined ? {} : { httpStatus: httpStatusCode }),
    ...(reason === undefined ? {} : { code: reason }),
    cause: error,
  });
}

/** Whether a failed call ran out of its own timeout (nothing answered in time). */
export function isCallTimeout(error: unknown): boolean {
  return (
    error instanceof FirewallError &&
    error.httpStatus === undefined &&
    errorFields(error.cause).code === grpcDeadlineExceeded
  );
}

/** The failure carried by an operation that ended DONE with `error`, or undefined if it succeeded. */
export function operationFailure(operation: Operation): FirewallError | undefined {
  const errors = operation.error?.errors ?? [];
  if (errors.length === 0) return undefined;
  const status = operation.httpErrorStatusCode ?? undefined;
  const codes = errors.map((entry) => entry.code ?? '');
  const message = errors.map((entry) => entry.message ?? entry.code ?? 'operation failed').join('; ');
  const kind =
    kindFromOperationCodes(codes) ?? (status === undefined ? 'Unknown' : kindFromStatus(status, message));
  return new FirewallError(kind, message, {
    ...(status === undefined ? {} : { httpStatus: status }),
    ...(codes[0] ? { code: codes[0] } : {}),
  });
}

function kindFromOperationCodes(codes: string[]): FirewallErrorKind | undefined {
  for (const code of codes) {
    if (code === 'QUOTA_EXCEEDED') return 'QuotaExceeded';
    if (code === 'RESOURCE_ALREADY_EXISTS') return 'AlreadyExists';
    if (code === 'RESOURCE_NOT_FOUND') return 'NotFound';
    if (code === 'RATE_LIMIT_EXCEEDED') return 'RateLimited';
    if (code.includes('PERMISSION') || code === 'FORBIDDEN') return 'PermissionDenied';
    if (code.startsWith('INVALID') || code === 'BAD_REQUEST') return 'Invalid';
  }
  return undefined;
}

function kindFromStatus(status: number, message: string): FirewallErrorKind {
  if (status === 404) return 'NotFound';
  if (status === 409) return /already exists/i.test(message) ? 'AlreadyExists' : 'Unavailable';
  if (status === 403 || status === 429) {
    if (quotaMessage.test(message)) return 'QuotaExceeded';
    if (status === 429 || rateLimitMessage.test(message)) return 'RateLimited';
    return 'PermissionDenied';
  }
  if (status === 401) return 'PermissionDenied';
  if (status >= 400 && status < 500) return 'Invalid';
  if (status >= 500 && status < 600) return 'Unavailable';
  return 'Unknown';
}

/** Connection refused or reset, a timeout, a cancellation: nothing answered, try again later. */
function kindWithoutResponse(code: number | undefined): FirewallErrorKind {
  if (code === grpcUnavailable || code === grpcDeadlineExceeded || code === grpcCancelled)
    return 'Unavailable';
  return 'Unknown';
}

function errorFields(error: unknown): { httpStatusCode?: number; code?: number; message: string } {
  if (typeof error !== 'object' || error === null) return { message: String(error) };
  const fields = error as { httpStatusCode?: unknown; code?: unknown; message?: unknown };
  return {
    ...(typeof fields.httpStatusCode === 'number' ? { httpStatusCode: fields.httpStatusCode } : {}),
    ...(typeof fields.code === 'number' ? { code: fields.code } : {}),
    message: typeof fields.message === 'string' ? fields.message : String(error),
  };
}

/** GCE's `errors[0].reason` from the raw error body, when google-gax kept it and it is JSON. */
function reasonFromRawPayload(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const payload: unknown = (error as Record<symbol, unknown>)[rawPayloadKey];
  if (typeof payload !== 'string') return undefined;
  try {
    const body = JSON.parse(payload) as { error?: { errors?: { reason?: unknown }[] } };
    const reason = body.error?.errors?.[0]?.reason;
    return typeof reason === 'string' ? reason : undefined;
  } catch {
    return undefined;
  }
}
