// A keyed work queue in the manner of client-go's: an item is queued at most once, never processed
// by two workers at once, and re-processed if it changed while being processed. Failures are
// retried with exponential backoff and jitter, so a broken item cannot starve the others. Items
// are typed; their identity is the string their `key` function gives.
//
// Waiting items are served fairly (fair-queue.ts): by priority, then by flow in turn, so that one
// flow's thousand items do not hold up another's one. Without `flow` and `priority` every item is
// in one flow of one priority, and the queue is first in, first out.
import { type FairEntry, FairQueue } from './fair-queue.ts';

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
  /** Whose turn the item waits for (e.g. its namespace); one flow unless given. */
  flow?: (item: Item) => string;
  /** Items of a higher priority are served first; 0 unless given. */
  priority?: (item: Item) => number;
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
  /** The items waiting for a worker. */
  readonly #waiting = new FairQueue<Item>();
  /** Items added while an item of the same key was being processed: queued when it finishes. */
  readonly #parked = new Map<string, Item>();
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

  /**
   * Queues the item unless an item of its key is queued already; one of a higher priority takes
   * the queued one's place (and moves up).
   */
  add(item: Item): void {
    const key = this.#options.key(item);
    if (this.#stopped) return;
    this.#clearTimer(key);
    if (this.#processing.has(key)) {
      // Picked up again when its worker finishes (see #process).
      const parked = this.#parked.get(key);
      if (!parked || this.#priorityOf(item) > this.#priorityOf(parked)) this.#parked.set(key, item);
      return;
    }
    this.#waiting.push(key, item, this.#entryOf(item));
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
    return this.#waiting.size;
  }

  /** Resolves when nothing is queued or running (timers for later retries may remain). */
  async idle(): Promise<void> {
    if (this.#waiting.size === 0 && this.#running === 0) return;
    await new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    this.#waiting.clear();
    this.#parked.clear();
    await this.idle();
  }

  #pump(): void {
    while (!this.#stopped && this.#running < this.#options.workers) {
      const next = this.#waiting.shift();
      if (!next) break;
      this.#processing.add(next.key);
      this.#running++;
      void this.#process(next.key, next.item);
    }
    if (this.#waiting.size === 0 && this.#running === 0) {
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
    } else if (!this.#parked.has(key)) this.addWithBackoff(item, result.notBeforeMs);
    const parked = this.#parked.get(key);
    if (parked !== undefined) {
      this.#parked.delete(key);
      this.#waiting.push(key, parked, this.#entryOf(parked));
    }
    this.#pump();
  }

  #entryOf(item: Item): FairEntry {
    return { flow: this.#options.flow?.(item) ?? '', priority: this.#priorityOf(item) };
  }

  #priorityOf(item: Item): number {
    return this.#options.priority?.(item) ?? 0;
  }

  #clearTimer(key: string): void {
    const timer = this.#timers.get(key);
    if (timer) {
      clearTimeout(timer);
      this.#timers.delete(key);
    }
  }
}
