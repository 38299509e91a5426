// The installation's own limits (exposures and node ports per namespace and per subject, firewall
// rules in total), for clusters without ResourceQuotas, held across replicas by the usage ledger.
//
// A write is counted in before it is made (`reserve`), and counted out when it fails (`revert`) or
// when the exposure is deleted (`release`). Each of those is a compare-and-swap of the ledger:
// within this replica they are queued and committed together, so that they never conflict with
// each other (many requests, one write); a conflict with another replica reads the ledger again
// and retries after a random pause, a bounded number of times. The leader recounts the ledger
// from the Services now and then, so that what a crash left counted does not stay counted.
import { setTimeout as sleep } from 'node:timers/promises';
import { isTerminating } from '../domain/exposure-record.ts';
import { hasAnyLimit, type LimitExceeded, type UsageLimits, usageOfSpec } from '../domain/usage.ts';
import {
  applyChange,
  type CountedExposure,
  EMPTY_LEDGER,
  type LedgerState,
  prunePending,
  recount,
  reserve,
  revertChange,
  type UsageChange,
} from '../domain/usage-ledger.ts';
import type { ExposureIndex } from './exposure-index.ts';
import type { Clock } from './ports/clock.ts';
import { ClusterError } from './ports/cluster.ts';
import type { Logger } from './ports/log.ts';
import type { StoredLedger, UsageLedger } from './ports/usage-ledger.ts';
import { ExposureProblem } from './problems.ts';

export interface InstallationLimitSettings {
  limits: UsageLimits;
  /** The installation's name as a holder of the `installation` limits: its cluster id. */
  installation: string;
  /** How often the leader recounts the ledger from the Services. */
  recountIntervalMs: number;
  /** How long a change may take to reach every replica's cache (a recount trusts the ledger until then). */
  pendingGraceMs: number;
  /** Compare-and-swap attempts against other replicas' writes before giving up (a 503). */
  maxAttempts: number;
}

type Operation =
  | { kind: 'reserve'; change: UsageChange }
  | { kind: 'apply'; change: UsageChange }
  | { kind: 'revert'; change: UsageChange }
  | { kind: 'recount' };

interface Queued {
  operation: Operation;
  settle(outcome: LimitExceeded | undefined): void;
  fail(error: unknown): void;
}

/** What the settings are called in the configuration, to name the limit a caller ran into. */
const SETTING_NAMES: Record<LimitExceeded['scope'], string> = {
  namespace: 'limits.perNamespace',
  subject: 'limits.perSubject',
  installation: 'limits.installation',
};

export class InstallationLimits {
  readonly #ledger: UsageLedger;
  readonly #index: ExposureIndex;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #settings: InstallationLimitSettings;
  readonly #random: () => number;
  readonly #queue: Queued[] = [];
  #committing = false;
  /** The ledger as this replica last read or wrote it: the base of the next compare-and-swap. */
  #known: StoredLedger | undefined;
  #recountTimer: NodeJS.Timeout | undefined;

  constructor(deps: {
    ledger: UsageLedger;
    index: ExposureIndex;
    clock: Clock;
    log: Logger;
    settings: InstallationLimitSettings;
    random?: () => number;
  }) {
    this.#ledger = deps.ledger;
    this.#index = deps.index;
    this.#clock = deps.clock;
    this.#log = deps.log;
    this.#settings = deps.settings;
    this.#random = deps.random ?? Math.random;
  }

