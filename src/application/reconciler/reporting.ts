// How the reconciler tells people what it did: the FirewallReady status it records on the Service
// (read back by every replica's views), Kubernetes events for `kubectl describe`, and the log.
import type { ExposureRecord } from '../../domain/exposure-record.ts';
import type { FirewallRuleSpec } from '../../domain/firewall-rule.ts';
import { type FirewallStatusRecord, sameFirewallStatus } from '../../domain/firewall-status.ts';
import type { Clock } from '../ports/clock.ts';
import type { Cluster, ClusterEventRecord } from '../ports/cluster.ts';
import type { Logger } from '../ports/log.ts';
import type { FirewallFailure } from './failures.ts';

/** What a pass did to one rule. */
export type RuleStep = 'created' | 'repaired' | 'updated' | 'unchanged';

type StatusUpdate = Pick<FirewallStatusRecord, 'state' | 'rules' | 'failures'> & {
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
};

export class Reporter {
  readonly #cluster: Cluster;
  readonly #clock: Clock;
  readonly #log: Logger;

  constructor(cluster: Cluster, clock: Clock, log: Logger) {
    this.#cluster = cluster;
    this.#clock = clock;
    this.#log = log;
  }

  /** The rules are in place and equal to the spec: events for what changed, then the status. */
  async upToDate(
    record: ExposureRecord,
    steps: readonly { rule: FirewallRuleSpec; step: RuleStep }[],
  ): Promise<void> {
    for (const { rule, step } of steps) await this.#announce(record, rule, step);
    const desired = steps.map(({ rule }) => rule);
    await this.#writeStatus(record, {
      state: 'UpToDate',
      status: 'True',
      reason: 'UpToDate',
      message: `firewall rule${desired.length > 1 ? 's' : ''} ${desired.map((rule) => rule.name).join(', ')} allow ${describeAllowed(desired)} from ${record.spec.sourceRanges.join(', ')}`,
      rules: desired.map((rule) => rule.name),
      failures: 0,
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

  async #announce(record: ExposureRecord, rule: FirewallRuleSpec, step: RuleStep): Promise<void> {
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
        message: `firewall rule ${rule.name} was deleted or edited outside exposure-api; restored it (allowing ${allowed} from ${rule.sourceRanges.join(', ')})`,
      },
    };
    this.#log.info({ exposure: record.id, rule: rule.name, step }, text[step].message);
    await this.event(record, text[step]);
  }

  /** Writes the status annotation unless it would say what it already says. */
  async #writeStatus(record: ExposureRecord, next: StatusUpdate): Promise<void> {
    const previous = record.firewallStatus;
    const nowIso = new Date(this.#clock.now()).toISOString();
    const transitioned =
      !previous || previous.condition.status !== next.status || previous.condition.reason !== next.reason;
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
    };
    if (sameFirewallStatus(previous, status)) return;
    await this.#cluster.writeFirewallStatus(record.service, JSON.stringify(status));
  }
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
