// Turns what @kubernetes/client-node reports into ClusterErrors, so that nothing above the adapter
// looks at HTTP statuses or apiserver messages.
//
// How client-node 2.x fails: a non-2xx answer rejects with `ApiException` (`code` = HTTP status,
// `body` = the response text, normally a JSON `Status`, `headers` with lower-case names; a 401 has
// no body). A request that got no answer rejects with what undici's fetch throws: a `TypeError`
// whose `cause` carries the socket error code (ECONNREFUSED, ECONNRESET, ...), or the
// `TimeoutError`/`AbortError` of the request's abort signal. A watch that is refused before it
// streams fails with a plain Error carrying `statusCode`.
import { ApiException } from '@kubernetes/client-node';
import {
  ClusterError,
  type ClusterErrorKind,
  type ClusterFieldCause,
  type QuotaRefusal,
} from '../../application/ports/cluster.ts';
import { parseQuotaRefusal } from './quota-message.ts';

/** The parts of a `meta/v1` Status the mapping reads. */
export interface ApiStatus {
  code?: number;
  reason?: string;
  message?: string;
  details?: {
    kind?: string;
    name?: string;
    retryAfterSeconds?: number;
    causes?: { reason?: string; message?: string; field?: string }[];
  };
}

const NODE_PORT_FIELD = /^spec\.ports\[\d+\]\.nodePort$/;
const ALLOCATED = /provided port is already allocated/;
/** The node port allocator has nothing left (a 500 InternalError, pkg/registry/core/service/storage/alloc.go). */
const RANGE_FULL = /failed to allocate a nodePort: range is full/;
/** Quota admission before the quota controller has computed the quota's usage. */
const QUOTA_STATUS_UNKNOWN = /status unknown for quota/;
/** How long to wait for the quota controller to catch up. */
const QUOTA_STATUS_RETRY_SECONDS = 5;
/** The apiserver's answer to an apply with a uid precondition when nothing by that name exists. */
const NO_EXISTING_OBJECT = /no existing object was found/;
/** Socket and undici failures that mean the apiserver could not be reached or dropped us. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
]);

export function toClusterError(error: unknown): ClusterError {
  if (error instanceof ClusterError) return error;
  const status = httpStatusOf(error);
  if (status !== undefined) return fromResponse(status, apiStatusOf(error), headersOf(error), error);
  if (isNetworkFailure(error)) {
    return new ClusterError('Unavailable', `the Kubernetes API could not be reached: ${describe(error)}`, {
      cause: error,
    });
  }
  return new ClusterError('Unknown', describe(error), { cause: error });
}

function fromResponse(
  code: number,
  status: ApiStatus | undefined,
  headers: Record<string, string>,
  cause: unknown,
): ClusterError {
  const message = status?.message ?? `the Kubernetes API answered ${code}`;
  const causes: ClusterFieldCause[] = (status?.details?.causes ?? []).map((c) => ({
    field: c.field ?? '',
    message: c.message ?? c.reason ?? '',
  }));
  const retryAfterSeconds = retryAfter(headers, status);
  const make = (
    kind: ClusterErrorKind,
    extra: { nodePort?: number; quota?: QuotaRefusal; retryAfterSeconds?: number } = {},
  ) =>
    new ClusterError(kind, message, {
      causes,
      cause,
      ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
      ...extra,
    });

  if (code === 409) {
    if (status?.reason === 'AlreadyExists') return make('AlreadyExists');
    if (NO_EXISTING_OBJECT.test(message)) return make('NotFound');
    return make('Conflict');
  }
  if (code === 422) {
    const taken = status?.details?.causes?.find(
      (c) => NODE_PORT_FIELD.test(c.field ?? '') && ALLOCATED.test(c.message ?? ''),
    );
    if (taken) {
      const nodePort = Number(/Invalid value: (\d+)/.exec(taken.message ?? '')?.[1] ?? Number.NaN);
      return make('NodePortTaken', Number.isInteger(nodePort) ? { nodePort } : {});
    }
    // An apply whose metadata.uid differs from the stored object's: the uid precondition failed
    // (the Service was replaced), which the apiserver words as an immutable-field violation.
    if (causes.length > 0 && causes.every((c) => c.field === 'metadata.uid')) return make('Conflict');
    return make('Invalid');
  }
  if (code === 404) return make(status?.details?.kind === 'namespaces' ? 'NamespaceNotFound' : 'NotFound');
  if (code === 403) {
    // A namespace being deleted refuses new objects with a 403 of its own; admission webhooks and
    // policies also answer 403. Neither is a gap in exposure-api's RBAC.
    if (status?.details?.causes?.some((c) => c.reason === 'NamespaceTerminating')) {
      return make('NamespaceNotFound');
    }
    if (/denied the request|denied request/.test(message)) return make('Invalid');
    // The namespace's ResourceQuota refused the write: the caller's limit, not our RBAC.
    const quota = parseQuotaRefusal(message);
    if (quota) return make('QuotaExceeded', { quota });
    if (QUOTA_STATUS_UNKNOWN.test(message)) {
      return make('Unavailable', { retryAfterSeconds: QUOTA_STATUS_RETRY_SECONDS });
    }
    return make('Forbidden');
  }
  // Credentials the apiserver does not accept: as much an installation problem as missing RBAC.
  if (code === 401) return make('Forbidden');
  if (code === 412) return make('Conflict');
  // Not a fault that goes away by retrying: the range stays full until Services are deleted.
  if (code === 500 && RANGE_FULL.test(message)) return make('NodePortRangeFull');
  if (code === 429 || code >= 500) return make('Unavailable');
  return make('Unknown');
}

function httpStatusOf(error: unknown): number | undefined {
  if (error instanceof ApiException) return typeof error.code === 'number' ? error.code : undefined;
  if (typeof error === 'object' && error !== null) {
    const statusCode = (error as { statusCode?: unknown }).statusCode;
    if (typeof statusCode === 'number') return statusCode;
  }
  return undefined;
}

/** The Status in an ApiException's body, which client-node leaves as the response text. */
export function apiStatusOf(error: unknown): ApiStatus | undefined {
  if (!(error instanceof ApiException)) return undefined;
  const body: unknown = error.body;
  if (typeof body === 'string') {
    try {
      const parsed: unknown = JSON.parse(body);
      return typeof parsed === 'object' && parsed !== null ? (parsed as ApiStatus) : undefined;
    } catch {
      return { message: body.slice(0, 500) };
    }
  }
  return typeof body === 'object' && body !== null ? (body as ApiStatus) : undefined;
}

function headersOf(error: unknown): Record<string, string> {
  if (error instanceof ApiException && typeof error.headers === 'object' && error.headers !== null) {
    return error.headers;
  }
  return {};
}

function retryAfter(headers: Record<string, string>, status: ApiStatus | undefined): number | undefined {
  const header = headers['retry-after'];
  if (header !== undefined) {
    const seconds = Number(header.trim());
    if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds);
    const date = Date.parse(header);
    if (!Number.isNaN(date)) return Math.max(0, Math.ceil((date - Date.now()) / 1000));
  }
  const fromStatus = status?.details?.retryAfterSeconds;
  return typeof fromStatus === 'number' && fromStatus >= 0 ? fromStatus : undefined;
}

function isNetworkFailure(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    if (typeof current !== 'object') return false;
    const { name, code } = current as { name?: unknown; code?: unknown };
    if (name === 'TimeoutError' || name === 'AbortError') return true;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
    if (current instanceof TypeError && current.message === 'fetch failed') return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}
