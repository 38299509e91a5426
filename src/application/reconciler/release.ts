// The steps that take an exposure's firewall away: when its Service is being deleted (then the
// finalizer lets the Service go), when it expired, when its record cannot be read any more, and
// when its Service vanished without us.
import type { ObservedService } from '../../domain/cluster-objects.ts';
import { serviceKey } from '../../domain/cluster-objects.ts';
import { type ExposureId, isExposureId } from '../../domain/exposure-id.ts';
import { type ExposureRecord, readExposureRecord } from '../../domain/exposure-record.ts';
import { parseOwnership } from '../../domain/firewall-ownership.ts';
import { EXPOSURE_ID_LABEL, FIREWALL_FINALIZER } from '../../domain/naming.ts';
import { ClusterError, type DeleteServiceResult } from '../ports/cluster.ts';
import type { ReconcileResult } from './request.ts';
import { failStep, type StepContext } from './step-context.ts';

/** After a conflict (the Service changed meanwhile), the expiry is looked at again this soon. */
const EXPIRY_CONFLICT_RECHECK_MS = 1000;

/** Deletes the rules, then removes the finalizer so that Kubernetes lets the Service go. */
export async function finalize(context: StepContext, record: ExposureRecord): Promise<ReconcileResult> {
  context.unwanted.forget(record.id);
  try {
    await context.rules.deleteAll(record.id);
  } catch (error) {
    return failStep(context, record, error, 'Deleting');
  }
  if (record.service.finalizers.includes(FIREWALL_FINALIZER)) {
    await context.cluster.removeFinalizer(record.service, FIREWALL_FINALIZER);
    context.log.info(
      { exposure: record.id, service: serviceKey(record.service) },
      'firewall rules deleted; Service released',
    );
  }
  return { kind: 'done' };
}

/** An expired exposure is deleted like any other: the finalizer sees to the rule first. */
export async function expire(context: StepContext, record: ExposureRecord): Promise<ReconcileResult> {
  let result: DeleteServiceResult;
  try {
    // Only the Service as seen here: a PATCH that just extended the expiry must win.
    result = await context.cluster.deleteService(record.service, {
      uid: record.service.uid,
      resourceVersion: record.service.resourceVersion,
    });
  } catch (error) {
    if (error instanceof ClusterError && error.kind === 'Conflict')
      return { kind: 'requeueAfter', afterMs: EXPIRY_CONFLICT_RECHECK_MS };
    throw error;
  }
  context.log.info(
    { exposure: record.id, expiresAt: record.spec.expiresAt },
    'exposure expired; deleting it',
  );
  if (result.outcome !== 'terminating') return { kind: 'done' };
  await context.report.expired(record);
  const terminating = readExposureRecord(result.service);
  return finalize(context, terminating.ok ? terminating.record : record);
}

/**
 * Releases a terminating Service whose record cannot be read: its rules are found by the id label
 * if it is intact, else by listing this installation's rules for the Service's name; only rules
 * whose description proves they are ours are deleted.
 */
export async function finalizeUnreadable(
  context: StepContext,
  service: ObservedService,
): Promise<ReconcileResult> {
  const clusterId = context.settings.firewall.clusterId;
  const label = service.labels[EXPOSURE_ID_LABEL];
  try {
    if (label && isExposureId(label)) {
      await context.rules.deleteAll(label);
    } else {
      const owner = `${service.namespace}/${service.name}`;
      for await (const rules of context.rules.pages()) {
        for (const rule of rules) {
          const ownership = parseOwnership(rule.description);
          if (ownership?.clusterId === clusterId && ownership.service === owner) {
            await context.rules.deleteIfOwned(rule.name, ownership.exposureId as ExposureId);
          }
        }
      }
    }
  } catch (error) {
    context.log.warn(
      { service: serviceKey(service), err: error },
      'could not delete the rules of an unreadable exposure',
    );
    return { kind: 'retry' };
  }
  await context.cluster.removeFinalizer(service, FIREWALL_FINALIZER);
  context.log.warn(
    { service: serviceKey(service) },
    'released a terminating Service whose exposure record was unreadable',
  );
  return { kind: 'done' };
}

/** Deletes the rules of an exposure whose Service vanished without us. */
export async function collect(context: StepContext, id: ExposureId): Promise<ReconcileResult> {
  try {
    // The cache may lag behind: ask the API before deleting anything.
    const service = await context.cluster.findServiceByExposureId(id);
    if (service && service.deletionTimestamp === undefined) return { kind: 'done' };
    await context.rules.deleteAll(id);
  } catch (error) {
    context.log.warn(
      { exposure: id, err: error },
      'could not collect the firewall rules of a deleted exposure',
    );
    return { kind: 'retry' };
  }
  return { kind: 'done' };
}
