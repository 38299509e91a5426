// The two lookups a request can make beyond the caches, bounded so that no caller can turn requests
// into apiserver load:
//
// - an exposure id missing from the cache (created through another replica a moment ago?): lookups
//   of the same id share one call (single flight), a miss is remembered, and every id waiting when
//   a call can start goes into that one call (a set-based label selector). One call runs at a time,
//   at most one per `minIntervalMs`: whatever the request rate, the API sees at most 1000 /
//   minIntervalMs lookups a second, and a burst of misses costs one call per `maxIdsPerCall` ids.
// - the holder of a taken node port, to name it in the conflict: answered from the cache when a
//   managed Service holds it; otherwise from one walk over all Services, shared by every conflict
//   for `holderSnapshotTtlMs`, walked again at most that often.
import { LRUCache } from 'lru-cache';
import type { ObservedService } from '../domain/cluster-objects.ts';
import { EXPOSURE_ID_LABEL } from '../domain/naming.ts';
import type { NodePortHolders } from './cluster-errors.ts';
import type { Cluster, NodePortAllocation, NodePortHolder } from './ports/cluster.ts';
import { ExposureProblem } from './problems.ts';

export interface LookupSettings {
  /** Least time between the starts of two id lookups. */
  minIntervalMs: number;
  /** Ids asked for in one call (the Kubernetes adapter's set-based selector takes this many). */
  maxIdsPerCall: number;
  /** Ids waiting for a lookup at most; beyond, a lookup is refused (503) rather than queued. */
  maxWaitingIds: number;
  /** How long an id found missing is remembered (ids are made by the service: a missing one stays missing). */
  missTtlMs: number;
  /** How long one walk over all Services names the holders of taken node ports. */
  holderSnapshotTtlMs: number;
}

export const DEFAULT_LOOKUP_SETTINGS: LookupSettings = {
  minIntervalMs: 100,
  maxIdsPerCall: 200,
  maxWaitingIds: 5_000,
  missTtlMs: 60_000,
  holderSnapshotTtlMs: 5_000,
};

interface Waiter {
  resolve(service: ObservedService | undefined): void;
  reject(error: unknown): void;
  promise: Promise<ObservedService | undefined>;
}

export class ExposureLookups implements NodePortHolders {
  readonly #cluster: Cluster;
  readonly #settings: LookupSettings;
  /** Ids waiting for the next call, in arrival order, with the promise their callers share. */
  readonly #waiting = new Map<string, Waiter>();
  /** Ids in the call that is running. */
  readonly #inFlight = new Map<string, Waiter>();
  readonly #misses: LRUCache<string, true>;
  #running = false;
  #timer: NodeJS.Timeout | undefined;
  /** Times are performance.now(): intervals of real time, whatever the service's clock says. */
  #lastCallAt = Number.NEGATIVE_INFINITY;
  /** Managed Services' node ports from the cache, rebuilt after a Service changed. */
  #cachedHolders: Map<number, NodePortAllocation[]> | undefined;
  #snapshot: { takenAt: number; byPort: Map<number, NodePortAllocation[]> } | undefined;
  #walk: Promise<Map<number, NodePortAllocation[]>> | undefined;
  #unsubscribe: (() => void) | undefined;

  constructor(cluster: Cluster, settings: Partial<LookupSettings> = {}) {
    this.#cluster = cluster;
    this.#settings = { ...DEFAULT_LOOKUP_SETTINGS, ...settings };
    this.#misses = new LRUCache({ max: 10_000, ttl: this.#settings.missTtlMs });
  }

