// The three informer caches the Cluster port reads from (managed Services, Nodes, EndpointSlices),
// the indexes over them, and the change events they publish. Reads never call the API.
//
// EndpointSlices are watched with the managed-by label selector: the EndpointSlice controller
// copies a Service's labels onto each of its slices, on creation and whenever the Service's labels
// change, except the reserved `kubernetes.io/service-name`, `endpointslice.kubernetes.io/managed-by`
// and `service.kubernetes.io/headless` (setEndpointSliceLabels in k8s.io/endpointslice, utils.go,
// used by newEndpointSlice and by the reconciler). So `app.kubernetes.io/managed-by=exposure-api`
// finds the slices of exactly the Services exposure-api manages, and a large cluster's other
// slices are never transferred.
//
// Events about Services are watched with a field selector (`involvedObject.kind=Service`: Events
// carry no labels to select on) and only those about managed Services are kept — or written by
// exposure-api, which may arrive before the Service does — bounded per Service and in total
// (recent-events.ts). The Event cache is started once the Service cache holds its first listing,
// and it counts neither for synced() nor for the watch being broken: reads of exposures do not
// depend on it, and the events route says itself when it is not synced.
//
// An installation limited to some namespaces (namespaced RBAC) watches Services and EndpointSlices
// with one informer per namespace; Nodes are always watched cluster-wide.
import type {
  CoreV1Api,
  CoreV1Event,
  DiscoveryV1Api,
  KubeConfig,
  V1EndpointSlice,
  V1Node,
  V1Service,
} from '@kubernetes/client-node';
import type { ClusterEvent } from '../../application/ports/cluster.ts';
import type { Logger } from '../../application/ports/log.ts';
import type { UpstreamCallRecorder } from '../../application/ports/telemetry.ts';
import {
  type ClusterNode,
  type ObservedService,
  type ServiceEndpoint,
  type ServiceRef,
  serviceKey,
} from '../../domain/cluster-objects.ts';
import { MANAGED_SELECTOR } from '../../domain/naming.ts';
import {
  DEFAULT_EVENT_LIMITS,
  RecentServiceEvents,
  type ServiceEventObservation,
} from '../../domain/recent-events.ts';
import { SERVICE_EVENTS_FIELD_SELECTOR, toServiceEventObservation } from './event-mapping.ts';
import { Informer, type InformerTiming } from './informer.ts';
import {
  mergeSliceEndpoints,
  objectKey,
  type SliceEndpoints,
  toClusterNode,
  toObservedService,
  toSliceEndpoints,
} from './object-mapping.ts';
import { EVENT_COMPONENT } from './service-events.ts';

export interface ClusterCachesOptions {
  kubeConfig: KubeConfig;
  /** Watch Services and EndpointSlices in these namespaces only; all namespaces by default. */
  namespaces?: readonly string[];
  core: CoreV1Api;
  discovery: DiscoveryV1Api;
  recorder?: UpstreamCallRecorder;
  log?: Logger;
  timing?: Partial<InformerTiming>;
}

const NO_ENDPOINTS: readonly ServiceEndpoint[] = Object.freeze([]);

export class ClusterCaches {
  readonly #services: InformerGroup<V1Service, ObservedService>;
  readonly #nodes: Informer<V1Node, ClusterNode>;
  readonly #slices: InformerGroup<V1EndpointSlice, SliceEndpoints>;
  readonly #events: InformerGroup<CoreV1Event, ServiceEventObservation>;
  /** The Event stores, one per informer (a relist drops what its own listing no longer holds). */
  readonly #eventStores: RecentServiceEvents[] = [];
  /** The uids of the managed Services in the cache: whose Events are kept. */
  readonly #managedUids = new Set<string>();
  /** Set by stop(), so that an Event informer due to start once Services synced does not. */
  #stopped = false;
  readonly #log: Logger | undefined;
  readonly #listeners = new Set<(event: ClusterEvent) => void>();
  /** Slice keys (`namespace/name`) per Service key. */
  readonly #slicesByService = new Map<string, Set<string>>();
  /** Merged endpoints per Service key, built on first read after a change. */
  readonly #endpoints = new Map<string, readonly ServiceEndpoint[]>();
  #nodeList: readonly ClusterNode[] | undefined;
  /** What each node looked like (reduced) when last seen, to tell a real change from an update. */
  readonly #nodeSeen = new Map<string, string>();
  #nodesEventPending = false;

