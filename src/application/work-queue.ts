// A keyed work queue in the manner of client-go's: a key is queued at most once, never processed
// by two workers at once, and re-processed if it changed while being processed. Failures are
// retried with exponential backoff and jitter, so a broken exposure cannot starve the others.

export interface BackoffSettings {
  initialMs: number;
  maxMs: number;
}

export interface WorkQueueOptions {
  workers: number;
  backoff: BackoffSettings;
  /** Returns a number in [0, 1); injectable so tests are deterministic. */
  random?: () => number;
}

/** What a handler asks for: nothing (done), a retry with backoff, or a check again later. */
export type WorkResult =
  | { kind: 'done' }
  | { kind: 'retry'; notBeforeMs?: number }
  | { kind: 'recheck'; afterMs: number };

export class WorkQueue {
  readonly #handler: (key: string) => Promise<WorkResult>;
  readonly #options: WorkQueueOptions;
  readonly #random: () => number;
  readonly #queue: string[] = [];
  readonly #queued = new Set<string>();
  readonly #processing = new Set<string>();
  readonly #failures = new Map<string, number>();
  readonly #timers = new Map<string, NodeJS.Timeout>();
  readonly #idleWaiters: (() => void)[] = [];
  #running = 0;
  #stopped = false;

  constructor(handler: (key: string) => Promise<WorkResult>, options: WorkQueueOptions) {
    this.#handler = handler;
    this.#options = options;
    this.#random = options.random ?? Math.random;
  }

  add(key: string): void {
    if (this.#stopped || this.#queued.has(key)) return;
    this.#clearTimer(key);
    this.#queued.add(key);
    // A key being processed is picked up again when its worker finishes (see #finish).
    if (!this.#processing.has(key)) this.#queue.push(key);
    this.#pump();
  }

  addAfter(key: string, delayMs: number): void {
    if (this.#stopped) return;
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    const existing = this.#timers.get(key);
    if (existing) clearTimeout(existing);
    const timer = setTimeout(() => {
      this.#timers.delete(key);
      this.add(key);
    }, delayMs);
    timer.unref();
    this.#timers.set(key, timer);
  }

  /** Retries after an exponentially growing, jittered delay (at least `notBeforeMs`). */
  addWithBackoff(key: string, notBeforeMs = 0): number {
    const failures = this.#failures.get(key) ?? 0;
    this.#failures.set(key, failures + 1);
    const { initialMs, maxMs } = this.#options.backoff;
    const ceiling = Math.min(maxMs, initialMs * 2 ** failures);
    // "Equal jitter": half fixed, half random, so retries spread out but never collapse to zero.
    const delay = Math.max(notBeforeMs, Math.round(ceiling / 2 + (this.#random() * ceiling) / 2));
    this.addAfter(key, delay);
    return delay;
  }

  forget(key: string): void {
    this.#failures.delete(key);
  }

  failures(key: string): number {
    return this.#failures.get(key) ?? 0;
  }

  get length(): number {
    return this.#queue.length;
  }

  /** Resolves when nothing is queued or running (timers for later retries may remain). */
  async idle(): Promise<void> {
    if (this.#queue.length === 0 && this.#running === 0) return;
    await new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    this.#queue.length = 0;
    this.#queued.clear();
    await this.idle();
  }

  #pump(): void {
    while (!this.#stopped && this.#running < this.#options.workers && this.#queue.length > 0) {
      const key = this.#queue.shift() as string;
      this.#queued.delete(key);
      this.#processing.add(key);
      this.#running++;
      void this.#process(key);
    }
    if (this.#queue.length === 0 && this.#running === 0) {
      for (const resolve of this.#idleWaiters.splice(0)) resolve();
    }
  }

  async #process(key: string): Promise<void> {
    let result: WorkResult;
    try {
      result = await this.#handler(key);
    } catch {
      // Handlers report their own failures; an exception is still a failure to retry.
      result = { kind: 'retry' };
    }
    this.#processing.delete(key);
    this.#running--;
    if (result.kind === 'done') this.forget(key);
    else if (result.kind === 'recheck') {
      this.forget(key);
      this.addAfter(key, result.afterMs);
    } else if (!this.#queued.has(key)) this.addWithBackoff(key, result.notBeforeMs);
    if (this.#queued.has(key)) this.#queue.push(key);
    this.#pump();
  }

  #clearTimer(key: string): void {
    const timer = this.#timers.get(key);
    if (timer) {
      clearTimeout(timer);
      this.#timers.delete(key);
    }
  }
}