  /** Follows the cache's changes (for holders served from it); before, the cache is read afresh each time. */
  start(): void {
    this.#unsubscribe = this.#cluster.subscribe((event) => {
      if (event.kind === 'service') this.#cachedHolders = undefined;
    });
  }

  stop(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#cachedHolders = undefined;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    // Nothing will ask for the ids still waiting: their callers hear it rather than wait forever.
    const stopping = new ExposureProblem('kubernetes-unavailable', 'exposure-api is stopping; retry', {
      retryAfterSeconds: 1,
    });
    for (const waiter of this.#waiting.values()) waiter.reject(stopping);
    this.#waiting.clear();
  }

  /** The managed Service of an exposure id, asked of the API (coalesced as above). */
  findByExposureId(id: string): Promise<ObservedService | undefined> {
    if (this.#misses.has(id)) return Promise.resolve(undefined);
    const shared = this.#inFlight.get(id) ?? this.#waiting.get(id);
    if (shared) return shared.promise;
    if (this.#waiting.size >= this.#settings.maxWaitingIds) {
      return Promise.reject(
        new ExposureProblem(
          'kubernetes-unavailable',
          'too many lookups of exposures missing from the cache are waiting; retry shortly',
          { retryAfterSeconds: 1 },
        ),
      );
    }
    const waiter = deferred();
    this.#waiting.set(id, waiter);
    this.#schedule();
    return waiter.promise;
  }

  async nodePortHolder(nodePort: number, protocol: 'TCP' | 'UDP'): Promise<NodePortHolder | undefined> {
    const cached = pick(this.#holdersInCache().get(nodePort), protocol);
    if (cached) return cached;
    const now = performance.now();
    const fresh = this.#snapshot && now - this.#snapshot.takenAt < this.#settings.holderSnapshotTtlMs;
    const byPort = fresh && this.#snapshot ? this.#snapshot.byPort : await this.#walkAllServices();
    return pick(byPort.get(nodePort), protocol);
  }

  // --- internals --------------------------------------------------------------------------

  #schedule(): void {
    if (this.#running || this.#timer || this.#waiting.size === 0) return;
    const wait = Math.max(0, this.#lastCallAt + this.#settings.minIntervalMs - performance.now());
    // Even with no wait, let the requests that arrived in this turn of the event loop join in.
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#call();
    }, wait);
  }

  async #call(): Promise<void> {
    this.#running = true;
    this.#lastCallAt = performance.now();
    const ids = [...this.#waiting.keys()].slice(0, this.#settings.maxIdsPerCall);
    for (const id of ids) {
      this.#inFlight.set(id, this.#waiting.get(id) as Waiter);
      this.#waiting.delete(id);
    }
    try {
      // One id is a plain equality selector; several share one set-based selector.
      const found =
        ids.length === 1
          ? [await this.#cluster.findServiceByExposureId(ids[0] as string)].filter(isService)
          : await this.#cluster.findServicesByExposureIds(ids);
      const byId = new Map(found.map((service) => [service.labels[EXPOSURE_ID_LABEL], service]));
      for (const id of ids) {
        const service = byId.get(id);
        if (!service) this.#misses.set(id, true);
        this.#inFlight.get(id)?.resolve(service);
      }
    } catch (error) {
      for (const id of ids) this.#inFlight.get(id)?.reject(error);
    } finally {
      for (const id of ids) this.#inFlight.delete(id);
      this.#running = false;
      this.#schedule();
    }
  }

  #holdersInCache(): Map<number, NodePortAllocation[]> {
    if (this.#cachedHolders && this.#unsubscribe) return this.#cachedHolders;
    const byPort = new Map<number, NodePortAllocation[]>();
    for (const service of this.#cluster.cachedServices()) {
      for (const port of service.ports) {
        add(byPort, {
          namespace: service.namespace,
          name: service.name,
          terminating: service.deletionTimestamp !== undefined,
          nodePort: port.nodePort,
          protocol: port.protocol,
        });
      }
    }
    this.#cachedHolders = byPort;
    return byPort;
  }

  /** One walk at a time; every conflict that arrives meanwhile waits for it. */
  #walkAllServices(): Promise<Map<number, NodePortAllocation[]>> {
    this.#walk ??= (async () => {
      try {
        const byPort = new Map<number, NodePortAllocation[]>();
        for (const allocation of await this.#cluster.nodePortHolders()) add(byPort, allocation);
        this.#snapshot = { takenAt: performance.now(), byPort };
        return byPort;
      } finally {
        this.#walk = undefined;
      }
    })();
    return this.#walk;
  }
}

function deferred(): Waiter {
  let resolve!: Waiter['resolve'];
  let reject!: Waiter['reject'];
  const promise = new Promise<ObservedService | undefined>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A caller may stop waiting (a closed connection); the rejection is still handled.
  promise.catch(() => {});
  return { resolve, reject, promise };
}

function isService(service: ObservedService | undefined): service is ObservedService {
  return service !== undefined;
}

function add(byPort: Map<number, NodePortAllocation[]>, allocation: NodePortAllocation): void {
  const list = byPort.get(allocation.nodePort) ?? [];
  list.push(allocation);
  byPort.set(allocation.nodePort, list);
}

/**
 * The holder on the same protocol first; node ports are allocated by number across protocols, so
 * a holder on another protocol counts too.
 */
function pick(holders: NodePortAllocation[] | undefined, protocol: string): NodePortHolder | undefined {
  const found = holders?.find((h) => h.protocol === protocol) ?? holders?.[0];
  return found && { namespace: found.namespace, name: found.name, terminating: found.terminating };
}
