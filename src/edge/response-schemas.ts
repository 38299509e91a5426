// Shared pieces of route schemas: the problem responses and the headers the API documents.

import { Problem } from '../schemas/problem.ts';
import { ref } from '../schemas/reference.ts';
import { type EdgeProblemKind, problemTypes } from './problem-types.ts';

const statusText: Record<number, string> = {
  400: 'Invalid request (validation-failed, malformed-request)',
  401: 'Missing or unknown bearer token',
  403: "The namespace is not one of the token's",
  404: 'Not found (also for exposures in namespaces the token may not use)',
  409: 'Conflict: name or node port taken, or a node port still being released',
  413: 'Request body too large',
  415: 'Content-Type is not application/json',
  422: 'Valid but not allowed (policy-violation, namespace-not-found)',
  503: 'Kubernetes unavailable, or exposure-api lacks a permission; see Retry-After',
};

/** Problem responses for the given statuses, documented with the problem types they carry. */
export function problemResponses(...statuses: number[]): Record<number, unknown> {
  const responses: Record<number, unknown> = {};
  for (const status of statuses) {
    const kinds = (Object.keys(problemTypes) as EdgeProblemKind[]).filter(
      (kind) => problemTypes[kind].status === status,
    );
    responses[status] = {
      ...ref(Problem),
      description: `${statusText[status] ?? 'Problem'}. Types: ${kinds.map((kind) => `/problems/${kind}`).join(', ')}`,
    };
  }
  return responses;
}
