// The controller around the reconcile function, as controller-runtime's is around a Reconciler:
// it turns cluster events and a periodic drift sweep into requests, queues them, and hands each to
// `reconcile` while this replica leads. It keeps no state of its own about exposures beyond what
// it shares with the reconcile function.
import { setTimeout as sleep } from 'node:timers/promises';
import type { ServiceRef } from '../../domain/cluster-objects.ts';
import type { SweepRecord } from '../../domain/firewall-verification.ts';
import { EXPOSURE_ID_LABEL } from '../../domain/naming.ts';
import type { Clock } from '../ports/clock.ts';
import type { Cluster, ClusterEvent } from '../ports/cluster.ts';
import type { Firewalls } from '../ports/firewalls.ts';
import type { Logger } from '../ports/log.ts';
import { SweepRecords } from '../sweep-records.ts';
import type { BackoffSettings } from '../work-queue.ts';
import { inTurn } from '../write-turns.ts';
import { AttemptedServices } from './attempted-services.ts';
import { findDrift, type ResyncReport } from './drift.ts';
import { DriftSweep, type SweepObserver, type SweepReport } from './drift-sweep.ts';
import { createReconcile, type Reconcile, type ReconcileSettings } from './reconcile.ts';
import { type DriftObserver, Reporter } from './reporting.ts';
import {
  collectRequest,
  type ReconcileRequest,
  type ReconcileResult,
  requestFlow,
  requestPriority,
  serviceRequest,
} from './request.ts';
import { keyedRequestQueue, type RequestQueue, type RequestQueueFactory } from './request-queue.ts';
import { UnwantedRules } from './unwanted-rules.ts';

export type { ResyncReport } from './drift.ts';
export type { SweepReport } from './drift-sweep.ts';

export interface ReconcilerSettings extends ReconcileSettings {
  workers: number;
  backoff: BackoffSettings;
  /** How often every exposure is looked at again, to repair drift nobody told us about. */
  resyncIntervalMs: number;
  /** How often the rules believed in place are compared with GCE (the drift sweep). */
  driftCheckIntervalMs: number;
}

/**
 * Lists the start-up resync tries before it gives up on listing: the fallback looks at every
 * exposure one by one, one GET each — 10,000 GETs at 10,000 exposures — so a brief failure of the
 * list (a reset connection, a 503 while GCE is busy) is worth a few retries first.
 */
export const STARTUP_LIST_ATTEMPTS = 5;

export interface ReconcileObserver extends DriftObserver, SweepObserver {
  reconciled(outcome: 'ok' | 'error', seconds: number): void;
}

export class Reconciler {
  readonly #cluster: Cluster;
  readonly #firewalls: Firewalls;
  readonly #clock: Clock;
  readonly #settings: ReconcilerSettings;
  readonly #log: Logger;
  readonly #observer: ReconcileObserver | undefined;
  readonly #newQueue: RequestQueueFactory;
  readonly #attempted = new AttemptedServices();
  readonly #unwanted = new UnwantedRules();
  readonly #reconcile: Reconcile;
  readonly #sweep: DriftSweep;
  readonly #sweeps: SweepRecords;
  #queue: RequestQueue | undefined;
  #unsubscribe: (() => void) | undefined;
  #resyncTimer: NodeJS.Timeout | undefined;
  /** Ends the start-up resync's wait between attempts when the reconciler stops. */
  #startupAbort: AbortController | undefined;
  #startup: Promise<void> = Promise.resolve();
  readonly #random: () => number;

