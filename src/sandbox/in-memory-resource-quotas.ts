// ResourceQuota objects for the in-memory cluster, enforced on Services the way kube-apiserver's
// quota admission does it (k8s.io/apiserver/pkg/admission/plugin/resourcequota, with the service
// evaluator of k8s.io/kubernetes/pkg/quota/v1/evaluator/core): a create is charged its usage, an
// update only what it adds; each quota checks the resources it sets a hard figure for, and the
// refusal is a 403 whose message lists the requested, used and hard figures of what it exceeded.
// Usage is computed from the Services at admission, as the quota controller would have recorded it.
import { ClusterError, type QuotaFigures } from '../application/ports/cluster.ts';
import type { ServiceManifest } from '../domain/cluster-objects.ts';

/** The resources the service evaluator counts (every Service here is of type NodePort). */
const SERVICE_RESOURCES = ['count/services', 'services', 'services.nodeports', 'services.loadbalancers'];

type ResourceList = Record<string, number>;

export interface ResourceQuotaView {
  namespace: string;
  name: string;
  hard: ResourceList;
  /** What the namespace's Services use of each resource with a hard figure. */
  used: ResourceList;
}

export class InMemoryResourceQuotas {
  /** `namespace` → quota name → hard figures. */
  readonly #quotas = new Map<string, Map<string, ResourceList>>();

  set(namespace: string, name: string, hard: ResourceList): void {
    const quotas = this.#quotas.get(namespace) ?? new Map<string, ResourceList>();
    quotas.set(name, { ...hard });
    this.#quotas.set(namespace, quotas);
  }

  delete(namespace: string, name: string): void {
    this.#quotas.get(namespace)?.delete(name);
  }

  list(namespace: string, servicesInNamespace: readonly ServiceManifest[]): ResourceQuotaView[] {
    const total = sum(servicesInNamespace.map(usageOf));
    return [...(this.#quotas.get(namespace) ?? new Map<string, ResourceList>())]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, hard]) => ({
        namespace,
        name,
        hard: { ...hard },
        used: Object.fromEntries(Object.keys(hard).map((resource) => [resource, total[resource] ?? 0])),
      }));
  }

  /**
   * Throws QuotaExceeded when writing `next` (over `previous`, for an update) would take the
   * namespace past a quota. `servicesInNamespace` are the Services as they are before the write.
   */
  admit(
    next: ServiceManifest,
    previous: ServiceManifest | undefined,
    servicesInNamespace: readonly ServiceManifest[],
  ): void {
    const delta = positive(subtract(usageOf(next), previous ? usageOf(previous) : {}));
    if (Object.keys(delta).length === 0) return;
    for (const quota of this.list(next.namespace, servicesInNamespace)) {
      const requested = pick(delta, Object.keys(quota.hard));
      const exceeded = Object.keys(requested)
        .filter(
          (resource) =>
            (quota.used[resource] ?? 0) + (requested[resource] ?? 0) > (quota.hard[resource] ?? 0),
        )
        .sort();
      if (exceeded.length === 0) continue;
      const figures: QuotaFigures[] = exceeded.map((resource) => ({
        resource,
        requested: requested[resource] ?? 0,
        used: quota.used[resource] ?? 0,
        limit: quota.hard[resource] ?? 0,
      }));
      const list = (figure: keyof Omit<QuotaFigures, 'resource'>) =>
        figures.map((f) => `${f.resource}=${f[figure]}`).join(',');
      throw new ClusterError(
        'QuotaExceeded',
        `services "${next.name}" is forbidden: exceeded quota: ${quota.name}, requested: ${list('requested')}, used: ${list('used')}, limited: ${list('limit')}`,
        { quota: { name: quota.name, exceeded: figures } },
      );
    }
  }
}

function usageOf(service: ServiceManifest): ResourceList {
  return {
    'count/services': 1,
    services: 1,
    'services.nodeports': service.ports.length,
    'services.loadbalancers': 0,
  };
}

function sum(lists: readonly ResourceList[]): ResourceList {
  const total: ResourceList = {};
  for (const list of lists) {
    for (const [resource, value] of Object.entries(list)) total[resource] = (total[resource] ?? 0) + value;
  }
  return total;
}

function subtract(a: ResourceList, b: ResourceList): ResourceList {
  return Object.fromEntries(
    SERVICE_RESOURCES.map((resource) => [resource, (a[resource] ?? 0) - (b[resource] ?? 0)]),
  );
}

/** Only what grows is charged (an update that holds less is never refused). */
function positive(list: ResourceList): ResourceList {
  return Object.fromEntries(Object.entries(list).filter(([, value]) => value > 0));
}

function pick(list: ResourceList, resources: readonly string[]): ResourceList {
  return Object.fromEntries(Object.entries(list).filter(([resource]) => resources.includes(resource)));
}
