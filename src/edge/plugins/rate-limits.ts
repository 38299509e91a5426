// Rate limits (@fastify/rate-limit, its in-memory store: per replica). Reads and writes are
// limited per caller — the token's subject, known once authentication has run — each with its
// own budget, so a flood of reads cannot spend a caller's writes. Failed authentication is limited
// per client address, in the authentication hook itself (a 401 is answered before any route-level
// hook runs), and an address over that limit is locked out of every authenticated route until its
// window ends: answering a valid token with 200 while wrong ones get 429 would let guessing go on.
// Refusals are 429 problems with Retry-After, counted in /metrics, and logged once per window
// per caller or address, not once per request.
import { createRequire } from 'node:module';
import fastifyRateLimit, { normalizeIP } from '@fastify/rate-limit';
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest, onRequestHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import { LRUCache } from 'lru-cache';
import type { HttpMetrics, RequestLimit } from '../../application/ports/http-metrics.ts';
import type { EdgeLimits, WindowLimit } from '../edge-limits.ts';
import { EdgeProblem } from '../edge-problem.ts';

/** Callers and addresses whose counters are kept (the least recently seen are dropped beyond). */
const TRACKED_KEYS = 10_000;

/** What the plugin's in-memory store does: count a key in its fixed window, synchronously. */
interface WindowCounter {
  incr(
    key: string,
    done: (error: Error | null, counted?: { current: number; ttl: number }) => void,
    windowMs: number,
    max: number,
  ): void;
}
/** The plugin's default store (an LRU-bounded map of fixed-window counters); it has no typed export. */
const LocalStore = createRequire(import.meta.url)('@fastify/rate-limit/store/LocalStore') as new (
  continueExceeding: boolean,
  exponentialBackoff: boolean,
  cache: number,
) => WindowCounter;

export interface RequestLimits {
  /** onRequest hooks for authenticated routes, keyed by the caller: one for reads, one for writes. */
  reads: onRequestHookHandler;
  writes: onRequestHookHandler;
  /**
   * Counts a read by `subject` in the same windows as the `reads` hook, for a read answered before
   * the routes (kept-reads.ts); true while it is within the limit.
   */
  countRead(subject: string): boolean;
  failedAuthentication: FailedAuthenticationLimit;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The rate limits of the edge (decorated by the rate-limits plugin). */
    requestLimits: RequestLimits;
  }
}

/** Logs a refusal once per window per key: a flood of 429s must not become a flood of log lines. */
class RefusalLog {
  readonly #logged: LRUCache<string, true>;
  readonly #limit: RequestLimit;
  readonly #window: WindowLimit;
  readonly #log: FastifyBaseLogger;

  constructor(limit: RequestLimit, window: WindowLimit, log: FastifyBaseLogger) {
    this.#limit = limit;
    this.#window = window;
    this.#log = log;
    this.#logged = new LRUCache({ max: TRACKED_KEYS, ttl: window.windowMs });
  }

  refused(key: string, request: FastifyRequest): void {
    if (this.#logged.has(key)) return;
    this.#logged.set(key, true);
    this.#log.warn(
      {
        reqId: request.id,
        limit: this.#limit,
        key,
        max: this.#window.max,
        windowSeconds: this.#window.windowMs / 1000,
      },
      `rate limit '${this.#limit}' reached by ${key}: more than ${this.#window.max} in ${this.#window.windowMs / 1000} s; further refusals in this window are counted in /metrics, not logged`,
    );
  }
}

/** Failed authentication per client address, and the lock-out of an address past its limit. */
export class FailedAuthenticationLimit {
  readonly #count: ReturnType<FastifyInstance['createRateLimit']>;
  /** Address → when its lock-out ends (ms). */
  readonly #lockedUntil: LRUCache<string, number>;
  readonly #refusals: RefusalLog;
  readonly #metrics: HttpMetrics;

  constructor(app: FastifyInstance, window: WindowLimit, metrics: HttpMetrics) {
    this.#count = app.createRateLimit({ max: window.max, timeWindow: window.windowMs });
    this.#lockedUntil = new LRUCache({ max: TRACKED_KEYS, ttl: window.windowMs, ttlAutopurge: true });
    this.#refusals = new RefusalLog('failed-authentication', window, app.log);
    this.#metrics = metrics;
  }

