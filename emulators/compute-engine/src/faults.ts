// Injected failures: a share of requests answered with an error status (and the envelope the
// real API sends with it) instead of being handled, and added latency, for every request or for
// some HTTP methods only. With a seed the sequence of decisions is the same on every run, so a
// test can rely on it.

export interface ComputeFaults {
  /** Share of requests (0..1) that fail with one of `statuses` instead of being handled. */
  errorRate?: number;
  /** Statuses to fail with, picked at random; default [503]. */
  statuses?: number[];
  /** Delay before every answer: a fixed number of ms, or a [min, max] range. */
  latencyMs?: number | [number, number];
  /**
   * The HTTP methods the faults apply to (say, the writes only, to hold a client's writes back
   * while its reads go through); every method unless given.
   */
  methods?: string[];
  seed?: number;
}

export interface FaultDecision {
  delayMs: number;
  /** The status to fail with, or undefined to handle the request normally. */
  failWith: number | undefined;
}

export class FaultInjector {
  readonly #faults: ComputeFaults;
  readonly #random: () => number;

  constructor(faults: ComputeFaults) {
    this.#faults = faults;
    this.#random = mulberry32(faults.seed ?? Math.floor(Math.random() * 2 ** 32));
  }

  /** What to do with a request of `method` (unaffected methods leave the sequence untouched). */
  decide(method?: string): FaultDecision {
    const { methods } = this.#faults;
    const affected = methods?.some((m) => m.toUpperCase() === method?.toUpperCase()) ?? true;
    if (!affected) {
      return { delayMs: 0, failWith: undefined };
    }
    const { errorRate = 0, statuses = [503], latencyMs = 0 } = this.#faults;
    const [min, max] = typeof latencyMs === 'number' ? [latencyMs, latencyMs] : latencyMs;
    const delayMs = min + (max - min) * this.#random();
    const fails = errorRate > 0 && this.#random() < errorRate && statuses.length > 0;
    const failWith = fails ? statuses[Math.floor(this.#random() * statuses.length)] : undefined;
    return { delayMs, failWith };
  }
}

/** A small, fast, seedable PRNG; quality is ample for choosing which requests fail. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}
