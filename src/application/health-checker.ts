// Endpoint health with bounded cost: results are cached for a short TTL, a probe already in
// flight is shared by everyone who asks, at most `concurrency` probes run at once, and one read
// probes at most `maxProbesPerRead` endpoints (the rest stay Unknown, and say so).
import { LRUCache } from 'lru-cache';
import pLimit from 'p-limit';
import { type ProbeTarget, probeTargetKey } from '../domain/endpoints.ts';
import type { EndpointHealth } from '../schemas/exposure.ts';
import type { Clock } from './ports/clock.ts';
import type { ProbeResult, Prober } from './ports/prober.ts';

export interface HealthCheckSettings {
  timeoutMs: number;
  cacheTtlMs: number;
  concurrency: number;
  maxProbesPerRead: number;
  /** Upper bound on cached results (memory stays flat on very large clusters). */
  cacheEntries: number;
}

/**
 * A probe's result as cached. Of its target only the scope is kept (for counting results per
 * scope): the rest is what the key says and what the reader's endpoint knows, and up to 100,000
 * results are cached.
 */
export interface ProbeOutcome extends ProbeResult {
  checkedAtMs: number;
  scope: string | undefined;
}

export interface ProbeObserver {
  observe(outcome: ProbeOutcome): void;
}

/**
 * A bound on entries that does not reserve them: with `max`, lru-cache allocates its key, value and
 * link arrays for every entry up front (≈ 2.8 MB for 100,000, held by every replica from its start,
 * most of which never probes that much); bounded by a size of one per entry, they grow as it fills.
 */
function growingBound(entries: number): { maxSize: number; sizeCalculation: () => number } {
  return { maxSize: entries, sizeCalculation: () => 1 };
}

export class HealthChecker {
  readonly #prober: Prober;
  readonly #clock: Clock;
  readonly #settings: HealthCheckSettings;
  readonly #cache: LRUCache<string, ProbeOutcome>;
  readonly #inFlight = new Map<string, Promise<ProbeOutcome>>();
  readonly #scopeVersions = new LRUCache<string, number>(growingBound(100_000));
  /** How many cached results each scope has: a scope without any lists as all Unknown, cheaply. */
  readonly #resultsPerScope = new Map<string, number>();
  readonly #limit: ReturnType<typeof pLimit>;
  readonly #observer: ProbeObserver | undefined;