  /** Whether any address is locked out now (or was, within its window). Counts nothing. */
  anyLockedOut(): boolean {
    return this.#lockedUntil.size > 0;
  }

  /**
   * Seconds the request's address is still locked out for, 0 if it is not. Synchronous, and a
   * size check only while no address is locked: it runs on every authenticated request.
   */
  lockedOutSeconds(request: FastifyRequest): number {
    if (this.#lockedUntil.size === 0) return 0;
    const until = this.#lockedUntil.get(normalizeIP(request.ip));
    if (until === undefined) return 0;
    const seconds = Math.ceil((until - Date.now()) / 1000);
    if (seconds <= 0) return 0;
    this.#metrics.countRateLimited('failed-authentication');
    return seconds;
  }

  /** Counts a failed authentication; resolves to the seconds of the lock-out it starts, or 0. */
  async failed(request: FastifyRequest): Promise<number> {
    const outcome = await this.#count(request);
    if (outcome.isAllowed || !outcome.isExceeded) return 0;
    const seconds = Math.max(1, outcome.ttlInSeconds);
    this.#lockedUntil.set(outcome.key, Date.now() + seconds * 1000, { ttl: seconds * 1000 });
    this.#metrics.countRateLimited('failed-authentication');
    this.#refusals.refused(outcome.key, request);
    return seconds;
  }
}

function subjectOf(request: FastifyRequest): string {
  // Only registered behind authentication, which sets the principal or answers 401 first.
  return request.principal?.subject ?? normalizeIP(request.ip);
}

/**
 * A caller's limit as a callback-style onRequest hook over the plugin's in-memory store. The
 * plugin's own route hook is async (several promises and closures per request, and a route-options
 * object built for its group lookup), which is measurable on the cached read path; the store's
 * synchronous count costs a map lookup. `count` counts in the same windows without a request, for
 * reads answered before the routes.
 */
function callerLimit(
  app: FastifyInstance,
  limit: 'reads' | 'writes',
  window: WindowLimit,
  metrics: HttpMetrics,
): { hook: onRequestHookHandler; count(subject: string): boolean } {
  const refusals = new RefusalLog(limit, window, app.log);
  const store = new LocalStore(false, false, TRACKED_KEYS);
  const { max, windowMs } = window;
  const count = (subject: string) => {
    let within = false;
    store.incr(
      subject,
      (_error, counted) => (within = counted !== undefined && counted.current <= max),
      windowMs,
      max,
    );
    return within;
  };
  const hook: onRequestHookHandler = (request, reply, done) => {
    const key = subjectOf(request);
    store.incr(
      key,
      (_error, counted) => {
        // The in-memory store never fails; without a count there is nothing to limit on.
        if (!counted) return done();
        // Within the limit nothing is added to the answer: three X-RateLimit-* headers on every
        // answer cost more CPU than the count itself. A refusal carries them, with Retry-After.
        if (counted.current <= max) return done();
        const resetSeconds = Math.max(1, Math.ceil(counted.ttl / 1000));
        reply.header('x-ratelimit-limit', max);
        reply.header('x-ratelimit-remaining', 0);
        reply.header('x-ratelimit-reset', resetSeconds);
        metrics.countRateLimited(limit);
        refusals.refused(key, request);
        done(
          new EdgeProblem(
            'rate-limited',
            `more than ${max} ${limit} in ${windowMs / 1000} s by ${key}; retry after ${resetSeconds} s`,
            { retryAfterSeconds: resetSeconds },
          ),
        );
      },
      windowMs,
      max,
    );
  };
  return { hook, count };
}

async function rateLimits(
  app: FastifyInstance,
  options: { limits: EdgeLimits['rateLimits']; metrics: HttpMetrics },
): Promise<void> {
  await app.register(fastifyRateLimit, { global: false, cache: TRACKED_KEYS });
  const reads = callerLimit(app, 'reads', options.limits.reads, options.metrics);
  app.decorate('requestLimits', {
    reads: reads.hook,
    writes: callerLimit(app, 'writes', options.limits.writes, options.metrics).hook,
    countRead: reads.count,
    failedAuthentication: new FailedAuthenticationLimit(
      app,
      options.limits.failedAuthentication,
      options.metrics,
    ),
  } satisfies RequestLimits);
}

export default fp(rateLimits, { name: 'rate-limits' });
