// The reconcile function, in the manner of a controller-runtime reconciler: given a request, compare
// the world with the desired state and take the next idempotent step — create the rules, patch what
// drifted, or (for a terminating Service) delete the rules and then let the Service go — and answer
// what should happen next. A crash at any point is repaired by the next pass.
import type { ObservedService, ServiceRef } from '../../domain/cluster-objects.ts';
import { hasExpired, nextExpiryCheckMs } from '../../domain/expiry.ts';
import { isTerminating, readExposureRecord } from '../../domain/exposure-record.ts';
import { CLUSTER_ID_ANNOTATION, FIREWALL_FINALIZER } from '../../domain/naming.ts';
import type { Clock } from '../ports/clock.ts';
import { type Cluster, ClusterError } from '../ports/cluster.ts';
import type { Firewalls } from '../ports/firewalls.ts';
import type { Logger } from '../ports/log.ts';
import { AttemptedServices } from './attempted-services.ts';
import { ensureRules } from './ensure-rules.ts';
import { OwnedRules } from './owned-rules.ts';
import { collect, expire, finalize, finalizeUnreadable } from './release.ts';
import { Reporter } from './reporting.ts';
import { type ReconcileRequest, type ReconcileResult, requestKey } from './request.ts';
import type { ReconcileSettings, StepContext } from './step-context.ts';
import { UnwantedRules } from './unwanted-rules.ts';

export type { ReconcileSettings } from './step-context.ts';

export interface ReconcileDependencies {
  cluster: Cluster;
  firewalls: Firewalls;
  clock: Clock;
  settings: ReconcileSettings;
  log: Logger;
  /** Shared with the controller, which skips events for Services that did not change since. */
  attempted?: AttemptedServices;
  /** Shared with the drift sweep, which finds rules an exposure no longer wants. */
  unwanted?: UnwantedRules;
  /** Shared with the drift sweep, which reports the drift the passes then repair. */
  report?: Reporter;
}

export type Reconcile = (request: ReconcileRequest) => Promise<ReconcileResult>;

/** The reconcile function over these dependencies; it never throws (a failure is a `retry`). */
export function createReconcile(deps: ReconcileDependencies): Reconcile {
  const context: StepContext = {
    cluster: deps.cluster,
    rules: new OwnedRules(deps.firewalls, deps.settings.firewall.clusterId, deps.log),
    clock: deps.clock,
    settings: deps.settings,
    log: deps.log,
    report: deps.report ?? new Reporter(deps.cluster, deps.clock, deps.log),
    unwanted: deps.unwanted ?? new UnwantedRules(),
  };
  const attempted = deps.attempted ?? new AttemptedServices();
  return async (request) => {
    try {
      if (request.kind === 'collect') return await collect(context, request.exposureId);
      return await reconcileService(context, attempted, request.ref);
    } catch (error) {
      deps.log.warn({ key: requestKey(request), err: error }, 'reconcile failed');
      // The Kubernetes API says when to come back (429, 503 with Retry-After): never sooner.
      const retryAfter = error instanceof ClusterError ? error.retryAfterSeconds : undefined;
      return retryAfter === undefined ? { kind: 'retry' } : { kind: 'retry', notBeforeMs: retryAfter * 1000 };
    }
  };
}

async function reconcileService(
  context: StepContext,
  attempted: AttemptedServices,
  ref: ServiceRef,
): Promise<ReconcileResult> {
  const service = context.cluster.cachedService(ref);
  if (!service) return { kind: 'done' };
  const read = readExposureRecord(service);
  if (!read.ok) {
    // Edited beyond recognition: nothing to reconcile, but a deletion must still go through,
    // or the Service (and its namespace) would hang on our finalizer for ever.
    return releasable(context, service) ? finalizeUnreadable(context, service) : { kind: 'done' };
  }
  const record = read.record;
  if (record.clusterId !== context.settings.firewall.clusterId) return { kind: 'done' };
  attempted.record(service);
  if (isTerminating(record)) return finalize(context, record);
  if (hasExpired(record.spec, context.clock.now())) return expire(context, record);
  const result = await ensureRules(context, record);
  if (result.kind !== 'done') return result;
  // An exposure that expires is looked at again when it does (or within the hour).
  const nextExpiryCheck = nextExpiryCheckMs(record.spec, context.clock.now());
  return nextExpiryCheck === undefined ? result : { kind: 'requeueAfter', afterMs: nextExpiryCheck };
}

/** A terminating Service that still holds our finalizer and names no other installation. */
function releasable(context: StepContext, service: ObservedService): boolean {
  const clusterId = context.settings.firewall.clusterId;
  const ours = (service.annotations[CLUSTER_ID_ANNOTATION] ?? clusterId) === clusterId;
  return ours && service.deletionTimestamp !== undefined && service.finalizers.includes(FIREWALL_FINALIZER);
}
