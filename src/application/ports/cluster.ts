// The port through which the application uses the Kubernetes cluster: writes go to the API,
// reads come from informer caches. Implemented by the Kubernetes adapter (a real cluster) and by
// the sandbox's in-memory cluster; one contract suite runs against both.

import type {
  ClusterNode,
  ObservedService,
  ServiceEndpoint,
  ServiceManifest,
  ServiceProtocol,
  ServiceRef,
} from '../../domain/cluster-objects.ts';
import type { ServiceEventObservation } from '../../domain/recent-events.ts';
import type { AccessReviews } from './access-reviews.ts';
import type { UsageLedger } from './usage-ledger.ts';

export type ClusterErrorKind =
  /** A Service of that name exists in the namespace. */
  | 'AlreadyExists'
  /** A requested node port is allocated to another Service. */
  | 'NodePortTaken'
  /** No node port is left to allocate: the cluster's --service-node-port-range is full. */
  | 'NodePortRangeFull'
  /** A ResourceQuota of the namespace refused the change (what it exceeded is in `quota`). */
  | 'QuotaExceeded'
  | 'NamespaceNotFound'
  | 'NotFound'
  /** The cluster refused a field (the apiserver's 422 Invalid). */
  | 'Invalid'
  /** An optimistic-concurrency conflict (resourceVersion or uid precondition). */
  | 'Conflict'
  /** exposure-api's own identity lacks a permission: an administrator must fix RBAC. */
  | 'Forbidden'
  | 'Unavailable'
  | 'Unknown';

export interface ClusterFieldCause {
  /** The apiserver's field path, e.g. `spec.ports[0].nodePort`. */
  field: string;
  message: string;
}

/** One resource a ResourceQuota refused: Kubernetes' `requested`, `used` and `limited` figures. */
export interface QuotaFigures {
  /** The quota's resource name, e.g. `services.nodeports` or `count/services`. */
  resource: string;
  requested: number;
  used: number;
  /** The quota's `hard` figure. */
  limit: number;
}

/** Which ResourceQuota refused a change, and for what. */
export interface QuotaRefusal {
  name: string;
  /** Empty when the figures could not be read from the cluster's answer. */
  exceeded: QuotaFigures[];
}

export class ClusterError extends Error {
  readonly kind: ClusterErrorKind;
  readonly causes: ClusterFieldCause[];
  /** For NodePortTaken: the port that is taken. */
  readonly nodePort: number | undefined;
  /** For QuotaExceeded: the quota and its figures. */
  readonly quota: QuotaRefusal | undefined;
  /** Seconds the cluster asked us to wait (Retry-After), when it said. */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    kind: ClusterErrorKind,
    message: string,
    options: {
      causes?: ClusterFieldCause[];
      nodePort?: number;
      quota?: QuotaRefusal;
      retryAfterSeconds?: number;
      cause?: unknown;
    } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'ClusterError';
    this.kind = kind;
    this.causes = options.causes ?? [];
    this.nodePort = options.nodePort;
    this.quota = options.quota;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export type ClusterEvent =
  | { kind: 'service'; type: 'upsert' | 'delete'; service: ObservedService }
  | { kind: 'nodes' }
  | { kind: 'endpoints'; namespace: string; serviceName: string };

export type DeleteServiceResult =
  | { outcome: 'absent' }
  | { outcome: 'deleted' }
  | { outcome: 'terminating'; service: ObservedService };

export interface NodePortHolder extends ServiceRef {
  /** The holder is being deleted: the port frees up once it is gone. */
  terminating: boolean;
}

export interface NodePortAllocation extends NodePortHolder {
  nodePort: number;
  /** `TCP`, `UDP` (or `SCTP`, which exposure-api never asks for but a holder may use). */
  protocol: string;
}

export interface ClusterEventRecord {
  type: 'Normal' | 'Warning';
  /** CamelCase, e.g. `FirewallCreated`. */
  reason: string;
  message: string;
}

export interface Cluster {
  /**
   * The cluster's TokenReview and SubjectAccessReview, when it answers them itself (the in-memory
   * cluster: every replica sharing it sees the same ServiceAccounts and RBAC rules).
   */
  accessReviews?(): AccessReviews | undefined;
  /** Starts the informers; resolves once the caches hold a complete first listing. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Whether the caches are synced (readiness). */
  synced(): boolean;
  /**
   * Since when the watch of a cache (Services, Nodes, EndpointSlices) has been failing, so that
   * what the caches hold may be that old; undefined while every watch is up.
   */
  watchBrokenSince(): Date | undefined;

