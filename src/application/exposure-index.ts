// Exposure records indexed by id, kept current from the cluster's informer events. Each Service
// is parsed once per change (not once per read), so reads are map lookups.
import { LRUCache } from 'lru-cache';
import type { ObservedService, ServiceRef } from '../domain/cluster-objects.ts';
import { serviceKey } from '../domain/cluster-objects.ts';
import { type ExposureRecord, readExposureRecord } from '../domain/exposure-record.ts';
import type { Cluster, ClusterEvent } from './ports/cluster.ts';
import type { Logger } from './ports/log.ts';

export class ExposureIndex {
  readonly #cluster: Cluster;
  readonly #clusterId: string;
  readonly #log: Logger;
  readonly #byId = new Map<string, ExposureRecord>();
  readonly #idByService = new Map<string, string>();
  readonly #idByIdempotencyKey = new Map<string, string>();
  readonly #listeners = new Set<(id: string) => void>();
  /**
   * Services seen deleted: a direct API read that started before the deletion and answers after
   * it must not bring the exposure back as a ghost on this replica.
   */
  readonly #deletedUids = new LRUCache<string, true>({ max: 10_000 });
  #sortedIds: string[] | undefined;
  #unsubscribe: (() => void) | undefined;

  constructor(cluster: Cluster, clusterId: string, log: Logger) {
    this.#cluster = cluster;
    this.#clusterId = clusterId;
    this.#log = log;
  }

  start(): void {
    this.#unsubscribe = this.#cluster.subscribe((event) => this.#onEvent(event));
    for (const service of this.#cluster.cachedServices()) this.upsert(service);
  }

  stop(): void {
    this.#unsubscribe?.();
  }

  get(id: string): ExposureRecord | undefined {
    return this.#byId.get(id);
  }

  /** The exposure a caller's Idempotency-Key (hashed with the caller) created, if it still exists. */
  byIdempotencyKey(keyHash: string): ExposureRecord | undefined {
    const id = this.#idByIdempotencyKey.get(keyHash);
    return id === undefined ? undefined : this.#byId.get(id);
  }

  byService(ref: ServiceRef): ExposureRecord | undefined {
    const id = this.#idByService.get(serviceKey(ref));
    return id === undefined ? undefined : this.#byId.get(id);
  }

  /** All records in id (= creation) order. */
  all(): ExposureRecord[] {
    return [...this.after(undefined)];
  }

  /**
   * The records whose id sorts after `afterId` (all of them without one), in id order, read as the
   * caller goes: a list page starts at its cursor by binary search, not by walking past every
   * record before it. Records removed while the caller is between two steps are left out.
   */
  *after(afterId: string | undefined): Generator<ExposureRecord> {
    this.#sortedIds ??= [...this.#byId.keys()].sort();
    const ids = this.#sortedIds;
    let low = 0;
    let high = ids.length;
    if (afterId !== undefined) {
      while (low < high) {
        const middle = (low + high) >>> 1;
        if ((ids[middle] as string) <= afterId) low = middle + 1;
        else high = middle;
      }
    }
    for (let i = low; i < ids.length; i++) {
      const record = this.#byId.get(ids[i] as string);
      if (record) yield record;
    }
  }

  get size(): number {
    return this.#byId.size;
  }

  /** Adds or replaces the record a Service holds; returns it, or undefined if it is not ours. */
  upsert(service: ObservedService): ExposureRecord | undefined {
    if (this.#deletedUids.has(service.uid)) return undefined;
    const existingId = this.#idByService.get(serviceKey(service));
    const existing = existingId === undefined ? undefined : this.#byId.get(existingId);
    // Events can arrive out of order with a direct API read (the cache-miss path); never let an
    // older copy replace a newer one.
    if (existing && isOlder(service.resourceVersion, existing.service.resourceVersion)) return existing;
    const read = readExposureRecord(service);
    if (!read.ok) {
      // A Service edited beyond recognition is no longer served as the exposure it was.
      if (existingId !== undefined) this.#remove(existingId);
      this.#log.warn(
        { service: serviceKey(service), problem: read.problem },
        'ignoring a managed Service that does not hold an exposure',
      );
      return undefined;
    }
    if (read.record.clusterId !== this.#clusterId) return undefined;
    if (existingId !== undefined && existingId !== read.record.id) this.#remove(existingId);
    if (!this.#byId.has(read.record.id)) this.#sortedIds = undefined;
    this.#byId.set(read.record.id, read.record);
    this.#idByService.set(serviceKey(service), read.record.id);
    if (read.record.idempotency)
      this.#idByIdempotencyKey.set(read.record.idempotency.keyHash, read.record.id);
    this.#notify(read.record.id);
    return read.record;
  }

  onChange(listener: (id: string) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #onEvent(event: ClusterEvent): void {
    if (event.kind !== 'service') return;
    if (event.type === 'upsert') {
      this.upsert(event.service);
      return;
    }
    this.#deletedUids.set(event.service.uid, true);
    const id = this.#idByService.get(serviceKey(event.service));
    if (id !== undefined && this.#byId.get(id)?.service.uid === event.service.uid) this.#remove(id);
  }

  #remove(id: string): void {
    const record = this.#byId.get(id);
    if (!record) return;
    this.#byId.delete(id);
    this.#idByService.delete(serviceKey(record.service));
    if (record.idempotency) this.#idByIdempotencyKey.delete(record.idempotency.keyHash);
    this.#sortedIds = undefined;
    this.#notify(id);
  }

  #notify(id: string): void {
    for (const listener of this.#listeners) listener(id);
  }
}

/** resourceVersions are opaque, but in practice etcd revisions; compare numerically when they are. */
function isOlder(candidate: string, current: string): boolean {
  if (!/^\d+$/.test(candidate) || !/^\d+$/.test(current)) return false;
  return BigInt(candidate) < BigInt(current);
}