  constructor(deps: {
    cluster: Cluster;
    firewalls: Firewalls;
    clock: Clock;
    settings: ReconcilerSettings;
    log: Logger;
    observer?: ReconcileObserver;
    /** The keyed work queue unless given. */
    queue?: RequestQueueFactory;
    /** Where each drift sweep is recorded (and from there published to the other replicas). */
    sweeps?: SweepRecords;
    /** Jitter of the start-up list's retries; returns a number in [0, 1). */
    random?: () => number;
  }) {
    this.#random = deps.random ?? Math.random;
    this.#cluster = deps.cluster;
    this.#firewalls = deps.firewalls;
    this.#clock = deps.clock;
    this.#settings = deps.settings;
    this.#log = deps.log;
    this.#observer = deps.observer;
    this.#newQueue = deps.queue ?? keyedRequestQueue(deps.settings);
    const report = new Reporter(deps.cluster, deps.clock, deps.log, deps.observer);
    this.#sweeps = deps.sweeps ?? new SweepRecords();
    this.#sweep = new DriftSweep({
      cluster: deps.cluster,
      firewalls: deps.firewalls,
      clock: deps.clock,
      firewall: deps.settings.firewall,
      intervalMs: deps.settings.driftCheckIntervalMs,
      log: deps.log,
      report,
      records: this.#sweeps,
      enqueue: (request) => {
        // Whatever the Service's last attempt saw, its rules have changed since.
        if (request.kind === 'service') this.#attempted.forget(request.ref);
        this.#queue?.add(request);
      },
      ...(deps.observer && { observer: deps.observer }),
    });
    this.#reconcile = createReconcile({
      report,
      cluster: deps.cluster,
      firewalls: deps.firewalls,
      clock: deps.clock,
      settings: deps.settings,
      log: deps.log,
      attempted: this.#attempted,
      unwanted: this.#unwanted,
    });
  }

  get running(): boolean {
    return this.#queue !== undefined;
  }

  /** Starts reconciling (when this replica becomes the leader); a stopped reconciler can start again. */
  start(): void {
    if (this.#queue) return;
    this.#queue = this.#newQueue((request) => this.#process(request));
    this.#attempted.clear();
    this.#unsubscribe = this.#cluster.subscribe((event) => this.#onEvent(event));
    this.#startupAbort = new AbortController();
    this.#startup = this.#startupResync(this.#startupAbort.signal);
    this.#resyncTimer = setInterval(
      () => void this.fullResync().catch(() => {}),
      this.#settings.resyncIntervalMs,
    );
    this.#resyncTimer.unref();
    this.#sweep.start();
  }

  /** Stops taking work and waits for the steps in flight, so no GCE write starts after it resolves. */
  async stop(): Promise<void> {
    const queue = this.#queue;
    this.#queue = undefined;
    this.#unsubscribe?.();
    // A list in flight may finish (it writes nothing); no retry or fallback follows it.
    this.#startupAbort?.abort();
    if (this.#resyncTimer) clearInterval(this.#resyncTimer);
    await this.#sweep.stop();
    await queue?.stop();
  }

  /** Reconciles the Service soon (ignored while this replica is not the leader). */
  enqueue(ref: ServiceRef): void {
    this.#queue?.add(serviceRequest(ref));
  }

  /**
   * The periodic drift check, at the cost of list calls only (see drift.ts): exposures whose rules
   * are missing or differ (or whose status is stale) are reconciled; rules that carry this cluster
   * id but whose exposure is gone are deleted once the API confirms the exposure is gone.
   */
  async fullResync(): Promise<ResyncReport> {
    if (!this.#queue || !this.#cluster.synced()) return { listCalls: 0, rules: 0, drifted: 0, collected: 0 };
    const drift = await findDrift({
      cluster: this.#cluster,
      firewalls: this.#firewalls,
      clock: this.#clock,
      firewall: this.#settings.firewall,
    });
    for (const { exposureId, rule } of drift.unwanted) this.#unwanted.add(exposureId, rule);
    for (const request of drift.requests) {
      // Whatever the Service's last attempt saw, the rules have changed since.
      if (request.kind === 'service') this.#attempted.forget(request.ref);
      this.#queue?.add(request);
    }
    this.#log.info({ ...drift.report }, 'full resync done');
    return drift.report;
  }

  /**
   * One drift sweep now (it also runs every `driftCheckIntervalMs` while leading): lists the rules,
   * confirms each difference with a GET, reports it and queues its repair (see drift-sweep.ts).
   */
  async sweepDrift(): Promise<SweepReport> {
    if (!this.#queue) throw new Error('the reconciler is not running: only the leader sweeps');
    return this.#sweep.sweep();
  }

  /** The last drift sweep as this replica knows it (its own, or the leader's from the Lease). */
  lastSweep(): SweepRecord | undefined {
    return this.#sweeps.latest();
  }

  /**
   * Resolves when the start-up resync has queued what needs work (after its retries, or the
   * one-by-one fallback), for tests and benchmarks that must not count it.
   */
  startedUp(): Promise<void> {
    return this.#startup;
  }

  /** Resolves when no reconciliation is queued or running (for tests and graceful stops). */
  idle(): Promise<void> {
    return this.#queue?.idle() ?? Promise.resolve();
  }

  /**
   * At start, the list-based resync finds what needs work: a restart with nothing drifted costs
   * list calls only. A failed list is tried again with backoff; if GCE still cannot be listed,
   * every exposure is looked at one by one instead.
   */
  async #startupResync(signal: AbortSignal): Promise<void> {
    const { initialMs, maxMs } = this.#settings.backoff;
    for (let attempt = 1; !signal.aborted; attempt++) {
      try {
        await this.fullResync();
        return;
      } catch (error) {
        if (signal.aborted) return;
        if (attempt >= STARTUP_LIST_ATTEMPTS) {
          this.#log.warn(
            { err: error, attempts: attempt },
            'could not list the firewall rules; reconciling every exposure one by one',
          );
          for (const service of this.#cluster.cachedServices()) this.enqueue(service);
          return;
        }
        const ceiling = Math.min(maxMs, initialMs * 2 ** (attempt - 1));
        // Equal jitter, as the work queue's retries: half fixed, half random.
        const delayMs = Math.round(ceiling / 2 + (this.#random() * ceiling) / 2);
        this.#log.warn(
          { err: error, attempt, retryInMs: delayMs },
          'could not list the firewall rules at start; trying again before reconciling one by one',
        );
        await sleep(delayMs, undefined, { signal }).catch(() => undefined);
      }
    }
  }

  #onEvent(event: ClusterEvent): void {
    if (event.kind !== 'service') return;
    if (event.type === 'delete') {
      this.#attempted.forget(event.service);
      // The Service is gone; if its finalizer was removed by someone else, its rules may remain.
      const id = event.service.labels[EXPOSURE_ID_LABEL];
      if (id) this.#queue?.add(collectRequest(id));
      return;
    }
    if (!this.#attempted.changedSince(event.service)) return;
    this.enqueue(event.service);
  }

  async #process(request: ReconcileRequest): Promise<ReconcileResult> {
    const started = performance.now();
    // The pass's writes wait for the rate limit in the pass's own turn (write-turns.ts).
    const turn = { flow: requestFlow(request), priority: requestPriority(request) };
    const result = await inTurn(turn, () => this.#reconcile(request));
    this.#observer?.reconciled(
      result.kind === 'retry' ? 'error' : 'ok',
      (performance.now() - started) / 1000,
    );
    return result;
  }
}
