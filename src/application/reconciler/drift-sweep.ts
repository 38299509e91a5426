// The drift sweep: every `driftCheckSeconds` the rules of this installation are listed page by
// page (a filter on the name prefix, the compared fields only) and compared with what every
// exposure whose rules are in place needs. A difference is confirmed with one GET of that rule —
// a page listed just before the reconciler's own write must not be reported as drift — and then
// told at once (FirewallReady=False, Drifted; a Warning event) and queued for repair: a rule
// wider than its spec at the priority level above every tenant's queue, anything else in the
// exposure's own queue. With nothing drifted a sweep costs its list calls and nothing else.
//
// It is not the full resync (drift.ts, every `resyncSeconds`), which also finds pending work and
// collects orphaned rules; the sweep only checks what is believed to be in place.
import type { ObservedService } from '../../domain/cluster-objects.ts';
import { type FirewallSettings, recordFirewallRules } from '../../domain/desired-firewall.ts';
import { classifyDrift, type DriftFinding } from '../../domain/drift-classification.ts';
import { hasExpired } from '../../domain/expiry.ts';
import { type ExposureRecord, isTerminating, readExposureRecord } from '../../domain/exposure-record.ts';
import type { FirewallRuleSpec, ObservedFirewallRule } from '../../domain/firewall-rule.ts';
import type { SweepRecord } from '../../domain/firewall-verification.ts';
import type { Clock } from '../ports/clock.ts';
import type { Cluster } from '../ports/cluster.ts';
import { FirewallError, type Firewalls } from '../ports/firewalls.ts';
import type { Logger } from '../ports/log.ts';
import type { SweepRecords } from '../sweep-records.ts';
import { installationRulePages } from './owned-rules.ts';
import type { Reporter } from './reporting.ts';
import { type ReconcileRequest, serviceRequest } from './request.ts';

export interface SweepReport {
  outcome: 'completed' | 'missed';
  listCalls: number;
  rules: number;
  /** Rules that differed in the listing and were read again to confirm. */
  confirmed: number;
  /** Drift confirmed and reported, by rule. */
  drifted: { rule: string; kind: DriftFinding['kind'] }[];
  seconds: number;
}

export interface SweepObserver {
  sweepCompleted(report: SweepReport): void;
}

export interface DriftSweepDependencies {
  cluster: Pick<Cluster, 'cachedServices' | 'cachedService' | 'synced'>;
  firewalls: Firewalls;
  clock: Clock;
  firewall: FirewallSettings;
  intervalMs: number;
  log: Logger;
  report: Reporter;
  records: SweepRecords;
  /** Queues the repair of a Service whose rule drifted. */
  enqueue(request: ReconcileRequest): void;
  observer?: SweepObserver;
}

/** The longest pause after sweeps that GCE rate-limited. */
const MAX_BACKOFF_MS = 5 * 60_000;

export class DriftSweep {
  readonly #deps: DriftSweepDependencies;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<SweepReport> | undefined;
  #missed = 0;
  #lastCompleted: Pick<SweepRecord, 'startedAt' | 'completedAt'> = { startedAt: '', completedAt: '' };
  #stopped = true;

  constructor(deps: DriftSweepDependencies) {
    this.#deps = deps;
  }

  start(): void {
    this.#stopped = false;
    this.#schedule(this.#deps.intervalMs);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running?.catch(() => undefined);
  }

