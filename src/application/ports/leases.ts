// The port for coordination.k8s.io Leases, through which replicas elect the one that writes to
// GCE (the way Kubernetes controllers do). Optimistic concurrency by resourceVersion: a stale
// update fails with ClusterError 'Conflict', a create of an existing Lease with 'AlreadyExists'.

export interface LeaseRecord {
  holderIdentity?: string;
  leaseDurationSeconds: number;
  /** RFC 3339 with microseconds, as the Lease API's MicroTime. */
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions: number;
  /** The Lease's annotations (the leader publishes what every replica should know there). */
  annotations?: Record<string, string>;
}

export interface ObservedLease extends LeaseRecord {
  resourceVersion: string;
}

export interface Leases {
  get(namespace: string, name: string): Promise<ObservedLease | undefined>;
  create(namespace: string, name: string, lease: LeaseRecord): Promise<ObservedLease>;
  /** Replaces the Lease's spec if its resourceVersion is still `resourceVersion`. */
  update(
    namespace: string,
    name: string,
    lease: LeaseRecord,
    resourceVersion: string,
  ): Promise<ObservedLease>;
}
