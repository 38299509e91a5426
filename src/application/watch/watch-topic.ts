// One watched exposure and everyone watching it. Its view is computed once per change and the same
// snapshot object handed to every subscriber, so the cost of a change does not grow with the number
// of watchers; while anyone watches, its endpoints are probed again on a timer shared by all of them.
import { etagOf } from '../../domain/spec-hash.ts';
import type { Exposure } from '../../schemas/exposure.ts';
import type { ExposureIndex } from '../exposure-index.ts';
import type { ExposureViews } from '../exposure-views.ts';
import type { Logger } from '../ports/log.ts';
import { exposureVersion } from './exposure-version.ts';

/** The exposure as a watch event shows it. */
export interface WatchSnapshot {
  /** The event id: a digest of what the exposure shows (see `exposureVersion`). */
  readonly version: string;
  readonly exposure: Exposure;
  readonly etag: string;
}

/**
 * Whoever follows an exposure. Calls come from timers and cache events and must return at once: a
 * subscriber that cannot deliver now keeps the latest snapshot and drops the ones before it.
 */
export interface WatchSubscriber {
  snapshot(snapshot: WatchSnapshot): void;
  /** The exposure is gone; nothing follows. */
  deleted(id: string): void;
}

export interface WatchTopicDependencies {
  id: string;
  index: ExposureIndex;
  views: ExposureViews;
  probeIntervalMs: number;
  log: Logger;
  /** Called once when the topic ends (deleted, left by everyone, or closed). */
  onEnded(topic: WatchTopic): void;
}

export class WatchTopic {
  readonly id: string;
  readonly #deps: WatchTopicDependencies;
  readonly #subscribers = new Set<WatchSubscriber>();
  /** The latest view, published or not (one that differs only in probe times is not). */
  #current: WatchSnapshot | undefined;
  #first: Promise<void> | undefined;
  /** Subscribers waiting for the first view: the topic must not end under them. */
  #joining = 0;
  #running = false;
  #again = false;
  #probeDue = false;
  #scheduled = false;
  #ended: 'deleted' | 'closed' | undefined;
  #probeTimer: NodeJS.Timeout | undefined;

  constructor(deps: WatchTopicDependencies) {
    this.id = deps.id;
    this.#deps = deps;
  }

  /** Computes the first view and starts probing; call once, after the topic can be found. */
  start(): void {
    this.#first ??= this.#refresh();
    this.#probeTimer ??= setInterval(() => {
      this.#probeDue = true;
      void this.#refresh();
    }, this.#deps.probeIntervalMs);
    this.#probeTimer.unref();
  }

  /**
   * Adds a subscriber once the first view is known, and hands it the current snapshot at once —
   * unless it is the one the subscriber last saw (`lastVersion`): then it hears only of changes.
   */
  async add(subscriber: WatchSubscriber, lastVersion: string | undefined): Promise<void> {
    this.#joining++;
    try {
      await this.#first;
    } finally {
      this.#joining--;
    }
    if (this.#ended === 'deleted') {
      subscriber.deleted(this.id);
      return;
    }
    const current = this.#current;
    if (this.#ended || !current) {
      this.#closeIfIdle();
      throw new Error(`exposure ${this.id} could not be read for its watchers`);
    }
    if (current.version !== lastVersion) subscriber.snapshot(current);
    this.#subscribers.add(subscriber);
  }

  remove(subscriber: WatchSubscriber): void {
    this.#subscribers.delete(subscriber);
    this.#closeIfIdle();
  }

  #closeIfIdle(): void {
    if (this.#subscribers.size === 0 && this.#joining === 0) this.close();
  }

  /** Something the view depends on changed: look again soon (several changes at once, once). */
  changed(): void {
    if (this.#scheduled || this.#ended) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      void this.#refresh();
    });
  }

  /** Ends the topic without telling the subscribers (they are closed by whoever holds them). */
  close(): void {
    this.#end('closed');
  }

  async #refresh(): Promise<void> {
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = true;
    try {
      do {
        this.#again = false;
        const refresh = this.#probeDue;
        this.#probeDue = false;
        const record = this.#deps.index.get(this.id);
        if (!record) {
          this.#end('deleted');
          return;
        }
        const exposure = await this.#deps.views.full(record, refresh ? { refresh } : {});
        if (this.#ended) return;
        this.#accept(exposure, etagOf(record.specHash));
      } while (this.#again && !this.#ended);
    } catch (error) {
      // A view that cannot be built now may be buildable at the next change or probe round.
      this.#deps.log.warn(
        { err: error, exposureId: this.id },
        'could not compute the view of a watched exposure',
      );
    } finally {
      this.#running = false;
    }
  }

  #accept(exposure: Exposure, etag: string): void {
    const previous = this.#current;
    const version = exposureVersion(exposure, etag);
    this.#current = { version, exposure, etag };
    if (previous?.version === version) return;
    for (const subscriber of this.#subscribers)
      this.#deliver(() => subscriber.snapshot(this.#current as WatchSnapshot));
  }

  #end(reason: 'deleted' | 'closed'): void {
    if (this.#ended) return;
    this.#ended = reason;
    clearInterval(this.#probeTimer);
    if (reason === 'deleted') {
      for (const subscriber of this.#subscribers) this.#deliver(() => subscriber.deleted(this.id));
    }
    this.#subscribers.clear();
    this.#current = undefined;
    this.#deps.onEnded(this);
  }

  /** One subscriber's failure must not keep the others from hearing of the change. */
  #deliver(call: () => void): void {
    try {
      call();
    } catch (error) {
      this.#deps.log.warn({ err: error, exposureId: this.id }, 'a watcher failed to take an event');
    }
  }
}