  constructor(prober: Prober, clock: Clock, settings: HealthCheckSettings, observer?: ProbeObserver) {
    this.#prober = prober;
    this.#clock = clock;
    this.#settings = settings;
    this.#cache = new LRUCache({
      ...growingBound(settings.cacheEntries),
      // An overwritten result ('set') is replaced by one of the same scope: the count stays.
      dispose: (outcome, _key, reason) => {
        if (reason !== 'set') this.#countResult(outcome.scope, -1);
      },
    });
    this.#limit = pLimit(settings.concurrency);
    this.#observer = observer;
  }

  /**
   * A number that changes whenever a result about this scope (a Service) is stored: summaries
   * built from cached results stay valid while it does not change.
   */
  scopeVersion(scope: string): number {
    return this.#scopeVersions.get(scope) ?? 0;
  }

  /** Whether any result about this scope is cached (however old). */
  hasResults(scope: string): boolean {
    return this.#resultsPerScope.has(scope);
  }

  #countResult(scope: string | undefined, change: 1 | -1): void {
    if (scope === undefined) return;
    const count = (this.#resultsPerScope.get(scope) ?? 0) + change;
    if (count > 0) this.#resultsPerScope.set(scope, count);
    else this.#resultsPerScope.delete(scope);
  }

  #bumpScope(scope: string | undefined): void {
    if (scope === undefined) return;
    this.#scopeVersions.set(scope, (this.#scopeVersions.get(scope) ?? 0) + 1);
  }

  /** The last result for a target, however old (never probes). */
  cached(target: ProbeTarget): ProbeOutcome | undefined {
    return this.#cache.get(probeTargetKey(target));
  }

  /**
   * The results for these probe keys if every one is cached and fresh, else undefined — the
   * synchronous fast path of `check`, for reads that need no probe at all.
   */
  freshResults(keys: readonly string[]): (ProbeOutcome | undefined)[] | undefined {
    const now = this.#clock.now();
    const results: ProbeOutcome[] = [];
    for (const key of keys) {
      const cached = this.#cache.get(key);
      if (!cached || now - cached.checkedAtMs >= this.#settings.cacheTtlMs) return undefined;
      results.push(cached);
    }
    return results;
  }

  /**
   * The targets `check` would probe, taken from a stream of them: those without a fresh result (all
   * of them with `refresh`), up to the per-read cap. For reads too large to list every target.
   */
  staleTargets(targets: Iterable<ProbeTarget>, options: { refresh?: boolean } = {}): ProbeTarget[] {
    const now = this.#clock.now();
    const stale = new Map<string, ProbeTarget>();
    for (const target of targets) {
      if (stale.size >= this.#settings.maxProbesPerRead) break;
      const key = probeTargetKey(target);
      if (stale.has(key)) continue;
      const cached = this.#cache.get(key);
      const fresh = cached !== undefined && now - cached.checkedAtMs < this.#settings.cacheTtlMs;
      if (!fresh || options.refresh) stale.set(key, target);
    }
    return [...stale.values()];
  }

  /**
   * Results for every target: fresh cached ones as they are; the others probed now (all of them
   * with `refresh`), up to the per-read cap. Targets beyond the cap get their last result, if any.
   */
  async check(
    targets: readonly ProbeTarget[],
    options: { refresh?: boolean } = {},
    /**
     * The targets' probe keys, in their order, when the caller keeps them: the cache then holds the
     * caller's strings instead of copies of the same text.
     */
    keys?: readonly string[],
  ): Promise<Map<string, ProbeOutcome>> {
    const now = this.#clock.now();
    const results = new Map<string, ProbeOutcome>();
    const pending: Promise<void>[] = [];
    // A target listed twice (several ports checked on one health-check port) is looked at once:
    // a probe still running must not take a second place in the per-read cap.
    const seen = new Set<string>();
    let probes = 0;
    for (let index = 0; index < targets.length; index++) {
      const target = targets[index] as ProbeTarget;
      const key = keys?.[index] ?? probeTargetKey(target);
      if (seen.has(key)) continue;
      seen.add(key);
      const cached = this.#cache.get(key);
      const fresh = cached !== undefined && now - cached.checkedAtMs < this.#settings.cacheTtlMs;
      if (fresh && !options.refresh) {
        results.set(key, cached);
        continue;
      }
      if (probes >= this.#settings.maxProbesPerRead) {
        if (cached) results.set(key, cached);
        continue;
      }
      probes++;
      pending.push(
        this.#probe(key, target).then((outcome) => {
          results.set(key, outcome);
        }),
      );
    }
    await Promise.all(pending);
    return results;
  }

  #probe(key: string, target: ProbeTarget): Promise<ProbeOutcome> {
    const existing = this.#inFlight.get(key);
    // A probe in flight is at most one timeout old: fresh enough to share, even for a refresh.
    if (existing) return existing;
    const started = this.#limit(async (): Promise<ProbeOutcome> => {
      let result: ProbeResult;
      try {
        result = await this.#prober.probe(target, this.#settings.timeoutMs);
      } catch (error) {
        result = { ok: false, latencyMs: 0, error: error instanceof Error ? error.message : String(error) };
      }
      const outcome: ProbeOutcome = { ...result, checkedAtMs: this.#clock.now(), scope: target.scope };
      if (!this.#cache.has(key)) this.#countResult(target.scope, 1);
      this.#cache.set(key, outcome);
      this.#bumpScope(target.scope);
      this.#observer?.observe(outcome);
      return outcome;
    });
    const tracked = started.finally(() => this.#inFlight.delete(key));
    this.#inFlight.set(key, tracked);
    return tracked;
  }
}

/** The health shown for an endpoint, from the outcome of its probe (or why there is none). */
export function healthFromOutcome(
  probe: { target: ProbeTarget; outcome: ProbeOutcome | undefined } | undefined,
  notProbedReason?: string,
): EndpointHealth {
  if (!probe?.outcome) {
    return { state: 'Unknown', reason: notProbedReason ?? 'not probed yet' };
  }
  const { target, outcome } = probe;
  return {
    state: outcome.ok ? 'Healthy' : 'Unhealthy',
    probedAddress: target.address,
    probe: `${target.kind} ${target.address.includes(':') ? `[${target.address}]` : target.address}:${target.port}${target.path ?? ''}`,
    latencyMs: Math.round(outcome.latencyMs * 10) / 10,
    checkedAt: new Date(outcome.checkedAtMs).toISOString(),
    ...(outcome.error !== undefined && { error: outcome.error }),
  };
}
