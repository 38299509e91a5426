// The queue between the controller and the reconcile function, behind the small interface the
// controller needs, so that another queue can take its place without the controller changing.
import { type BackoffSettings, WorkQueue, type WorkResult } from '../work-queue.ts';
import {
  type ReconcileRequest,
  type ReconcileResult,
  requestFlow,
  requestKey,
  requestPriority,
} from './request.ts';

export interface RequestQueue {
  /** Queues the request unless it is queued already (a repair moves it up); ignored once stopped. */
  add(request: ReconcileRequest): void;
  /** Resolves when nothing is queued or running (later retries may still be waiting). */
  idle(): Promise<void>;
  /** Drops what is queued and waits for the requests in flight. */
  stop(): Promise<void>;
}

export type ReconcileHandler = (request: ReconcileRequest) => Promise<ReconcileResult>;

/** Makes a queue that hands each request to `handler` and acts on its result. */
export type RequestQueueFactory = (handler: ReconcileHandler) => RequestQueue;

/**
 * The keyed work queue, fair across tenants: one queue per namespace, served in turn, below a
 * priority level for repairs of widened rules; `workers` requests at a time, failures retried with
 * jittered backoff.
 */
export function keyedRequestQueue(settings: {
  workers: number;
  backoff: BackoffSettings;
}): RequestQueueFactory {
  return (handler) =>
    new WorkQueue<ReconcileRequest>(async (request) => toWorkResult(await handler(request)), {
      workers: settings.workers,
      backoff: settings.backoff,
      key: requestKey,
      flow: requestFlow,
      priority: requestPriority,
    });
}

function toWorkResult(result: ReconcileResult): WorkResult {
  switch (result.kind) {
    case 'done':
      return { kind: 'done' };
    case 'requeueAfter':
      return { kind: 'recheck', afterMs: result.afterMs };
    case 'needsPerson':
      return { kind: 'recheck', afterMs: result.recheckAfterMs };
    case 'retry':
      return result.notBeforeMs === undefined
        ? { kind: 'retry' }
        : { kind: 'retry', notBeforeMs: result.notBeforeMs };
  }
}