  /** Runs one sweep now (or joins the one running). */
  sweep(): Promise<SweepReport> {
    this.#running ??= this.#sweep().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      void this.sweep()
        .catch(() => undefined)
        .finally(() => this.#schedule(this.#nextDelayMs()));
    }, delayMs);
    this.#timer.unref();
  }

  /** The interval, doubled for each sweep missed in a row (GCE asked us to slow down). */
  #nextDelayMs(): number {
    const interval = this.#deps.intervalMs;
    return this.#missed === 0 ? interval : Math.min(MAX_BACKOFF_MS, interval * 2 ** this.#missed);
  }

  async #sweep(): Promise<SweepReport> {
    const started = performance.now();
    const startedAt = new Date(this.#deps.clock.now()).toISOString();
    const report: SweepReport = {
      outcome: 'completed',
      listCalls: 0,
      rules: 0,
      confirmed: 0,
      drifted: [],
      seconds: 0,
    };
    if (!this.#deps.cluster.synced()) return { ...report, outcome: 'missed' };
    try {
      const listed = new Map<string, ObservedFirewallRule>();
      for await (const page of installationRulePages(this.#deps.firewalls, this.#deps.firewall.clusterId)) {
        report.listCalls++;
        for (const rule of page) listed.set(rule.name, rule);
      }
      report.rules = listed.size;
      // Rules the listing shows wider than their spec are confirmed (and queued) first.
      const suspects = [...this.#suspects(listed)].sort(
        (a, b) => Number(b.listedKind === 'widened') - Number(a.listedKind === 'widened'),
      );
      for (const suspect of suspects) {
        report.confirmed++;
        const drift = await this.#confirm(suspect);
        if (drift) report.drifted.push({ rule: suspect.rule.name, kind: drift.kind });
      }
    } catch (error) {
      this.#missed++;
      report.outcome = 'missed';
      const rateLimited = error instanceof FirewallError && error.kind === 'RateLimited';
      this.#deps.log.warn(
        { err: error, missed: this.#missed, rateLimited },
        `drift sweep failed; next one in ${Math.round(this.#nextDelayMs() / 1000)} s`,
      );
    }
    report.seconds = (performance.now() - started) / 1000;
    if (report.outcome === 'completed') {
      this.#missed = 0;
      this.#lastCompleted = { startedAt, completedAt: new Date(this.#deps.clock.now()).toISOString() };
    }
    this.#deps.records.record({ ...this.#lastCompleted, missed: this.#missed });
    this.#deps.observer?.sweepCompleted(report);
    return report;
  }

  /** Rules of exposures believed in place whose listing differs from the spec (or is missing). */
  *#suspects(listed: ReadonlyMap<string, ObservedFirewallRule>): Generator<Suspect> {
    for (const service of this.#deps.cluster.cachedServices()) {
      const record = this.#inPlace(service);
      if (!record) continue;
      for (const rule of recordFirewallRules(record, this.#deps.firewall)) {
        const drift = classifyDrift(rule, listed.get(rule.name));
        if (drift) yield { service, record, rule, listedKind: drift.kind };
      }
    }
  }

  /** The exposure's record if the reconciler believes its rules are in place for its spec. */
  #inPlace(service: ObservedService): ExposureRecord | undefined {
    const read = readExposureRecord(service);
    if (!read.ok) return undefined;
    const record = read.record;
    const status = record.firewallStatus;
    const believedInPlace =
      record.clusterId === this.#deps.firewall.clusterId &&
      status?.state === 'UpToDate' &&
      status.specHash === record.specHash &&
      !isTerminating(record) &&
      !hasExpired(record.spec, this.#deps.clock.now());
    return believedInPlace ? record : undefined;
  }

  /**
   * Reads the rule again; reports drift only if it still differs from what the exposure — as the
   * cache shows it now, after the read — needs. A pass that changed the spec or the rule meanwhile
   * leaves nothing to report.
   */
  async #confirm({ service, rule }: Suspect): Promise<DriftFinding | undefined> {
    const observed = await this.#deps.firewalls.get(rule.name);
    const current = this.#deps.cluster.cachedService(service);
    const record = current && this.#inPlace(current);
    if (!record) return undefined;
    const desired = recordFirewallRules(record, this.#deps.firewall).find((r) => r.name === rule.name);
    if (!desired) return undefined;
    const drift = classifyDrift(desired, observed);
    if (!drift) return undefined;
    try {
      await this.#deps.report.drifted(record, rule.name, drift);
    } catch (error) {
      // Telling matters, repairing matters more: the repair is queued whatever happened here.
      this.#deps.log.warn({ exposure: record.id, err: error }, 'could not record the drift on the Service');
    }
    this.#deps.enqueue(serviceRequest(record.service, { repair: drift.kind === 'widened' }));
    return drift;
  }
}

interface Suspect {
  service: ObservedService;
  record: ExposureRecord;
  rule: FirewallRuleSpec;
  /** What the listing showed (the GET decides). */
  listedKind: DriftFinding['kind'];
}