  constructor(options: ClusterCachesOptions) {
    const common = {
      kubeConfig: options.kubeConfig,
      ...(options.recorder && { recorder: options.recorder }),
      ...(options.log && { log: options.log }),
      ...(options.timing && { timing: options.timing }),
    };
    this.#log = options.log;
    this.#services = new InformerGroup(
      options.namespaces,
      (namespace) =>
        new Informer<V1Service, ObservedService>({
          ...common,
          resource: 'services',
          path: namespace ? `/api/v1/namespaces/${namespace}/services` : '/api/v1/services',
          labelSelector: MANAGED_SELECTOR,
          list: (request) =>
            namespace
              ? options.core.listNamespacedService({ ...request, namespace })
              : options.core.listServiceForAllNamespaces(request),
          toItem: toObservedService,
          onUpsert: (_key, service) => {
            this.#managedUids.add(service.uid);
            this.#emit({ kind: 'service', type: 'upsert', service });
          },
          onDelete: (_key, service) => {
            this.#managedUids.delete(service.uid);
            for (const store of this.#eventStores) store.forgetService(service.uid);
            this.#emit({ kind: 'service', type: 'delete', service });
          },
        }),
    );
    this.#nodes = new Informer<V1Node, ClusterNode>({
      ...common,
      resource: 'nodes',
      path: '/api/v1/nodes',
      list: (request) => options.core.listNode(request),
      toItem: toClusterNode,
      // Nodes are updated for many reasons (status reports, images, heartbeats of old kubelets);
      // only a change of what exposure-api uses (readiness, addresses) is a change of nodes().
      onUpsert: (key, node) => {
        const seen = JSON.stringify(node);
        if (this.#nodeSeen.get(key) === seen) return;
        this.#nodeSeen.set(key, seen);
        this.#nodesChanged();
      },
      onDelete: (key) => {
        this.#nodeSeen.delete(key);
        this.#nodesChanged();
      },
    });
    this.#slices = new InformerGroup(
      options.namespaces,
      (namespace) =>
        new Informer<V1EndpointSlice, SliceEndpoints>({
          ...common,
          resource: 'endpointslices',
          path: namespace
            ? `/apis/discovery.k8s.io/v1/namespaces/${namespace}/endpointslices`
            : '/apis/discovery.k8s.io/v1/endpointslices',
          labelSelector: MANAGED_SELECTOR,
          list: (request) =>
            namespace
              ? options.discovery.listNamespacedEndpointSlice({ ...request, namespace })
              : options.discovery.listEndpointSliceForAllNamespaces(request),
          toItem: (slice) => this.#withNodeNames(toSliceEndpoints(slice)),
          onUpsert: (key, slice, previous) => this.#sliceChanged(key, slice, previous),
          onDelete: (key, slice) => this.#sliceChanged(key, undefined, slice),
        }),
    );
    const namespaceCount = options.namespaces ? new Set(options.namespaces).size : 1;
    const eventLimits = {
      ...DEFAULT_EVENT_LIMITS,
      total: Math.ceil(DEFAULT_EVENT_LIMITS.total / Math.max(1, namespaceCount)),
    };
    this.#events = new InformerGroup(options.namespaces, (namespace) => {
      const store = new RecentServiceEvents(
        eventLimits,
        (event) => event.source === EVENT_COMPONENT || this.#managedUids.has(event.serviceUid),
      );
      this.#eventStores.push(store);
      return new Informer<CoreV1Event, ServiceEventObservation>({
        ...common,
        resource: 'events',
        path: namespace ? `/api/v1/namespaces/${namespace}/events` : '/api/v1/events',
        fieldSelector: SERVICE_EVENTS_FIELD_SELECTOR,
        store,
        list: (request) =>
          namespace
            ? options.core.listNamespacedEvent({ ...request, namespace })
            : options.core.listEventForAllNamespaces(request),
        toItem: toServiceEventObservation,
      });
    });
  }

  async start(): Promise<void> {
    this.#stopped = false;
    const services = this.#services.start();
    // Not awaited: see the top of this file. Its failures are logged and retried by the informer.
    services
      .then(() => {
        if (!this.#stopped) return this.#events.start();
      })
      .catch(() => {});
    await Promise.all([services, this.#nodes.start(), this.#slices.start()]);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await Promise.all([this.#services.stop(), this.#nodes.stop(), this.#slices.stop(), this.#events.stop()]);
  }

  synced(): boolean {
    return this.#services.synced() && this.#nodes.synced() && this.#slices.synced();
  }

  /** The earliest time a watch of the Services, Nodes or EndpointSlices started failing. */
  watchBrokenSince(): Date | undefined {
    const since = [
      ...this.#services.brokenSince(),
      this.#nodes.brokenSince(),
      ...this.#slices.brokenSince(),
    ].filter((time): time is number => time !== undefined);
    return since.length === 0 ? undefined : new Date(Math.min(...since));
  }

  serviceEvents(uid: string): readonly ServiceEventObservation[] | undefined {
    if (!this.#events.synced()) return undefined;
    for (const store of this.#eventStores) {
      const events = store.forService(uid);
      if (events.length > 0) return events;
    }
    return [];
  }

  services(): Iterable<ObservedService> {
    return this.#services.values();
  }

  service(ref: ServiceRef): ObservedService | undefined {
    return this.#services.get(serviceKey(ref));
  }

  nodes(): readonly ClusterNode[] {
    this.#nodeList ??= Object.freeze([...this.#nodes.values()]);
    return this.#nodeList;
  }

  serviceEndpoints(ref: ServiceRef): readonly ServiceEndpoint[] {
    const key = serviceKey(ref);
    const cached = this.#endpoints.get(key);
    if (cached) return cached;
    const sliceKeys = this.#slicesByService.get(key);
    if (!sliceKeys) return NO_ENDPOINTS;
    const slices: SliceEndpoints[] = [];
    for (const sliceKey of sliceKeys) {
      const slice = this.#slices.get(sliceKey);
      if (slice) slices.push(slice);
    }
    const merged = Object.freeze(mergeSliceEndpoints(slices));
    this.#endpoints.set(key, merged);
    return merged;
  }

  subscribe(listener: (event: ClusterEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Slices name the node of each endpoint, each name a string of its own; a cached node's is used
   * instead (three pods per Service over 10,000 Services: ≈ 1.7 MB). A node not cached yet leaves
   * the slice's string as it is.
   */
  #withNodeNames(slice: SliceEndpoints): SliceEndpoints {
    for (const endpoint of slice.endpoints) {
      if (endpoint.nodeName === undefined) continue;
      const node = this.#nodes.get(objectKey({ name: endpoint.nodeName }));
      if (node !== undefined) endpoint.nodeName = node.name;
    }
    return slice;
  }

  #nodesChanged(): void {
    this.#nodeList = undefined;
    // A relist of thousands of nodes is one change for the listeners, not thousands.
    if (this.#nodesEventPending) return;
    this.#nodesEventPending = true;
    queueMicrotask(() => {
      this.#nodesEventPending = false;
      this.#emit({ kind: 'nodes' });
    });
  }

  #sliceChanged(
    sliceKey: string,
    slice: SliceEndpoints | undefined,
    previous: SliceEndpoints | undefined,
  ): void {
    const touched = new Set<string>();
    if (previous?.serviceName) {
      const key = `${previous.namespace}/${previous.serviceName}`;
      this.#slicesByService.get(key)?.delete(sliceKey);
      if (this.#slicesByService.get(key)?.size === 0) this.#slicesByService.delete(key);
      touched.add(key);
    }
    if (slice?.serviceName) {
      const key = `${slice.namespace}/${slice.serviceName}`;
      let keys = this.#slicesByService.get(key);
      if (!keys) {
        keys = new Set();
        this.#slicesByService.set(key, keys);
      }
      keys.add(sliceKey);
      touched.add(key);
    }
    for (const key of touched) {
      this.#endpoints.delete(key);
      const [namespace = '', serviceName = ''] = splitKey(key);
      this.#emit({ kind: 'endpoints', namespace, serviceName });
    }
  }

  #emit(event: ClusterEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        this.#log?.warn({ err: error, event: event.kind }, 'cluster event listener failed');
      }
    }
  }
}

/** One informer for all namespaces, or one per namespace, read as one cache keyed `namespace/name`. */
class InformerGroup<Raw, Item> {
  /** By namespace; the key '' holds the informer of all namespaces. */
  readonly #informers = new Map<string, Informer<Raw, Item>>();

  constructor(
    namespaces: readonly string[] | undefined,
    make: (namespace: string | undefined) => Informer<Raw, Item>,
  ) {
    if (namespaces === undefined) this.#informers.set('', make(undefined));
    else for (const namespace of new Set(namespaces)) this.#informers.set(namespace, make(namespace));
  }

  async start(): Promise<void> {
    await Promise.all([...this.#informers.values()].map((informer) => informer.start()));
  }

  async stop(): Promise<void> {
    await Promise.all([...this.#informers.values()].map((informer) => informer.stop()));
  }

  synced(): boolean {
    return [...this.#informers.values()].every((informer) => informer.synced());
  }

  brokenSince(): (number | undefined)[] {
    return [...this.#informers.values()].map((informer) => informer.brokenSince());
  }

  get(key: string): Item | undefined {
    const informer = this.#informers.get('') ?? this.#informers.get(splitKey(key)[0]);
    return informer?.get(key);
  }

  values(): Iterable<Item> {
    const all = this.#informers.get('');
    if (all) return all.values();
    const informers = [...this.#informers.values()];
    return {
      *[Symbol.iterator]() {
        for (const informer of informers) yield* informer.values();
      },
    };
  }
}

function splitKey(key: string): [string, string] {
  const slash = key.indexOf('/');
  return [key.slice(0, slash), key.slice(slash + 1)];
}
