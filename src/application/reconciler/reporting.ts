// How the reconciler tells people what it did: the FirewallReady status it records on the Service
// (read back by every replica's views), Kubernetes events for `kubectl describe`, and the log.
import type { DriftFinding, DriftKind } from '../../domain/drift-classification.ts';
import type { ExposureRecord } from '../../domain/exposure-record.ts';
import type { FirewallRuleSpec } from '../../domain/firewall-rule.ts';
import {
  type FirewallIncident,
  type FirewallStatusRecord,
  sameFirewallStatus,
} from '../../domain/firewall-status.ts';
import type { Clock } from '../ports/clock.ts';
import type { Cluster, ClusterEventRecord } from '../ports/cluster.ts';
import type { Logger } from '../ports/log.ts';
import type { FirewallFailure } from './failures.ts';

/** What a pass did to one rule. */
export type RuleStep = 'created' | 'repaired' | 'updated' | 'unchanged';

/** A rule's step, with what had drifted when the step was a repair. */
export interface RuleOutcome {
  rule: FirewallRuleSpec;
  step: RuleStep;
  drift?: DriftFinding;
}

/** Where drift and its repairs are counted (metrics). */
export interface DriftObserver {
  driftFound(kind: DriftKind): void;
  /** Seconds from the drift's detection to the end of its repair. */
  driftRepaired(seconds: number): void;
}

type StatusUpdate = Pick<
  FirewallStatusRecord,
  'state' | 'rules' | 'failures' | 'lastDrift' | 'lastRepair'
> & {
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
};

export class Reporter {
  readonly #cluster: Cluster;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #observer: DriftObserver | undefined;
  /**
   * Drift a sweep reported, by exposure id, until its repair: the repairing pass may read the
   * Service from a cache that does not show the Drifted status yet.
   */
  readonly #reported = new Map<string, FirewallIncident>();

  constructor(cluster: Cluster, clock: Clock, log: Logger, observer?: DriftObserver) {
    this.#cluster = cluster;
    this.#clock = clock;
    this.#log = log;
    this.#observer = observer;
  }

