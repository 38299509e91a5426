// A keyed work queue in the manner of client-go's: an item is queued at most once, never processed
// by two workers at once, and re-processed if it changed while being processed. Failures are
// retried with exponential backoff and jitter, so a broken item cannot starve the others. Items
// are typed; their identity is the string their `key` function gives.

export interface BackoffSettings {
  initialMs: number;
  maxMs: number;
}

export interface WorkQueueOptions<Item> {
  workers: number;
  backoff: BackoffSettings;
  /** The item's identity: two items with the same key are the same piece of work. */
  key: (item: Item) => string;
  /** Returns a number in [0, 1); injectable so tests are deterministic. */
  random?: () => number;
}

/** What a handler asks for: nothing (done), a retry with backoff, or a check again later. */
export type WorkResult =
  | { kind: 'done' }
  | { kind: 'retry'; notBeforeMs?: number }
  | { kind: 'recheck'; afterMs: number };

export class WorkQueue<Item> {
  readonly #handler: (item: Item) => Promise<WorkResult>;
  readonly #options: WorkQueueOptions<Item>;
  readonly #random: () => number;
  readonly #queue: string[] = [];
  /** The items waiting for a worker (or for their running predecessor to finish), by key. */
  readonly #queued = new Map<string, Item>();
  readonly #processing = new Set<string>();
  readonly #failures = new Map<string, number>();
  readonly #timers = new Map<string, NodeJS.Timeout>();
  readonly #idleWaiters: (() => void)[] = [];
  #running = 0;
  #stopped = false;

  constructor(handler: (item: Item) => Promise<WorkResult>, options: WorkQueueOptions<Item>) {
    this.#handler = handler;
    this.#options = options;
    this.#random = options.random ?? Math.random;
  }

  add(item: Item): void {
    const key = this.#options.key(item);
    if (this.#stopped || this.#queued.has(key)) return;
    this.#clearTimer(key);
    this.#queued.set(key, item);
    // An item being processed is picked up again when its worker finishes (see #process).
    if (!this.#processing.has(key)) this.#queue.push(key);
    this.#pump();
  }

  addAfter(item: Item, delayMs: number): void {
    if (this.#stopped) return;
    if (delayMs <= 0) {
      this.add(item);
      return;
    }
    const key = this.#options.key(item);
    const existing = this.#timers.get(key);
    if (existing) clearTimeout(existing);
    const timer = setTimeout(() => {
      this.#timers.delete(key);
      this.add(item);
    }, delayMs);
    timer.unref();
    this.#timers.set(key, timer);
  }

  /** Retries after an exponentially growing, jittered delay (at least `notBeforeMs`). */
  addWithBackoff(item: Item, notBeforeMs = 0): number {
    const key = this.#options.key(item);
    const failures = this.#failures.get(key) ?? 0;
    this.#failures.set(key, failures + 1);
    const { initialMs, maxMs } = this.#options.backoff;
    const ceiling = Math.min(maxMs, initialMs * 2 ** failures);
    // "Equal jitter": half fixed, half random, so retries spread out but never collapse to zero.
    const delay = Math.max(notBeforeMs, Math.round(ceiling / 2 + (this.#random() * ceiling) / 2));
    this.addAfter(item, delay);
    return delay;
  }

  forget(item: Item): void {
    this.#failures.delete(this.#options.key(item));
  }

  failures(item: Item): number {
    return this.#failures.get(this.#options.key(item)) ?? 0;
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
      const item = this.#queued.get(key) as Item;
      this.#queued.delete(key);
      this.#processing.add(key);
      this.#running++;
      void this.#process(key, item);
    }
    if (this.#queue.length === 0 && this.#running === 0) {
      for (const resolve of this.#idleWaiters.splice(0)) resolve();
    }
  }

  async #process(key: string, item: Item): Promise<void> {
    let result: WorkResult;
    try {
      result = await this.#handler(item);
    } catch {
      // Handlers report their own failures; an exception is still a failure to retry.
      result = { kind: 'retry' };
    }
    this.#processing.delete(key);
    this.#running--;
    if (result.kind === 'done') this.forget(item);
    else if (result.kind === 'recheck') {
      this.forget(item);
      this.addAfter(item, result.afterMs);
    } else if (!this.#queued.has(key)) this.addWithBackoff(item, result.notBeforeMs);
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
