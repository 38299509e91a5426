// An in-process stand-in for a Kubernetes cluster: the apiserver's behaviour for the objects
// exposure-api uses (Services with NodePort allocation, finalizers and deletion, ResourceQuotas on
// Services, Nodes, EndpointSlices, Events) and informer-like caches that deliver change events asynchronously.
// It answers with the same errors the Kubernetes adapter maps the real apiserver's answers to, and
// the same contract suite runs against both.

import { randomUUID } from 'node:crypto';
import type { AccessReviews } from '../application/ports/access-reviews.ts';
import {
  type Cluster,
  ClusterError,
  type ClusterEvent,
  type ClusterEventRecord,
  type DeleteServiceResult,
  type NodePortAllocation,
  type NodePortHolder,
} from '../application/ports/cluster.ts';
import type { UsageLedger } from '../application/ports/usage-ledger.ts';
import type {
  ClusterNode,
  ObservedService,
  ObservedServicePort,
  ServiceEndpoint,
  ServiceManifest,
  ServiceProtocol,
  ServiceRef,
} from '../domain/cluster-objects.ts';
import { serviceKey } from '../domain/cluster-objects.ts';
import type { NodePortRange } from '../domain/exposure-spec.ts';
import {
  EXPOSURE_ID_LABEL,
  FIREWALL_STATUS_ANNOTATION,
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
} from '../domain/naming.ts';
import { RecentServiceEvents, type ServiceEventObservation } from '../domain/recent-events.ts';
import { InMemoryResourceQuotas, type ResourceQuotaView } from './in-memory-resource-quotas.ts';
import { InMemoryUsageLedger } from './in-memory-usage-ledger.ts';

export interface InMemoryClusterOptions {
  namespaces?: readonly string[];
  nodePortRange?: NodePortRange;
  /** First three octets of the ClusterIPs handed out, e.g. `10.96.0`. */
  clusterIpPrefix?: string;
  /** Its TokenReview and SubjectAccessReview (ServiceAccounts and RBAC rules). */
  accessReviews?: AccessReviews;
}

export interface RecordedEvent extends ClusterEventRecord {
  involvedObject: ServiceRef & { uid: string };
  count: number;
  firstTimestamp: string;
  lastTimestamp: string;
}

type Operation =
  | 'createService'
  | 'applyServiceSpec'
  | 'deleteService'
  | 'writeFirewallStatus'
  | 'removeFinalizer'
  | 'readService';

export class InMemoryCluster implements Cluster {
  readonly #namespaces: Set<string>;
  readonly #nodePortRange: NodePortRange;
  readonly #clusterIpPrefix: string;
  readonly #services = new Map<string, ObservedService>();
  /**
   * The label and annotation keys exposure-api set on each Service (its managed fields under
   * server-side apply): a later apply removes the ones it no longer sets, and only those.
   */
  readonly #ownedKeys = new Map<string, { labels: Set<string>; annotations: Set<string> }>();
  /** The informer's view: updated when the change event is delivered, a moment after the write. */
  readonly #cache = new Map<string, ObservedService>();
  readonly #nodes = new Map<string, ClusterNode>();
  /** nodes() as one array, rebuilt after a change (readers rely on its identity). */
  #nodeList: ClusterNode[] | undefined;
  readonly #endpoints = new Map<string, ServiceEndpoint[]>();
  readonly #listeners = new Set<(event: ClusterEvent) => void>();
  /** Listeners to every Service, managed or not (the sandbox's simulated controllers). */
  readonly #serviceWatchers = new Set<() => void>();
  readonly #events: RecordedEvent[] = [];
  /** The Event cache: what serviceEvents() answers, fed a moment after each write like an informer. */
  readonly #recentEvents = new RecentServiceEvents();
  /** Set by breakWatch(): changes are no longer delivered to the caches until restoreWatch(). */
  #watchBrokenAt: Date | undefined;
  readonly #quotas = new InMemoryResourceQuotas();
  readonly #ledgers = new Map<string, InMemoryUsageLedger>();
  readonly #failures = new Map<Operation, ClusterError>();
  #nextClusterIp = 10;
  #resourceVersion = 1000;
  #started = false;

