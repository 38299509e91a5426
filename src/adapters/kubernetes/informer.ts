// An informer: a cache of one kind of Kubernetes object, filled by a paginated list and kept
// current by a watch, the way client-go's reflector does it.
//
// Built on client-node's `Watch` (the HTTP stream) rather than its `ListWatch`/`makeInformer`,
// whose 2.0.1 behaviour does not fit a long-running service:
// - after any watch error other than 410 or a client-side timeout, ListWatch emits 'error' and
//   stops for good (kubernetes-client/javascript#2385); restarting it from the error callback is
//   up to the caller (#1933 shows how easily that goes wrong);
// - `start()` resolves even when the list failed, so it cannot tell when the cache is synced;
// - `stop()` while a list or a watch connection is in flight does not stop it: the watch started
//   afterwards runs on;
// - no watch bookmarks, and its own 30 s inactivity timeout re-opens every quiet watch twice a
//   minute.
// Here the loop restarts itself after every failure with jittered exponential backoff, relists on
// 410 Gone (an expired resourceVersion, answered either as the watch's HTTP status or as an ERROR
// event in the stream), asks for bookmarks so that a quiet watch resumes from a recent
// resourceVersion, lets the server end each watch after a random 5-10 minutes (as client-go does),
// and `stop()` ends everything, including what is in flight.
//
// Objects are reduced by `toItem` as they arrive and only the reduced items are kept, once per
// resourceVersion: a relist maps only what changed, and reads cost a map lookup.
import { setTimeout as sleep } from 'node:timers/promises';
import { type KubeConfig, type V1ObjectMeta, Watch } from '@kubernetes/client-node';
import type { Logger } from '../../application/ports/log.ts';
import { ignoreUpstreamCalls, type UpstreamCallRecorder } from '../../application/ports/telemetry.ts';
import type { InformerStore } from './informer-store.ts';
import { callKubernetes } from './kubernetes-api.ts';
import { type ApiStatus, toClusterError } from './kubernetes-errors.ts';
import { objectKey, type Wire } from './object-mapping.ts';
import { untilAborted } from './until-aborted.ts';

export interface ListRequest {
  labelSelector?: string;
  fieldSelector?: string;
  limit: number;
  _continue?: string;
}

export interface ListResult<Raw> {
  items: Raw[];
  metadata?: { resourceVersion?: string; _continue?: string };
}

export interface InformerTiming {
  /** First delay after a failure; doubles per consecutive failure up to `backoffMaxMs`. */
  backoffInitialMs: number;
  backoffMaxMs: number;
  /** The server ends each watch after a random time in this range (seconds). */
  watchTimeoutSeconds: readonly [number, number];
  pageSize: number;
}

export const defaultInformerTiming: InformerTiming = {
  backoffInitialMs: 500,
  backoffMaxMs: 30_000,
  watchTimeoutSeconds: [300, 600],
  pageSize: 500,
};

export interface InformerOptions<Raw, Item> {
  /** Plural resource name, for logs and telemetry (`services.list`, `services.watch`). */
  resource: string;
  /** Collection path to watch, e.g. `/api/v1/services`. */
  path: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Where the items are kept; a Map by default. A store may decline or evict items (a bounded one). */
  store?: InformerStore<Item>;
  list(request: ListRequest): Promise<ListResult<Raw>>;
  toItem(object: Wire<Raw>): Item;
  /** Called after the cache holds the new item. */
  onUpsert?(key: string, item: Item, previous: Item | undefined): void;
  /** Called after the item left the cache. */
  onDelete?(key: string, item: Item): void;
  kubeConfig: KubeConfig;
  recorder?: UpstreamCallRecorder;
  log?: Logger;
  timing?: Partial<InformerTiming>;
}

/** How a watch ended; `healthy`: it delivered events or ran a while (so retrying at once cannot spin). */
type WatchEnd =
  | { kind: 'expired'; healthy: boolean }
  | { kind: 'ended'; healthy: boolean }
  | { kind: 'failed'; error: unknown };

/** The parts of a watch event's object the informer reads. */
interface WatchedObject {
  metadata?: Wire<V1ObjectMeta>;
}

export class Informer<Raw, Item> {
  readonly #options: InformerOptions<Raw, Item>;
  readonly #timing: InformerTiming;
  readonly #recorder: UpstreamCallRecorder;
  readonly #watch: Watch;
  readonly #items: InformerStore<Item>;
  readonly #versions = new Map<string, string>();
  #resourceVersion = '';
  #synced = false;
  /** When the list or watch started failing (Date.now()); undefined while it works. */
  #brokenSince: number | undefined;
  #stopping: AbortController | undefined;
  #loop: Promise<void> | undefined;
  #firstSync: { promise: Promise<void>; resolve: () => void; reject: (error: Error) => void } | undefined;

  constructor(options: InformerOptions<Raw, Item>) {
    this.#options = options;
    this.#timing = { ...defaultInformerTiming, ...options.timing };
    this.#recorder = options.recorder ?? ignoreUpstreamCalls;
    this.#watch = new Watch(options.kubeConfig);
    this.#items = options.store ?? new Map<string, Item>();
  }

