// Leases for the sandbox and tests, with the apiserver's optimistic concurrency: every write
// bumps the resourceVersion, and an update against a stale one is a Conflict.
import { ClusterError } from '../application/ports/cluster.ts';
import type { LeaseRecord, Leases, ObservedLease } from '../application/ports/leases.ts';

export class InMemoryLeases implements Leases {
  readonly #leases = new Map<string, ObservedLease>();
  #resourceVersion = 1;

  async get(namespace: string, name: string): Promise<ObservedLease | undefined> {
    const lease = this.#leases.get(`${namespace}/${name}`);
    return lease && { ...lease };
  }

  async create(namespace: string, name: string, lease: LeaseRecord): Promise<ObservedLease> {
    const key = `${namespace}/${name}`;
    if (this.#leases.has(key))
      throw new ClusterError('AlreadyExists', `leases.coordination.k8s.io "${name}" already exists`);
    const stored = { ...lease, resourceVersion: String(++this.#resourceVersion) };
    this.#leases.set(key, stored);
    return { ...stored };
  }

  async update(
    namespace: string,
    name: string,
    lease: LeaseRecord,
    resourceVersion: string,
  ): Promise<ObservedLease> {
    const key = `${namespace}/${name}`;
    const current = this.#leases.get(key);
    if (!current) throw new ClusterError('NotFound', `leases.coordination.k8s.io "${name}" not found`);
    if (current.resourceVersion !== resourceVersion) {
      throw new ClusterError(
        'Conflict',
        `Operation cannot be fulfilled on leases.coordination.k8s.io "${name}": the object has been modified; please apply your changes to the latest version and try again`,
      );
    }
    const stored = { ...lease, resourceVersion: String(++this.#resourceVersion) };
    this.#leases.set(key, stored);
    return { ...stored };
  }
}
