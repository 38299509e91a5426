// What every step of a pass works with, and how a failed step ends the pass.
import type { FirewallSettings } from '../../domain/desired-firewall.ts';
import type { ExposureRecord } from '../../domain/exposure-record.ts';
import type { SpecRules } from '../../domain/exposure-spec.ts';
import type { Clock } from '../ports/clock.ts';
import type { Cluster } from '../ports/cluster.ts';
import type { Logger } from '../ports/log.ts';
import { classifyFailure } from './failures.ts';
import type { OwnedRules } from './owned-rules.ts';
import type { Reporter } from './reporting.ts';
import type { ReconcileResult } from './request.ts';
import type { UnwantedRules } from './unwanted-rules.ts';

export interface ReconcileSettings {
  firewall: FirewallSettings;
  /** Today's policy, applied again to every stored spec before its rule is written. */
  spec: SpecRules;
  /** How soon a failure only a person can fix is looked at again. */
  needsPersonRecheckMs: number;
}

export interface StepContext {
  cluster: Cluster;
  rules: OwnedRules;
  clock: Clock;
  settings: ReconcileSettings;
  log: Logger;
  report: Reporter;
  unwanted: UnwantedRules;
}

/** Reports a failed step on the exposure and says when to try again. */
export async function failStep(
  context: StepContext,
  record: ExposureRecord,
  error: unknown,
  state: 'Failed' | 'Deleting' = 'Failed',
): Promise<ReconcileResult> {
  const failure = classifyFailure(error, context.rules.project);
  await context.report.failed(record, failure, state);
  if (failure.needsPerson)
    return { kind: 'needsPerson', recheckAfterMs: context.settings.needsPersonRecheckMs };
  return failure.notBeforeMs === undefined
    ? { kind: 'retry' }
    : { kind: 'retry', notBeforeMs: failure.notBeforeMs };
}