  get resource(): string {
    return this.#options.resource;
  }

  /** Starts listing and watching; resolves once the first complete list is in the cache. */
  start(): Promise<void> {
    if (this.#loop && this.#firstSync) return this.#firstSync.promise;
    let resolve!: () => void;
    let reject!: (error: Error) => void;
    const promise = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // A start() nobody awaits must not turn a later stop() into an unhandled rejection.
    promise.catch(() => {});
    this.#firstSync = { promise, resolve, reject };
    this.#stopping = new AbortController();
    this.#loop = this.#run(this.#stopping.signal);
    return promise;
  }

  /** Stops the loop and any request in flight; resolves once nothing runs any more. */
  async stop(): Promise<void> {
    this.#stopping?.abort();
    this.#firstSync?.reject(new Error(`the ${this.#options.resource} informer was stopped before it synced`));
    await this.#loop;
    this.#loop = undefined;
    // What the cache holds is kept for reads, but nothing keeps it current any more.
    this.#synced = false;
  }

  /** Whether a complete list has been cached and is kept current (stays true across relists). */
  synced(): boolean {
    return this.#synced;
  }

  /** Since when (Date.now()) listing or watching has been failing; undefined while it works. */
  brokenSince(): number | undefined {
    return this.#brokenSince;
  }

  get(key: string): Item | undefined {
    return this.#items.get(key);
  }

  values(): IterableIterator<Item> {
    return this.#items.values();
  }

  get size(): number {
    return this.#items.size;
  }

  async #run(signal: AbortSignal): Promise<void> {
    let needList = true;
    let failures = 0;
    /** Expiries in a row with no watch that lasted between: from the second on, wait first. */
    let expiries = 0;
    while (!signal.aborted) {
      let end: WatchEnd;
      try {
        if (needList) {
          this.#resourceVersion = await this.#list(signal);
          needList = false;
          this.#synced = true;
          this.#brokenSince = undefined;
          this.#firstSync?.resolve();
        }
        end = await this.#watchOnce(signal);
      } catch (error) {
        end = { kind: 'failed', error };
      }
      if (signal.aborted) break;
      if (end.kind === 'expired') {
        // The resourceVersion we hold is older than what the server still has: list afresh.
        this.#options.log?.info?.(
          { resource: this.#options.resource },
          'watch expired (410 Gone); relisting',
        );
        needList = true;
        failures = 0;
        expiries = end.healthy ? 1 : expiries + 1;
        if (expiries > 1) await sleep(this.#backoff(expiries - 1), undefined, { signal }).catch(() => {});
        continue;
      }
      if (end.kind === 'ended' && end.healthy) {
        failures = 0;
        expiries = 0;
        continue;
      }
      failures++;
      if (end.kind === 'failed') this.#brokenSince ??= Date.now();
      const delay = this.#backoff(failures);
      if (end.kind === 'failed') {
        this.#options.log?.warn(
          { resource: this.#options.resource, err: toClusterError(end.error), retryInMs: delay },
          needList ? 'listing failed; retrying' : 'watch failed; retrying',
        );
      }
      await sleep(delay, undefined, { signal }).catch(() => {});
    }
  }

  #backoff(failures: number): number {
    const { backoffInitialMs, backoffMaxMs } = this.#timing;
    const base = Math.min(backoffMaxMs, backoffInitialMs * 2 ** Math.min(failures - 1, 20));
    return Math.round(base * (0.5 + Math.random() / 2));
  }