  readonly #accessReviews: AccessReviews | undefined;

  constructor(options: InMemoryClusterOptions = {}) {
    this.#namespaces = new Set(options.namespaces ?? ['default', 'kube-system']);
    this.#nodePortRange = options.nodePortRange ?? { min: 30000, max: 32767 };
    this.#clusterIpPrefix = options.clusterIpPrefix ?? '10.96.0';
    this.#accessReviews = options.accessReviews;
  }

  accessReviews(): AccessReviews | undefined {
    return this.#accessReviews;
  }

  // --- lifecycle ---------------------------------------------------------------------------

  async start(): Promise<void> {
    this.#started = true;
  }

  async stop(): Promise<void> {
    this.#started = false;
    this.#listeners.clear();
  }

  synced(): boolean {
    return this.#started;
  }

  watchBrokenSince(): Date | undefined {
    return this.#watchBrokenAt;
  }

  // --- writes (the apiserver's behaviour) -----------------------------------------------------

  async createService(manifest: ServiceManifest): Promise<ObservedService> {
    this.#maybeFail('createService');
    if (!this.#namespaces.has(manifest.namespace)) {
      throw new ClusterError('NamespaceNotFound', `namespaces "${manifest.namespace}" not found`);
    }
    const key = serviceKey(manifest);
    if (this.#services.has(key)) {
      throw new ClusterError('AlreadyExists', `services "${manifest.name}" already exists`);
    }
    const ports = this.#allocatePorts(manifest, undefined);
    // As in kube-apiserver, node ports are allocated before admission: a full range answers first.
    this.#quotas.admit({ ...manifest, ports }, undefined, this.#servicesIn(manifest.namespace));
    const service: ObservedService = {
      ...structuredClone(manifest),
      ports,
      uid: randomUUID(),
      resourceVersion: this.#nextResourceVersion(),
      creationTimestamp: isoNow(),
      clusterIP: `${this.#clusterIpPrefix}.${this.#nextClusterIp++ % 250}`,
    };
    this.#services.set(key, service);
    this.#ownedKeys.set(key, {
      labels: new Set(Object.keys(manifest.labels)),
      annotations: new Set(Object.keys(manifest.annotations)),
    });
    this.#emit({ kind: 'service', type: 'upsert', service: structuredClone(service) });
    return structuredClone(service);
  }

  async applyServiceSpec(
    manifest: ServiceManifest,
    preconditions: { uid: string; resourceVersion?: string },
  ): Promise<ObservedService> {
    this.#maybeFail('applyServiceSpec');
    const key = serviceKey(manifest);
    const current = this.#services.get(key);
    if (!current) throw new ClusterError('NotFound', `services "${manifest.name}" not found`);
    if (current.uid !== preconditions.uid) {
      throw new ClusterError(
        'Conflict',
        `Precondition failed: UID in precondition: ${preconditions.uid}, UID in object meta: ${current.uid}`,
      );
    }
    if (
      preconditions.resourceVersion !== undefined &&
      preconditions.resourceVersion !== current.resourceVersion
    ) {
      throw new ClusterError(
        'Conflict',
        `Operation cannot be fulfilled on services "${manifest.name}": the object has been modified; please apply your changes to the latest version and try again`,
      );
    }
    const ports = this.#allocatePorts(manifest, current);
    this.#quotas.admit({ ...manifest, ports }, current, this.#servicesIn(manifest.namespace));
    const owned = this.#ownedKeys.get(key) ?? { labels: new Set<string>(), annotations: new Set<string>() };
    const labels = { ...current.labels };
    const annotations = { ...current.annotations };
    for (const label of owned.labels) if (!(label in manifest.labels)) delete labels[label];
    for (const annotation of owned.annotations)
      if (!(annotation in manifest.annotations)) delete annotations[annotation];
    Object.assign(labels, manifest.labels);
    Object.assign(annotations, manifest.annotations);
    this.#ownedKeys.set(key, {
      labels: new Set(Object.keys(manifest.labels)),
      annotations: new Set(Object.keys(manifest.annotations)),
    });
    this.#update(key, (service) =>
      Object.assign(service, {
        labels,
        annotations,
        ports,
        selector: { ...manifest.selector },
        externalTrafficPolicy: manifest.externalTrafficPolicy,
      }),
    );
    return structuredClone(this.#services.get(key) as ObservedService);
  }

  /**
   * Node ports as the apiserver settles them: requested ones must be in range and free (or already
   * this Service's); a port that keeps its (port, protocol) keeps its node port; others get a free one.
   */
  #allocatePorts(manifest: ServiceManifest, current: ObservedService | undefined): ObservedServicePort[] {
    const ports: ObservedServicePort[] = [];
    manifest.ports.forEach((port, index) => {
      if (port.nodePort === undefined) {
        const kept = current?.ports.find(
          (p) => p.port === port.port && p.protocol === port.protocol,
        )?.nodePort;
        ports.push({ ...port, nodePort: kept ?? this.#allocateNodePort(port.protocol, manifest, ports) });
        return;
      }
      const field = `spec.ports[${index}].nodePort`;
      if (port.nodePort < this.#nodePortRange.min || port.nodePort > this.#nodePortRange.max) {
        const message = `Invalid value: ${port.nodePort}: provided port is not in the valid range. The range of valid ports is ${this.#nodePortRange.min}-${this.#nodePortRange.max}`;
        throw new ClusterError('Invalid', `Service "${manifest.name}" is invalid: ${field}: ${message}`, {
          causes: [{ field, message }],
        });
      }
      const holder = this.#holderOf(port.nodePort, port.protocol);
      if (holder && holder.uid !== current?.uid) {
        const message = `Invalid value: ${port.nodePort}: provided port is already allocated`;
        throw new ClusterError(
          'NodePortTaken',
          `Service "${manifest.name}" is invalid: ${field}: ${message}`,
          {
            causes: [{ field, message }],
            nodePort: port.nodePort,
          },
        );
      }
      ports.push({ ...port, nodePort: port.nodePort });
    });
    return ports;
  }

  async readService(ref: ServiceRef): Promise<ObservedService | undefined> {
    this.#maybeFail('readService');
    const service = this.#services.get(serviceKey(ref));
    return service && structuredClone(service);
  }

  async findServiceByExposureId(id: string): Promise<ObservedService | undefined> {
    this.#maybeFail('readService');
    for (const service of this.#services.values()) {
      if (service.labels[EXPOSURE_ID_LABEL] === id && isManaged(service)) return structuredClone(service);
    }
    return undefined;
  }

  async findServicesByExposureIds(ids: readonly string[]): Promise<ObservedService[]> {
    this.#maybeFail('readService');
    const wanted = new Set(ids);
    return [...this.#services.values()]
      .filter((service) => wanted.has(service.labels[EXPOSURE_ID_LABEL] ?? '') && isManaged(service))
      .map((service) => structuredClone(service));
  }

  async deleteService(
    ref: ServiceRef,
    preconditions: { uid?: string; resourceVersion?: string } = {},
  ): Promise<DeleteServiceResult> {
    this.#maybeFail('deleteService');
    const key = serviceKey(ref);
    const service = this.#services.get(key);
    if (!service) return { outcome: 'absent' };
    if (preconditions.uid !== undefined && preconditions.uid !== service.uid) {
      throw new ClusterError(
        'Conflict',
        `Precondition failed: UID in precondition: ${preconditions.uid}, UID in object meta: ${service.uid}`,
      );
    }
    if (
      preconditions.resourceVersion !== undefined &&
      preconditions.resourceVersion !== service.resourceVersion
    ) {
      throw new ClusterError(
        'Conflict',
        `Precondition failed: ResourceVersion in precondition: ${preconditions.resourceVersion}, ResourceVersion in object meta: ${service.resourceVersion}`,
      );
    }
    if (service.finalizers.length === 0) {
      this.#remove(key);
      return { outcome: 'deleted' };
    }
    if (!service.deletionTimestamp)
      this.#update(key, (s) => Object.assign(s, { deletionTimestamp: isoNow() }));
    return { outcome: 'terminating', service: structuredClone(this.#services.get(key) as ObservedService) };
  }

  async writeFirewallStatus(ref: ServiceRef, status: string): Promise<void> {
    this.#maybeFail('writeFirewallStatus');
    const key = serviceKey(ref);
    if (!this.#services.has(key)) throw new ClusterError('NotFound', `services "${ref.name}" not found`);
    this.#update(key, (s) => {
      s.annotations[FIREWALL_STATUS_ANNOTATION] = status;
    });
  }

  async removeFinalizer(ref: ServiceRef, finalizer: string): Promise<void> {
    this.#maybeFail('removeFinalizer');
    const key = serviceKey(ref);
    const service = this.#services.get(key);
    if (!service?.finalizers.includes(finalizer)) return;
    const remaining = service.finalizers.filter((f) => f !== finalizer);
    if (service.deletionTimestamp && remaining.length === 0) {
      this.#remove(key);
      return;
    }
    this.#update(key, (s) => Object.assign(s, { finalizers: remaining }));
  }

  async nodePortHolder(nodePort: number, protocol: ServiceProtocol): Promise<NodePortHolder | undefined> {
    const holder = this.#holderOf(nodePort, protocol);
    return (
      holder && {
        namespace: holder.namespace,
        name: holder.name,
        terminating: holder.deletionTimestamp !== undefined,
      }
    );
  }

  async nodePortHolders(): Promise<NodePortAllocation[]> {
    this.#maybeFail('readService');
    return [...this.#services.values()].flatMap((service) =>
      service.ports.map((port) => ({
        namespace: service.namespace,
        name: service.name,
        terminating: service.deletionTimestamp !== undefined,
        nodePort: port.nodePort,
        protocol: port.protocol,
      })),
    );
  }

  usageLedger(location: { namespace: string; name: string }): UsageLedger {
    const key = `${location.namespace}/${location.name}`;
    let ledger = this.#ledgers.get(key);
    if (!ledger) {
      ledger = new InMemoryUsageLedger(location.name, () => this.#namespaces.has(location.namespace));
      this.#ledgers.set(key, ledger);
    }
    return ledger;
  }

  async recordEvent(ref: ServiceRef & { uid: string }, event: ClusterEventRecord): Promise<void> {
    const now = isoNow();
    // Like the Kubernetes event recorder: a repeat of the same event bumps a count.
    const repeat = this.#events.find(
      (e) =>
        e.involvedObject.uid === ref.uid &&
        e.reason === event.reason &&
        e.message === event.message &&
        e.type === event.type,
    );
    if (repeat) {
      repeat.count++;
      repeat.lastTimestamp = now;
    } else {
      this.#events.push({
        ...event,
        involvedObject: { namespace: ref.namespace, name: ref.name, uid: ref.uid },
        count: 1,
        firstTimestamp: now,
        lastTimestamp: now,
      });
    }
    const index = repeat ? this.#events.indexOf(repeat) : this.#events.length - 1;
    const recorded = structuredClone(this.#events[index] as RecordedEvent);
    setImmediate(() => {
      if (!this.#watchBrokenAt) this.#cacheEvent(index, recorded);
    });
  }

  serviceEvents(uid: string): readonly ServiceEventObservation[] | undefined {
    return this.#started ? this.#recentEvents.forService(uid) : undefined;
  }

  // --- cached reads ---------------------------------------------------------------------------

  cachedServices(): Iterable<ObservedService> {
    return this.#cache.values();
  }

  cachedService(ref: ServiceRef): ObservedService | undefined {
    return this.#cache.get(serviceKey(ref));
  }

  nodes(): readonly ClusterNode[] {
    this.#nodeList ??= [...this.#nodes.values()];
    return this.#nodeList;
  }

  serviceEndpoints(ref: ServiceRef): readonly ServiceEndpoint[] {
    return this.#endpoints.get(serviceKey(ref)) ?? NO_ENDPOINTS;
  }

  subscribe(listener: (event: ClusterEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  // --- what a cluster administrator (or a controller) would change -----------------------------

  addNamespace(name: string): void {
    this.#namespaces.add(name);
  }

  setNode(node: ClusterNode): void {
    this.#nodes.set(node.name, structuredClone(node));
    this.#nodeList = undefined;
    this.#emit({ kind: 'nodes' });
  }

  setNodeReady(name: string, ready: boolean): void {
    const node = this.#nodes.get(name);
    if (!node) throw new Error(`no node ${name}`);
    this.#nodes.set(name, { ...node, ready });
    this.#nodeList = undefined;
    this.#emit({ kind: 'nodes' });
  }

  removeNode(name: string): void {
    this.#nodes.delete(name);
    this.#nodeList = undefined;
    this.#emit({ kind: 'nodes' });
  }

  /** What the EndpointSlice controller would publish for a Service. */
  setServiceEndpoints(ref: ServiceRef, endpoints: readonly ServiceEndpoint[]): void {
    this.#endpoints.set(serviceKey(ref), structuredClone([...endpoints]));
    this.#emit({ kind: 'endpoints', namespace: ref.namespace, serviceName: ref.name });
  }

  /** Creates or replaces a ResourceQuota (only its `hard` figures for Services count here). */
  setResourceQuota(namespace: string, name: string, hard: Record<string, number>): void {
    this.#quotas.set(namespace, name, hard);
  }

  deleteResourceQuota(namespace: string, name: string): void {
    this.#quotas.delete(namespace, name);
  }

  /** A namespace's ResourceQuotas with their usage, as `kubectl describe quota` shows them. */
  resourceQuotas(namespace: string): ResourceQuotaView[] {
    return this.#quotas.list(namespace, this.#servicesIn(namespace));
  }

  /** Calls back on every change of any Service, managed or not. */
  watchAllServices(watcher: () => void): () => void {
    this.#serviceWatchers.add(watcher);
    return () => this.#serviceWatchers.delete(watcher);
  }

  /** All Services, managed or not (the sandbox's endpoint controller needs their selectors). */
  allServices(): ObservedService[] {
    return [...this.#services.values()].map((service) => structuredClone(service));
  }

  events(): RecordedEvent[] {
    return structuredClone(this.#events);
  }

  /**
   * Breaks the caches' watch, as an apiserver outage would: writes still land, but the caches no
   * longer see them, and watchBrokenSince() says since when.
   */
  breakWatch(): void {
    this.#watchBrokenAt ??= new Date();
  }

  /** The watch is back: the caches catch up with everything that changed meanwhile, as a relist would. */
  restoreWatch(): void {
    if (!this.#watchBrokenAt) return;
    this.#watchBrokenAt = undefined;
    for (const [key, cached] of this.#cache) {
      if (!this.#services.has(key)) this.#emit({ kind: 'service', type: 'delete', service: cached });
    }
    for (const [key, service] of this.#services) {
      if (this.#cache.get(key)?.resourceVersion !== service.resourceVersion) {
        this.#emit({ kind: 'service', type: 'upsert', service: structuredClone(service) });
      }
    }
    this.#emit({ kind: 'nodes' });
    const uids = new Set([...this.#services.values()].map((service) => service.uid));
    this.#events.forEach((event, index) => {
      if (uids.has(event.involvedObject.uid)) this.#cacheEvent(index, structuredClone(event));
    });
  }

  /** Makes the next call of an operation fail, as an apiserver outage or RBAC gap would. */
  failNext(operation: Operation, error: ClusterError): void {
    this.#failures.set(operation, error);
  }

  // --- internals ----------------------------------------------------------------------------------

  #maybeFail(operation: Operation): void {
    const failure = this.#failures.get(operation);
    if (failure) {
      this.#failures.delete(operation);
      throw failure;
    }
  }

  /** Writes are copy-on-write: objects already handed to readers never change under them. */
  #update(key: string, change: (service: ObservedService) => void): void {
    const current = this.#services.get(key);
    if (!current) return;
    const next = structuredClone(current);
    change(next);
    next.resourceVersion = this.#nextResourceVersion();
    this.#services.set(key, next);
    this.#emit({ kind: 'service', type: 'upsert', service: next });
  }

  #remove(key: string): void {
    const service = this.#services.get(key);
    if (!service) return;
    this.#services.delete(key);
    this.#ownedKeys.delete(key);
    this.#endpoints.delete(key);
    this.#emit({ kind: 'service', type: 'delete', service: structuredClone(service) });
  }

  #holderOf(nodePort: number, protocol: ServiceProtocol): ObservedService | undefined {
    for (const service of this.#services.values()) {
      if (service.ports.some((port) => port.nodePort === nodePort && port.protocol === protocol))
        return service;
    }
    return undefined;
  }

  #allocateNodePort(
    protocol: ServiceProtocol,
    manifest: ServiceManifest,
    chosen: readonly ObservedServicePort[],
  ): number {
    const { min, max } = this.#nodePortRange;
    const size = max - min + 1;
    const start = Math.floor(Math.random() * size);
    for (let i = 0; i < size; i++) {
      const candidate = min + ((start + i) % size);
      const inThisService = [...manifest.ports, ...chosen].some(
        (p) => p.nodePort === candidate && p.protocol === protocol,
      );
      if (!inThisService && !this.#holderOf(candidate, protocol)) return candidate;
    }
    // kube-apiserver answers a 500 InternalError here (pkg/registry/core/service/storage/alloc.go).
    throw new ClusterError(
      'NodePortRangeFull',
      'Internal error occurred: failed to allocate a nodePort: range is full',
    );
  }

  #servicesIn(namespace: string): ObservedService[] {
    return [...this.#services.values()].filter((service) => service.namespace === namespace);
  }

  #nextResourceVersion(): string {
    this.#resourceVersion++;
    return String(this.#resourceVersion);
  }

  #cacheEvent(index: number, event: RecordedEvent): void {
    const { involvedObject, ...rest } = event;
    this.#recentEvents.set(`event-${index}`, {
      ...rest,
      serviceUid: involvedObject.uid,
      source: 'exposure-api',
    });
  }

  #emit(event: ClusterEvent): void {
    // Informers deliver after the write returns; asynchronous delivery keeps callers honest.
    setImmediate(() => {
      if (event.kind === 'service') {
        for (const watcher of this.#serviceWatchers) watcher();
      }
      // A broken watch delivers nothing to the caches; restoreWatch() catches up.
      if (this.#watchBrokenAt) return;
      if (event.kind === 'service') {
        // Like an informer with the managed-by label selector: other Services are not seen.
        if (!isManaged(event.service)) return;
        const key = serviceKey(event.service);
        if (event.type === 'delete') {
          this.#cache.delete(key);
          this.#recentEvents.forgetService(event.service.uid);
        } else {
          this.#cache.set(key, event.service);
        }
      }
      for (const listener of this.#listeners) listener(event);
    });
  }
}

const NO_ENDPOINTS: readonly ServiceEndpoint[] = Object.freeze([]);

function isManaged(service: ObservedService): boolean {
  return service.labels[MANAGED_BY_LABEL] === MANAGED_BY_VALUE;
}

function isoNow(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}
