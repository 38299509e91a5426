// Shared pieces of route schemas: JSON and problem responses with the headers the API documents.
import type { TSchema } from 'typebox';
import { Problem } from '../schemas/problem.ts';
import { ref } from '../schemas/reference.ts';
import { PROBLEM_CONTENT_TYPE } from './plugins/problem-details.ts';
import { type EdgeProblemKind, problemTypes, problemTypeUri } from './problem-types.ts';

interface HeaderDoc {
  type: 'string' | 'integer';
  description: string;
}

export const LOCATION_HEADER: Record<string, HeaderDoc> = {
  Location: { type: 'string', description: 'Path of the exposure, `/exposures/{id}`.' },
};
export const ETAG_HEADER: Record<string, HeaderDoc> = {
  ETag: { type: 'string', description: 'Hash of the accepted spec (status changes do not change it).' },
};
/** What a read answered from caches whose watch has been broken too long says (see cache-age.ts). */
export const CACHE_AGE_HEADERS: Record<string, HeaderDoc> = {
  Warning: {
    type: 'string',
    description:
      'Only when the data may be stale (the watch on the Kubernetes API has been broken for longer than `cluster.staleAfterSeconds`): `110 - "Response is Stale"`.',
  },
  'X-Cache-Age': {
    type: 'integer',
    description: 'With the Warning: how many seconds old the data may be (as `cacheAgeSeconds`).',
  },
};
const RETRY_AFTER_HEADER: Record<string, HeaderDoc> = {
  'Retry-After': { type: 'integer', description: 'Seconds to wait before retrying.' },
};

/** A JSON response of a named schema, with its documented headers. */
export function jsonResponse(
  schema: TSchema & { $id?: string },
  description: string,
  headers: Record<string, HeaderDoc> = {},
) {
  return {
    description,
    ...(Object.keys(headers).length > 0 && { headers }),
    content: { 'application/json': { schema: ref(schema) } },
  };
}

const statusText: Record<number, string> = {
  400: 'Invalid request',
  401: 'Missing or unknown bearer token',
  403: "The namespace is not one of the token's, or a quota has no room for the change",
  404: 'Not found (also for exposures in namespaces the token may not use)',
  408: 'The request did not arrive whole in time (`server.requestTimeoutMs`); the connection is closed',
  409: 'Conflict',
  412: 'The spec changed since it was read (If-Match)',
  413: 'Request body too large',
  414: 'A path parameter is too long',
  415: 'Content-Type is not application/json',
  422: 'Valid, but not allowed or not possible',
  429: 'A rate limit was reached, or you hold too many connections or open streams',
  431: 'Request headers too large',
  503: 'Kubernetes unavailable, or exposure-api lacks a permission there',
};

/** Problem responses for the given statuses, documented with the problem types they carry. */
export function problemResponses(...statuses: number[]): Record<number, unknown> {
  const responses: Record<number, unknown> = {};
  for (const status of statuses) {
    const kinds = (Object.keys(problemTypes) as EdgeProblemKind[]).filter(
      (kind) => problemTypes[kind].status === status,
    );
    const retries = status === 503 || status === 429 || kinds.includes('node-port-releasing');
    responses[status] = {
      description: `${statusText[status] ?? 'Problem'}: ${kinds.map((kind) => `\`${problemTypeUri(kind)}\``).join(', ')}`,
      ...(retries && { headers: RETRY_AFTER_HEADER }),
      content: { [PROBLEM_CONTENT_TYPE]: { schema: ref(Problem) } },
    };
  }
  return responses;
}
