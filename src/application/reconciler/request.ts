// What the reconciler is asked to do, and what it answers, as values: a request names one piece of
// work (an exposure's Service, or the rules of an exposure whose Service is gone), and a result
// says what should happen next, in the manner of controller-runtime's Result.
import { type ServiceRef, serviceKey } from '../../domain/cluster-objects.ts';
import type { ExposureId } from '../../domain/exposure-id.ts';

export type ReconcileRequest =
  /**
   * Drive the exposure recorded by this Service to its desired state. `repair` marks a pass that
   * must close a rule found wider than its spec: it goes before every tenant's queue.
   */
  | { kind: 'service'; ref: ServiceRef; repair?: true }
  /** Delete the rules of an exposure whose Service vanished (once the API confirms it is gone). */
  | { kind: 'collect'; exposureId: ExposureId };

export type ReconcileResult =
  /** Nothing more to do until something changes. */
  | { kind: 'done' }
  /** Look again after a while (an expiry ahead, a write that lost a race). */
  | { kind: 'requeueAfter'; afterMs: number }
  /** A failure that may pass: retry with growing backoff, never sooner than `notBeforeMs`. */
  | { kind: 'retry'; notBeforeMs?: number }
  /** A failure only a person can fix (policy, quota, permission): looked at again after a while. */
  | { kind: 'needsPerson'; recheckAfterMs: number };

/** A request for a Service; only its name is kept, not the Service object it came from. */
export function serviceRequest(ref: ServiceRef, options: { repair?: boolean } = {}): ReconcileRequest {
  const request: ReconcileRequest = { kind: 'service', ref: { namespace: ref.namespace, name: ref.name } };
  if (options.repair) request.repair = true;
  return request;
}

/**
 * A request to collect the rules of the exposure an id found in a label or a rule's description
 * names. The id is not checked here: one that is not well formed names no rule of this
 * installation, and no rule is deleted unless its description names that very id.
 */
export function collectRequest(exposureId: string): ReconcileRequest {
  return { kind: 'collect', exposureId: exposureId as ExposureId };
}

/** The request's identity in the queue: one request per Service, one per collected exposure. */
export function requestKey(request: ReconcileRequest): string {
  return request.kind === 'service' ? `service:${serviceKey(request.ref)}` : `collect:${request.exposureId}`;
}

/** The priority level above the tenants' fair queues: repairs of rules wider than their spec. */
export const REPAIR_PRIORITY = 1;
/** Where the tenants' requests wait, one queue per namespace. */
export const TENANT_PRIORITY = 0;
/** The flow of requests that belong to no namespace (rules whose Service is gone). */
export const COLLECT_FLOW = '(collect)';

/** Whose turn the request waits for: its namespace (a tenant). */
export function requestFlow(request: ReconcileRequest): string {
  return request.kind === 'service' ? request.ref.namespace : COLLECT_FLOW;
}

export function requestPriority(request: ReconcileRequest): number {
  return request.kind === 'service' && request.repair ? REPAIR_PRIORITY : TENANT_PRIORITY;
}
