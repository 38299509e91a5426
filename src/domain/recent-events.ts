// The recent Kubernetes Events of the Services exposure-api manages, as `GET /exposures/{id}/events`
// serves them: newest first, and bounded per Service and in total, so that a cluster's Event churn
// cannot grow the cache without limit. Both Cluster implementations keep their events in one of
// these; the Kubernetes adapter's Event informer uses it as its store (hence the Map-like methods).

export type EventType = 'Normal' | 'Warning';

/** One Event on a Service, reduced to what the API shows. */
export interface ServiceEventObservation {
  /** The uid of the Service the Event is about (its `involvedObject`). */
  serviceUid: string;
  type: EventType;
  /** CamelCase, e.g. `FirewallCreated`. */
  reason: string;
  message: string;
  /** How many times it happened (repeats are counted on one Event, as the event recorder does). */
  count: number;
  firstTimestamp: string;
  lastTimestamp: string;
  /** Who reported it, e.g. `exposure-api`. */
  source: string;
}

export interface RecentEventLimits {
  /** Events kept per Service: the newest. */
  perService: number;
  /** Events kept in all: the ones that arrived last. */
  total: number;
}

/**
 * 10,000 exposures with a few events each; ≈ 300 bytes an event makes ≈ 6 MB at most. Kubernetes
 * keeps Events an hour by default, so in steady state far fewer are held.
 */
export const DEFAULT_EVENT_LIMITS: RecentEventLimits = { perService: 50, total: 20_000 };

/** The most events one read lists: what the cache keeps of one Service. */
export const MAX_EVENTS_PER_READ = DEFAULT_EVENT_LIMITS.perService;

const NONE: readonly ServiceEventObservation[] = Object.freeze([]);

export class RecentServiceEvents {
  readonly #limits: RecentEventLimits;
  readonly #accept: (event: ServiceEventObservation) => boolean;
  /** Every event kept, by its key, in order of arrival (a change moves it to the end). */
  readonly #all = new Map<string, ServiceEventObservation>();
  /** Keys of the events kept per Service uid. */
  readonly #keysByService = new Map<string, Set<string>>();
  /** forService() per uid, rebuilt on the first read after a change. */
  readonly #newestFirst = new Map<string, readonly ServiceEventObservation[]>();

  constructor(
    limits: RecentEventLimits = DEFAULT_EVENT_LIMITS,
    /** Events of other objects are not kept (the Kubernetes adapter keeps managed Services' only). */
    accept: (event: ServiceEventObservation) => boolean = () => true,
  ) {
    this.#limits = limits;
    this.#accept = accept;
  }

  /** The Service's events, newest first (the same array while they did not change). */
  forService(uid: string): readonly ServiceEventObservation[] {
    const cached = this.#newestFirst.get(uid);
    if (cached) return cached;
    const keys = this.#keysByService.get(uid);
    if (!keys) return NONE;
    const events = [...keys].flatMap((key) => {
      const event = this.#all.get(key);
      return event ? [event] : [];
    });
    // Newest arrival first where the timestamps (whole seconds) tie; sort() is stable.
    events.reverse().sort(newestFirst);
    const frozen = Object.freeze(events);
    this.#newestFirst.set(uid, frozen);
    return frozen;
  }

  /** Drops the events of a Service that is gone. */
  forgetService(uid: string): void {
    for (const key of this.#keysByService.get(uid) ?? []) this.delete(key);
  }

  get(key: string): ServiceEventObservation | undefined {
    return this.#all.get(key);
  }

  /** Keeps the event (unless it is not accepted), then drops the oldest beyond the limits. */
  set(key: string, event: ServiceEventObservation): this {
    this.delete(key);
    if (!this.#accept(event)) return this;
    this.#all.set(key, event);
    let keys = this.#keysByService.get(event.serviceUid);
    if (!keys) {
      keys = new Set();
      this.#keysByService.set(event.serviceUid, keys);
    }
    keys.add(key);
    this.#newestFirst.delete(event.serviceUid);
    if (keys.size > this.#limits.perService) {
      const oldest = this.forService(event.serviceUid).at(-1);
      const oldestKey = oldest && [...keys].find((candidate) => this.#all.get(candidate) === oldest);
      if (oldestKey !== undefined) this.delete(oldestKey);
    }
    while (this.#all.size > this.#limits.total) {
      const first = this.#all.keys().next();
      if (first.done) break;
      this.delete(first.value);
    }
    return this;
  }

  delete(key: string): boolean {
    const event = this.#all.get(key);
    if (!event) return false;
    this.#all.delete(key);
    const keys = this.#keysByService.get(event.serviceUid);
    keys?.delete(key);
    if (keys?.size === 0) this.#keysByService.delete(event.serviceUid);
    this.#newestFirst.delete(event.serviceUid);
    return true;
  }

  keys(): IterableIterator<string> {
    return this.#all.keys();
  }

  values(): IterableIterator<ServiceEventObservation> {
    return this.#all.values();
  }

  get size(): number {
    return this.#all.size;
  }
}

function newestFirst(a: ServiceEventObservation, b: ServiceEventObservation): number {
  if (a.lastTimestamp === b.lastTimestamp) return 0;
  return a.lastTimestamp < b.lastTimestamp ? 1 : -1;
}