  /**
   * The rules are in place and equal to the spec: events for what changed, then the status —
   * `Repaired` (with a fresh transition time) when this pass undid a change made out of band, and
   * kept so until something else happens; `UpToDate` otherwise.
   */
  async upToDate(record: ExposureRecord, outcomes: readonly RuleOutcome[]): Promise<void> {
    const previous = record.firewallStatus;
    const nowIso = this.#now();
    const repaired = outcomes.filter((outcome) => outcome.step === 'repaired');
    // Drift a sweep reported is already in the record; drift this pass found on its own is new.
    const reported = previous?.state === 'Drifted' ? previous.lastDrift : this.#reported.get(record.id);
    this.#reported.delete(record.id);
    let lastDrift = reported ?? previous?.lastDrift;
    let lastRepair = previous?.lastRepair;
    for (const outcome of repaired) {
      const drift = outcome.drift ?? { kind: 'edited', description: 'changed out of band' };
      if (!reported) {
        lastDrift = { at: nowIso, rule: outcome.rule.name, kind: drift.kind, message: drift.description };
        // Found and repaired in one pass: its FirewallRepaired event says what had changed.
        this.#observer?.driftFound(drift.kind);
      }
      const detectedAt = reported?.at ?? nowIso;
      this.#observer?.driftRepaired(Math.max(0, (Date.parse(nowIso) - Date.parse(detectedAt)) / 1000));
      lastRepair = {
        at: nowIso,
        rule: outcome.rule.name,
        kind: reported?.kind ?? drift.kind,
        message: `restored after: ${reported?.message ?? drift.description}`,
      };
    }
    for (const outcome of outcomes) await this.#announce(record, outcome);
    const desired = outcomes.map(({ rule }) => rule);
    const allows = `allow${desired.length > 1 ? '' : 's'} ${describeAllowed(desired)} from ${record.spec.sourceRanges.join(', ')}`;
    const names = desired.map((rule) => rule.name).join(', ');
    const stillRepaired =
      repaired.length === 0 &&
      previous?.condition.reason === 'Repaired' &&
      previous.specHash === record.specHash &&
      outcomes.every((outcome) => outcome.step === 'unchanged');
    const reason = repaired.length > 0 || stillRepaired ? 'Repaired' : 'UpToDate';
    const message =
      repaired.length > 0
        ? `firewall rule ${repaired.map((o) => o.rule.name).join(', ')} repaired (${repaired.map((o) => o.drift?.description ?? 'changed out of band').join('; ')}); firewall rule${desired.length > 1 ? 's' : ''} ${names} now ${allows}`
        : stillRepaired && previous
          ? previous.condition.message
          : `firewall rule${desired.length > 1 ? 's' : ''} ${names} ${allows}`;
    await this.#writeStatus(
      record,
      {
        state: 'UpToDate',
        status: 'True',
        reason,
        message,
        rules: desired.map((rule) => rule.name),
        failures: 0,
        ...(lastDrift && { lastDrift }),
        ...(lastRepair && { lastRepair }),
      },
      repaired.length > 0,
    );
  }

  /**
   * A sweep confirmed that a rule differs from the spec (or is gone): said at once, before the
   * repair, in the status (FirewallReady=False, Drifted) and in a Warning event.
   */
  async drifted(record: ExposureRecord, rule: string, drift: DriftFinding): Promise<void> {
    const nowIso = this.#now();
    const previous = record.firewallStatus;
    this.#observer?.driftFound(drift.kind);
    this.#log.warn({ exposure: record.id, rule, kind: drift.kind }, drift.description);
    const lastDrift: FirewallIncident = { at: nowIso, rule, kind: drift.kind, message: drift.description };
    this.#reported.set(record.id, lastDrift);
    await this.event(record, driftEvent(rule, drift));
    await this.#writeStatus(record, {
      state: 'Drifted',
      status: 'False',
      reason: 'Drifted',
      message: `firewall rule ${rule}: ${drift.description}; repairing`,
      rules: previous?.rules ?? [],
      failures: 0,
      lastDrift,
      ...(previous?.lastRepair && { lastRepair: previous.lastRepair }),
    });
  }

  /** The spec breaks today's policy and its rules were removed. */
  async policyViolation(record: ExposureRecord, problem: string): Promise<void> {
    const message = `the exposure's spec is not allowed by this installation (${problem}); its firewall rules were removed. Change it with PATCH /exposures/${record.id}, or delete it.`;
    this.#log.warn({ exposure: record.id }, message);
    await this.event(record, { type: 'Warning', reason: 'PolicyViolation', message });
    await this.#writeStatus(record, {
      state: 'Failed',
      status: 'False',
      reason: 'PolicyViolation',
      message,
      rules: [],
      failures: 0,
    });
  }

  /**
   * A step failed: logged, an event, and the status (Failed when only a person can fix it, else
   * Pending; Deleting while the exposure is being deleted). The status write is best effort: the
   * retry that follows matters more than the record of this attempt.
   */
  async failed(
    record: ExposureRecord,
    failure: FirewallFailure,
    state: 'Failed' | 'Deleting',
  ): Promise<void> {
    const { reason, message, needsPerson } = failure;
    const failures =
      (record.firewallStatus?.specHash === record.specHash ? record.firewallStatus.failures : 0) + 1;
    this.#log.warn({ exposure: record.id, reason, failures }, message);
    await this.event(record, {
      type: 'Warning',
      reason: state === 'Deleting' ? 'FirewallDeleteFailed' : 'FirewallFailed',
      message,
    });
    try {
      await this.#writeStatus(record, {
        state: state === 'Deleting' ? 'Deleting' : needsPerson ? 'Failed' : 'Pending',
        status: 'False',
        reason,
        message,
        rules: record.firewallStatus?.rules ?? [],
        failures,
      });
    } catch (writeError) {
      this.#log.warn({ exposure: record.id, err: writeError }, 'could not record the firewall status');
    }
  }

  /** The exposure expired and its deletion was requested. */
  async expired(record: ExposureRecord): Promise<void> {
    await this.event(record, {
      type: 'Normal',
      reason: 'Expired',
      message: `the exposure expired at ${record.spec.expiresAt}; deleting its firewall rules, then the Service`,
    });
  }

  /** Records a Kubernetes event; failing to is logged, never a failure of the pass. */
  async event(record: ExposureRecord, event: ClusterEventRecord): Promise<void> {
    try {
      await this.#cluster.recordEvent(record.service, event);
    } catch (error) {
      // Events are for people; failing to record one must not fail the reconciliation.
      this.#log.warn({ exposure: record.id, err: error }, 'could not record a Kubernetes event');
    }
  }

  async #announce(record: ExposureRecord, { rule, step, drift }: RuleOutcome): Promise<void> {
    if (step === 'unchanged') return;
    const allowed = describeAllowed([rule]);
    const text: Record<Exclude<RuleStep, 'unchanged'>, ClusterEventRecord> = {
      created: {
        type: 'Normal',
        reason: 'FirewallCreated',
        message: `created firewall rule ${rule.name} allowing ${allowed} from ${rule.sourceRanges.join(', ')}`,
      },
      updated: {
        type: 'Normal',
        reason: 'FirewallUpdated',
        message: `updated firewall rule ${rule.name} to the new spec`,
      },
      repaired: {
        type: 'Warning',
        reason: 'FirewallRepaired',
        message: drift
          ? `firewall rule ${rule.name}: ${drift.description}; restored it (allowing ${allowed} from ${rule.sourceRanges.join(', ')})`
          : `firewall rule ${rule.name} was deleted or edited outside exposure-api; restored it (allowing ${allowed} from ${rule.sourceRanges.join(', ')})`,
      },
    };
    this.#log.info({ exposure: record.id, rule: rule.name, step }, text[step].message);
    await this.event(record, text[step]);
  }

  #now(): string {
    return new Date(this.#clock.now()).toISOString();
  }

  /**
   * Writes the status annotation unless it would say what it already says. The last drift and
   * repair stay in the record whatever else is written. `freshTransition`: a new transition even
   * if the status and reason stay (a second repair in a row).
   */
  async #writeStatus(record: ExposureRecord, next: StatusUpdate, freshTransition = false): Promise<void> {
    const previous = record.firewallStatus;
    const nowIso = this.#now();
    const transitioned =
      freshTransition ||
      !previous ||
      previous.condition.status !== next.status ||
      previous.condition.reason !== next.reason;
    const lastDrift = next.lastDrift ?? previous?.lastDrift;
    const lastRepair = next.lastRepair ?? previous?.lastRepair;
    const status: FirewallStatusRecord = {
      specHash: record.specHash,
      generation: record.generation,
      state: next.state,
      condition: {
        status: next.status,
        reason: next.reason,
        message: next.message,
        lastTransitionTime: transitioned ? nowIso : previous.condition.lastTransitionTime,
      },
      rules: next.rules,
      everReady: (previous?.everReady ?? false) || next.state === 'UpToDate',
      failures: next.failures,
      lastAttemptTime: nowIso,
      ...(lastDrift && { lastDrift: lastDrift as FirewallIncident }),
      ...(lastRepair && { lastRepair: lastRepair as FirewallIncident }),
    };
    if (sameFirewallStatus(previous, status)) return;
    await this.#cluster.writeFirewallStatus(record.service, JSON.stringify(status));
  }
}

function driftEvent(rule: string, drift: DriftFinding): ClusterEventRecord {
  const urgency = drift.kind === 'widened' ? 'repairing before other work' : 'repairing';
  return {
    type: 'Warning',
    reason: 'FirewallDrifted',
    message: `firewall rule ${rule}: ${drift.description}; ${urgency}`,
  };
}

/** `tcp:30920, udp:30053`: every port the rules allow, once. */
function describeAllowed(rules: readonly FirewallRuleSpec[]): string {
  const ports = new Set(
    rules.flatMap((rule) =>
      rule.allowed.flatMap((entry) => entry.ports.map((p) => `${entry.protocol}:${p}`)),
    ),
  );
  return [...ports].join(', ');
}