  /** A plain create: a taken name is AlreadyExists, never a silent take-over. */
  createService(manifest: ServiceManifest): Promise<ObservedService>;
  /**
   * Changes the spec of an existing Service by server-side apply (field manager `exposure-api`):
   * labels, the spec annotations, ports and traffic policy as given; fields of other managers (the
   * reconciler's status annotation, a user's own labels added with kubectl) stay. Preconditions:
   * the uid (the Service was not replaced meanwhile) and, when given, the resourceVersion (nothing
   * changed since it was read: a Conflict otherwise). Taken node ports fail as on create.
   */
  applyServiceSpec(
    manifest: ServiceManifest,
    preconditions: { uid: string; resourceVersion?: string },
  ): Promise<ObservedService>;
  /** Reads one Service from the API, bypassing the cache. */
  readService(ref: ServiceRef): Promise<ObservedService | undefined>;
  /** Finds a managed Service by its exposure id label through the API (a cache miss). */
  findServiceByExposureId(id: string): Promise<ObservedService | undefined>;
  /**
   * Finds the managed Services of several exposure ids with one request (per watched namespace),
   * so that many cache misses at once cost one call. Ids without a Service are left out.
   */
  findServicesByExposureIds(ids: readonly string[]): Promise<ObservedService[]>;
  /**
   * Requests deletion. With finalizers the Service stays, terminating, until they are removed:
   * then the terminating Service is returned (as the apiserver does), so callers see the change
   * before their cache does.
   */
  deleteService(
    ref: ServiceRef,
    preconditions?: { uid?: string; resourceVersion?: string },
  ): Promise<DeleteServiceResult>;
  /** Writes the reconciler's firewall-status annotation under its own field manager. */
  writeFirewallStatus(ref: ServiceRef, status: string): Promise<void>;
  removeFinalizer(ref: ServiceRef, finalizer: string): Promise<void>;
  /** Which Service holds a node port, when a create found it taken. */
  nodePortHolder(nodePort: number, protocol: ServiceProtocol): Promise<NodePortHolder | undefined>;
  /**
   * Every Service's node ports, read from the API (managed or not: a page walk over all Services),
   * so that one walk can name the holders of many taken ports.
   */
  nodePortHolders(): Promise<NodePortAllocation[]>;
  /**
   * The installation's usage ledger, kept in the cluster where every replica sees it (a ConfigMap
   * of that name in that namespace, for the Kubernetes adapter).
   */
  usageLedger(location: { namespace: string; name: string }): UsageLedger;
  /** Records a Kubernetes Event on the Service, for `kubectl describe` and admins' tooling. */
  recordEvent(ref: ServiceRef & { uid: string }, event: ClusterEventRecord): Promise<void>;

  /**
   * The recent Events on a managed Service (by its uid) from a cache, newest first and bounded;
   * undefined until that cache has synced.
   */
  serviceEvents(uid: string): readonly ServiceEventObservation[] | undefined;

  /** Managed Services from the cache. */
  cachedServices(): Iterable<ObservedService>;
  cachedService(ref: ServiceRef): ObservedService | undefined;
  /** The cached Nodes: the same array (by reference) for as long as no Node changed. */
  nodes(): readonly ClusterNode[];
  /** The Service's endpoints: the same array (by reference) for as long as its EndpointSlices did not change. */
  serviceEndpoints(ref: ServiceRef): readonly ServiceEndpoint[];
  subscribe(listener: (event: ClusterEvent) => void): () => void;
}
