// The stable problem types of the API (RFC 9457 `type`), each with its status and title. The
// `type` is a relative URI; GET on it returns the description below.
import type { ProblemKind } from '../application/problems.ts';

export type EdgeProblemKind =
  | ProblemKind
  | 'malformed-request'
  | 'malformed-url'
  | 'unauthenticated'
  | 'forbidden'
  | 'route-not-found'
  | 'method-not-allowed'
  | 'payload-too-large'
  | 'unsupported-media-type'
  | 'not-acceptable'
  | 'request-timeout'
  | 'uri-too-long'
  | 'rate-limited'
  | 'too-many-connections'
  | 'headers-too-large'
  | 'too-many-streams'
  | 'internal-error';

export interface ProblemType {
  status: number;
  title: string;
  description: string;
}

export const problemTypes: Record<EdgeProblemKind, ProblemType> = {
  'validation-failed': {
    status: 400,
    title: 'The request is not valid',
    description:
      'A field is missing, has the wrong type or an invalid value; `errors` lists each with a JSON Pointer.',
  },
  'malformed-request': {
    status: 400,
    title: 'The request cannot be parsed',
    description:
      'The body is not valid JSON (or is empty where a body is required), or the request is not valid HTTP.',
  },
  'malformed-url': {
    status: 400,
    title: 'The URL cannot be parsed',
    description: 'The path is not a valid URL (for instance a bad percent-encoding).',
  },
  unauthenticated: {
    status: 401,
    title: 'Authentication required',
    description: 'Send `Authorization: Bearer <token>` with a token this installation knows.',
  },
  forbidden: {
    status: 403,
    title: 'Not allowed for this token',
    description: 'The token is valid, but may not do this.',
  },
  'forbidden-namespace': {
    status: 403,
    title: 'Namespace not allowed',
    description: 'Your token may not use the namespace of the request.',
  },
  'quota-exceeded': {
    status: 403,
    title: 'Quota exceeded',
    description:
      "The change needs more than a quota leaves: the namespace's Kubernetes ResourceQuota (`services.nodeports`, `count/services`, `services`), or one of the installation's own limits (exposures and node ports per namespace or per subject, firewall rules in total). `quota` names it and gives the requested, used and limit figures of what it exceeds. Nothing was written; free some room (delete exposures you no longer need) or ask an administrator to raise the quota.",
  },
  'exposure-not-found': {
    status: 404,
    title: 'Exposure not found',
    description: 'No exposure with this id exists in a namespace you may use.',
  },
  'route-not-found': {
    status: 404,
    title: 'Not found',
    description: 'No route matches the method and path.',
  },
  'method-not-allowed': {
    status: 405,
    title: 'Method not allowed',
    description: 'The path does not support the method.',
  },
  'not-acceptable': { status: 406, title: 'Not acceptable', description: 'The API answers JSON only.' },
  'request-timeout': {
    status: 408,
    title: 'Request timeout',
    description:
      'The request (headers and body) did not arrive within `server.requestTimeoutMs`; the connection is closed.',
  },
  'name-taken': {
    status: 409,
    title: 'Name already taken',
    description:
      'A Service of this name already exists in the namespace; exposure-api never takes over an existing Service.',
  },
  'node-port-taken': {
    status: 409,
    title: 'Node port already allocated',
    description:
      'Another Service holds the requested node port. The holder is named when you may see its namespace.',
  },
  'node-port-releasing': {
    status: 409,
    title: 'Node port is being released',
    description:
      'The node port is held by a Service that is being deleted; retry after `Retry-After` seconds.',
  },
  'node-port-range-full': {
    status: 409,
    title: 'Node port range full',
    description:
      "Every node port of the cluster's `--service-node-port-range` is allocated: none is left for the exposure. Nothing was written; retrying will not help until Services are deleted or the range is widened by an administrator.",
  },
  'exposure-deleting': {
    status: 409,
    title: 'Exposure is being deleted',
    description: 'The exposure is being deleted and can no longer be changed.',
  },
  'precondition-failed': {
    status: 412,
    title: 'Precondition failed',
    description:
      'The `If-Match` ETag is not the current one: the spec changed since you read it. Read it again.',
  },
  'idempotency-key-reused': {
    status: 422,
    title: 'Idempotency-Key reused with another request',
    description: 'This Idempotency-Key was already used by you with a different request body.',
  },
  'payload-too-large': {
    status: 413,
    title: 'Request body too large',
    description: 'The body exceeds the configured limit.',
  },
  'unsupported-media-type': {
    status: 415,
    title: 'Unsupported media type',
    description: 'Send `Content-Type: application/json`.',
  },
  'uri-too-long': {
    status: 414,
    title: 'URI too long',
    description: 'A path parameter is longer than any valid value (at most 100 characters).',
  },
  'rate-limited': {
    status: 429,
    title: 'Too many requests',
    description:
      'A rate limit of this installation was reached: reads or writes per token, or requests with a missing or unknown token per client address. Retry after `Retry-After` seconds.',
  },
  'too-many-connections': {
    status: 429,
    title: 'Too many connections',
    description:
      'Your address already holds the most open connections allowed (`server.maxConnectionsPerAddress`); this one is closed. Reuse connections.',
  },
  'headers-too-large': {
    status: 431,
    title: 'Request header fields too large',
    description: 'The request line and headers exceed 16 KiB.',
  },
  'policy-violation': {
    status: 422,
    title: 'Not allowed by policy',
    description:
      'The request is valid but breaks a rule of this installation, such as its allowed source ranges.',
  },
  'namespace-not-found': {
    status: 422,
    title: 'Namespace does not exist',
    description: 'The namespace of the request does not exist in the cluster.',
  },
  'too-many-streams': {
    status: 429,
    title: 'Too many open watch streams',
    description:
      'You hold as many open watch streams on this replica as one caller may (`server.watchStreamsPerCaller`), or the replica serves as many as it can (`server.watchStreamsMax`). Close a stream, or retry later.',
  },
  'internal-error': {
    status: 500,
    title: 'Internal error',
    description: 'A fault in exposure-api; the request id in the body finds it in the logs.',
  },
  'kubernetes-misconfigured': {
    status: 503,
    title: 'exposure-api lacks a Kubernetes permission',
    description:
      "The service's own identity was refused by the Kubernetes API; an administrator must fix its RBAC.",
  },
  'caches-not-synced': {
    status: 503,
    title: 'Caches not yet synced',
    description:
      'This replica has not yet read the state of the cluster (it has just started, or cannot reach the Kubernetes API): it would answer from empty caches. Retry after `Retry-After` seconds.',
  },
  'kubernetes-unavailable': {
    status: 503,
    title: 'Kubernetes API unavailable',
    description: 'The Kubernetes API did not answer or failed; retry after `Retry-After` seconds.',
  },
};

export function problemTypeUri(kind: EdgeProblemKind): string {
  return `/problems/${kind}`;
}