  /** Limits of 0 everywhere: nothing to keep, no ledger written. */
  get enabled(): boolean {
    return hasAnyLimit(this.#settings.limits);
  }

  /**
   * Counts a change in before it is written, or refuses it: `quota-exceeded` naming the limit, or
   * a 503 when the ledger cannot be written.
   */
  async reserve(change: UsageChange): Promise<void> {
    if (!this.enabled) return;
    const exceeded = await this.#enqueue({ kind: 'reserve', change });
    if (exceeded) throw limitProblem(exceeded, change);
  }

  /** Counts out what a deleted exposure held. A failure is logged: the next recount repairs it. */
  async release(change: UsageChange): Promise<void> {
    await this.#bestEffort({ kind: 'apply', change: { ...change, deleted: true } }, 'release');
  }

  /** Takes back a reservation whose write failed. A failure is logged: the next recount repairs it. */
  async revert(change: UsageChange): Promise<void> {
    await this.#bestEffort({ kind: 'revert', change }, 'revert');
  }

  /** Recomputes the counts from the Services in the cache (and the changes they may not show yet). */
  async recount(): Promise<void> {
    if (!this.enabled) return;
    await this.#enqueue({ kind: 'recount' });
  }

  /** Recounts now and every `recountIntervalMs` (on the leader). */
  startRecounting(): void {
    if (!this.enabled || this.#recountTimer) return;
    const tick = () => {
      this.recount().catch((error: unknown) =>
        this.#log.warn({ err: error }, 'could not recount the usage ledger; trying again later'),
      );
    };
    tick();
    this.#recountTimer = setInterval(tick, this.#settings.recountIntervalMs);
    this.#recountTimer.unref();
  }

  stopRecounting(): void {
    if (this.#recountTimer) clearInterval(this.#recountTimer);
    this.#recountTimer = undefined;
  }

  // --- internals ---------------------------------------------------------------------------------

  async #bestEffort(operation: Operation, what: string): Promise<void> {
    if (!this.enabled) return;
    try {
      await this.#enqueue(operation);
    } catch (error) {
      this.#log.warn(
        { err: error, operation: what },
        'could not update the usage ledger; the next recount repairs it',
      );
    }
  }

  #enqueue(operation: Operation): Promise<LimitExceeded | undefined> {
    return new Promise((settle, fail) => {
      this.#queue.push({ operation, settle, fail });
      if (!this.#committing) void this.#drain();
    });
  }

  /** Commits everything queued, batch after batch, one compare-and-swap per batch. */
  async #drain(): Promise<void> {
    this.#committing = true;
    try {
      while (this.#queue.length > 0) await this.#commit(this.#queue.splice(0));
    } finally {
      this.#committing = false;
    }
  }

  async #commit(batch: Queued[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      let outcomes: (LimitExceeded | undefined)[];
      try {
        const base = this.#known ?? (await this.#readOrStart());
        const now = this.#clock.now();
        const readable = base.state !== undefined;
        let state = prunePending(
          base.state ?? this.#recounted(EMPTY_LEDGER, now),
          now,
          this.#settings.pendingGraceMs,
        );
        let changed = false;
        outcomes = batch.map(({ operation }) => {
          const next = this.#apply(state, operation, now);
          if ('exceeded' in next) return next.exceeded;
          state = next.state;
          changed = true;
          return undefined;
        });
        // Nothing but refusals: the stored ledger stays as it is, and no write is needed.
        if (changed || !readable || base.version === '') {
          const version = await this.#ledger.write(state, base.version || undefined);
          this.#known = { state, version };
        } else {
          this.#known = base;
        }
      } catch (error) {
        this.#known = undefined;
        const conflict = error instanceof ClusterError && error.kind === 'Conflict';
        if (conflict && attempt < this.#settings.maxAttempts) {
          // Another replica wrote first: read again after a random pause, so the two part ways.
          await sleep(Math.round(this.#random() * 20 * attempt));
          continue;
        }
        const failure = conflict
          ? new ExposureProblem(
              'kubernetes-unavailable',
              'the usage ledger kept changing under this replica; retry',
              { retryAfterSeconds: 1, cause: error },
            )
          : ledgerFailure(error);
        for (const queued of batch) queued.fail(failure);
        return;
      }
      for (const [index, queued] of batch.entries()) queued.settle(outcomes[index]);
      return;
    }
  }

  /** The stored ledger; before the first write, none (version ''): it is started from a recount. */
  async #readOrStart(): Promise<StoredLedger> {
    const stored = await this.#ledger.read();
    if (stored?.state === undefined && stored) {
      this.#log.warn({}, 'the usage ledger could not be read; recounting it from the Services');
    }
    return stored ?? { state: undefined, version: '' };
  }

  #apply(
    state: LedgerState,
    operation: Operation,
    now: number,
  ): { state: LedgerState } | { exceeded: LimitExceeded } {
    switch (operation.kind) {
      case 'reserve': {
        const { limits, installation } = this.#settings;
        const outcome = reserve(state, operation.change, limits, installation, now);
        return outcome.ok ? { state: outcome.state } : { exceeded: outcome.exceeded };
      }
      case 'apply':
        return { state: applyChange(state, operation.change, now) };
      case 'revert':
        return { state: revertChange(state, operation.change) };
      case 'recount':
        return { state: this.#recounted(state, now) };
    }
  }

  #recounted(state: LedgerState, now: number): LedgerState {
    const exposures: CountedExposure[] = this.#index.all().map((record) => ({
      id: record.id,
      namespace: record.spec.namespace,
      subject: record.createdBy,
      usage: usageOfSpec(record.spec),
      generation: record.generation,
      terminating: isTerminating(record),
    }));
    return recount(exposures, state, now, this.#settings.pendingGraceMs);
  }
}

/** The ledger lives in exposure-api's own namespace: that namespace missing is an installation problem. */
function ledgerFailure(error: unknown): unknown {
  if (!(error instanceof ClusterError) || error.kind !== 'NamespaceNotFound') return error;
  return new ExposureProblem(
    'kubernetes-misconfigured',
    `the namespace of exposure-api's usage ledger does not exist (${error.message}); an administrator must create it or set leaderElection.namespace (POD_NAMESPACE) to exposure-api's own namespace`,
    { retryAfterSeconds: 30, cause: error },
  );
}

function limitProblem(exceeded: LimitExceeded, change: UsageChange): ExposureProblem {
  const setting = `${SETTING_NAMES[exceeded.scope]}.${exceeded.resource}`;
  const who =
    exceeded.scope === 'namespace'
      ? `namespace '${exceeded.holder}'`
      : exceeded.scope === 'subject'
        ? `'${exceeded.holder}'`
        : 'this installation';
  return new ExposureProblem(
    'quota-exceeded',
    `${who} would exceed its limit of ${exceeded.limit} ${exceeded.resource} (${setting}): ${exceeded.used} used, ${exceeded.requested} more requested; delete exposures no longer needed, or ask an administrator to raise the limit`,
    {
      quota: {
        source: 'InstallationLimit',
        name: setting,
        scope: exceeded.scope,
        ...(exceeded.scope === 'namespace' && { namespace: change.namespace }),
        ...(exceeded.scope === 'subject' && { subject: change.subject }),
        exceeded: [
          {
            resource: exceeded.resource,
            requested: exceeded.requested,
            used: exceeded.used,
            limit: exceeded.limit,
          },
        ],
      },
    },
  );
}
