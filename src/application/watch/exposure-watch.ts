// Following exposures as they change, for the watch route. Served from the caches only: changes come
// from the exposure index (the Service, its firewall status) and the cluster's Node and
// EndpointSlice events, health from probes shared by everyone watching the same exposure. A watcher
// costs no call to the Kubernetes or GCE API.

import type { ExposureIndex } from '../exposure-index.ts';
import type { ExposureService } from '../exposure-service.ts';
import type { ExposureViews } from '../exposure-views.ts';
import type { Cluster, ClusterEvent } from '../ports/cluster.ts';
import type { Logger } from '../ports/log.ts';
import type { Principal } from '../principal.ts';
import { type WatchSubscriber, WatchTopic } from './watch-topic.ts';

export interface ExposureWatchSettings {
  /** How often the endpoints of a watched exposure are probed again (shared by its watchers). */
  probeIntervalMs: number;
}

export interface WatchSubscription {
  close(): void;
}

export class ExposureWatch {
  readonly #exposures: ExposureService;
  readonly #index: ExposureIndex;
  readonly #views: ExposureViews;
  readonly #cluster: Cluster;
  readonly #settings: ExposureWatchSettings;
  readonly #log: Logger;
  readonly #topics = new Map<string, WatchTopic>();
  #unsubscribe: (() => void)[] = [];

  constructor(deps: {
    exposures: ExposureService;
    index: ExposureIndex;
    views: ExposureViews;
    cluster: Cluster;
    settings: ExposureWatchSettings;
    log: Logger;
  }) {
    this.#exposures = deps.exposures;
    this.#index = deps.index;
    this.#views = deps.views;
    this.#cluster = deps.cluster;
    this.#settings = deps.settings;
    this.#log = deps.log;
  }

  start(): void {
    this.#unsubscribe = [
      // Service events reach the topics through the index, which has parsed the Service by then.
      this.#index.onChange((id) => this.#topics.get(id)?.changed()),
      this.#cluster.subscribe((event) => this.#onClusterEvent(event)),
    ];
  }

  /** Ends every topic; the streams of their subscribers are closed by the edge. */
  stop(): void {
    for (const unsubscribe of this.#unsubscribe) unsubscribe();
    this.#unsubscribe = [];
    for (const topic of [...this.#topics.values()]) topic.close();
  }

  /** Exposures watched now (each computed once per change, whatever its number of watchers). */
  get watchedExposures(): number {
    return this.#topics.size;
  }

  /**
   * Follows an exposure the caller may see (any other id is `exposure-not-found`, as for a read).
   * The subscriber gets the current snapshot at once unless its version is `lastVersion`, then one
   * per change of what the exposure shows, and `deleted` when it is gone.
   */
  async subscribe(
    principal: Principal,
    id: string,
    subscriber: WatchSubscriber,
    options: { lastVersion?: string } = {},
  ): Promise<WatchSubscription> {
    const record = await this.#exposures.find(principal, id);
    let topic = this.#topics.get(record.id);
    if (!topic) {
      topic = new WatchTopic({
        id: record.id,
        index: this.#index,
        views: this.#views,
        probeIntervalMs: this.#settings.probeIntervalMs,
        log: this.#log,
        onEnded: (ended) => {
          if (this.#topics.get(ended.id) === ended) this.#topics.delete(ended.id);
        },
      });
      this.#topics.set(record.id, topic);
      topic.start();
    }
    const joined = topic;
    await joined.add(subscriber, options.lastVersion);
    return { close: () => joined.remove(subscriber) };
  }

  #onClusterEvent(event: ClusterEvent): void {
    if (event.kind === 'nodes') {
      for (const topic of this.#topics.values()) topic.changed();
    } else if (event.kind === 'endpoints') {
      const record = this.#index.byService({ namespace: event.namespace, name: event.serviceName });
      if (record) this.#topics.get(record.id)?.changed();
    }
  }
}