  /** Lists every page; upserts as pages arrive, then drops what the list no longer holds. */
  async #list(signal: AbortSignal): Promise<string> {
    const seen = new Set<string>();
    let continueToken: string | undefined;
    let resourceVersion = '';
    do {
      const request: ListRequest = { limit: this.#timing.pageSize };
      if (this.#options.labelSelector) request.labelSelector = this.#options.labelSelector;
      if (this.#options.fieldSelector) request.fieldSelector = this.#options.fieldSelector;
      if (continueToken) request._continue = continueToken;
      const page = await untilAborted(
        callKubernetes(this.#recorder, `${this.#options.resource}.list`, () => this.#options.list(request)),
        signal,
      );
      for (const object of page.items) {
        seen.add(this.#upsert(object as Wire<Raw>));
      }
      resourceVersion = page.metadata?.resourceVersion || resourceVersion;
      continueToken = page.metadata?._continue || undefined;
    } while (continueToken);
    // Versions too: a store may have evicted items whose versions are still remembered.
    for (const key of new Set([...this.#items.keys(), ...this.#versions.keys()])) {
      if (!seen.has(key)) this.#delete(key);
    }
    return resourceVersion;
  }

  #watchOnce(signal: AbortSignal): Promise<WatchEnd> {
    if (signal.aborted) return Promise.resolve({ kind: 'ended', healthy: true });
    const [min, max] = this.#timing.watchTimeoutSeconds;
    const timeoutSeconds = Math.round(min + Math.random() * Math.max(0, max - min));
    // client-node aborts a watch that received nothing for `requestTimeoutMs` (a private field,
    // 30 s by default). The server ends ours after `timeoutSeconds`; the inactivity timeout is a
    // backstop for a connection that died silently.
    Reflect.set(this.#watch, 'requestTimeoutMs', (timeoutSeconds + 30) * 1000);
    const query: Record<string, string | number | boolean> = {
      resourceVersion: this.#resourceVersion,
      allowWatchBookmarks: true,
      timeoutSeconds,
    };
    if (this.#options.labelSelector) query.labelSelector = this.#options.labelSelector;
    if (this.#options.fieldSelector) query.fieldSelector = this.#options.fieldSelector;

    return new Promise<WatchEnd>((resolve) => {
      const started = performance.now();
      let events = 0;
      let expired = false;
      let streamError: ApiStatus | undefined;
      let finished = false;
      let established = false;
      let stream: AbortController | undefined;
      const finish = (end: WatchEnd) => {
        if (finished) return;
        finished = true;
        signal.removeEventListener('abort', onAbort);
        resolve(end);
      };
      // stop() ends the stream, and does not wait for a connection attempt to give up.
      const onAbort = () => {
        stream?.abort();
        finish({ kind: 'ended', healthy: true });
      };
      signal.addEventListener('abort', onAbort, { once: true });
      const record = (outcome: string) =>
        this.#recorder.record({
          system: 'kubernetes',
          operation: `${this.#options.resource}.watch`,
          outcome,
          seconds: (performance.now() - started) / 1000,
        });
      const done = (error: unknown) => {
        if (signal.aborted) return finish({ kind: 'ended', healthy: true });
        if (!established) record(error ? toClusterError(error).kind : 'ok');
        established = true;
        // The ERROR event counts as one of the events.
        const healthy = events > 1 || performance.now() - started > 5_000;
        const status = (error as { statusCode?: unknown } | null)?.statusCode;
        if (expired || status === 410) return finish({ kind: 'expired', healthy });
        if ((error as { name?: unknown } | null)?.name === 'TimeoutError') {
          return finish({ kind: 'ended', healthy: true });
        }
        if (error) return finish({ kind: 'failed', error });
        if (streamError) return finish({ kind: 'failed', error: streamFailure(streamError) });
        // A server that ends watches at once (shutting down, say) must not make us spin.
        finish({ kind: 'ended', healthy: events > 0 || performance.now() - started > 5_000 });
      };
      const onEvent = (type: string, object: unknown) => {
        if (signal.aborted || finished) return;
        events++;
        try {
          this.#onWatchEvent(type, object, {
            expired: () => {
              expired = true;
            },
            failed: (status) => {
              streamError = status;
            },
          });
        } catch (error) {
          this.#options.log?.warn(
            { resource: this.#options.resource, err: error },
            'watch event not applied',
          );
        }
      };
      this.#watch
        .watch(this.#options.path, query, onEvent, done)
        .then((controller) => {
          if (!established && !finished) {
            established = true;
            record('ok');
          }
          if (!finished) this.#brokenSince = undefined;
          stream = controller;
          // Stopped while connecting: the stream that has just opened must not outlive us.
          if (finished || signal.aborted) controller.abort();
        })
        .catch((error: unknown) => done(error ?? new Error('watch failed')));
    });
  }

  #onWatchEvent(
    type: string,
    object: unknown,
    on: { expired(): void; failed(status: ApiStatus): void },
  ): void {
    if (type === 'ERROR') {
      const status = (object ?? {}) as ApiStatus;
      if (status.code === 410) on.expired();
      else on.failed(status);
      return;
    }
    const metadata = (object as WatchedObject | null)?.metadata;
    if (type === 'ADDED' || type === 'MODIFIED') this.#upsert(object as Wire<Raw>);
    else if (type === 'DELETED') this.#delete(objectKey(metadata));
    if (metadata?.resourceVersion) this.#resourceVersion = metadata.resourceVersion;
  }

  /** Returns the object's key. */
  #upsert(object: Wire<Raw>): string {
    const metadata = (object as WatchedObject).metadata;
    const key = objectKey(metadata);
    const resourceVersion = metadata?.resourceVersion ?? '';
    if (resourceVersion !== '' && this.#versions.get(key) === resourceVersion) return key;
    const item = this.#options.toItem(object);
    const previous = this.#items.get(key);
    this.#items.set(key, item);
    // A store may decline an item: its version is not kept either, so a relist looks at it again.
    if (this.#items.get(key) === item) this.#versions.set(key, resourceVersion);
    else this.#versions.delete(key);
    this.#notify(() => this.#options.onUpsert?.(key, item, previous));
    return key;
  }

  #delete(key: string): void {
    this.#versions.delete(key);
    const item = this.#items.get(key);
    if (item === undefined) return;
    this.#items.delete(key);
    this.#notify(() => this.#options.onDelete?.(key, item));
  }

  #notify(callback: () => void): void {
    try {
      callback();
    } catch (error) {
      this.#options.log?.warn({ resource: this.#options.resource, err: error }, 'cache listener failed');
    }
  }
}

function streamFailure(status: ApiStatus): Error {
  return Object.assign(new Error(status.message ?? `watch error ${status.code ?? ''}`.trim()), {
    statusCode: status.code,
  });
}
