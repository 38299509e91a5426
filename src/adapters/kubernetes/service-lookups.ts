// The Kubernetes adapter's lookups through the API, beside the caches: managed Services by exposure
// id (a cache miss) and the holders of node ports (a conflict to explain). Each is a list request,
// page by page, in every watched namespace (or across all at once when the installation watches all).
import type { CoreV1Api, V1Service } from '@kubernetes/client-node';
import type { NodePortAllocation, NodePortHolder } from '../../application/ports/cluster.ts';
import type { UpstreamCallRecorder } from '../../application/ports/telemetry.ts';
import type { ObservedService, ServiceProtocol } from '../../domain/cluster-objects.ts';
import { EXPOSURE_ID_LABEL, MANAGED_SELECTOR } from '../../domain/naming.ts';
import { LABEL_VALUE } from '../../domain/patterns.ts';
import { callKubernetes } from './kubernetes-api.ts';
import { toObservedService } from './object-mapping.ts';

/** A label value, as the apiserver validates it: anything else cannot be an exposure id label. */
const LABEL_VALUE_REGEX = new RegExp(LABEL_VALUE);
const PAGE_SIZE = 500;
/** Ids per set-based selector: the request line stays under 8 KB (an id is 30 characters, 33 encoded). */
const IDS_PER_LOOKUP = 200;

export class ServiceLookups {
  readonly #core: CoreV1Api;
  readonly #recorder: UpstreamCallRecorder;
  /** Where lookups search: `[undefined]` is all namespaces at once. */
  readonly #scopes: readonly (string | undefined)[];

  constructor(core: CoreV1Api, recorder: UpstreamCallRecorder, scopes: readonly (string | undefined)[]) {
    this.#core = core;
    this.#recorder = recorder;
    this.#scopes = scopes;
  }

  async byExposureId(id: string): Promise<ObservedService | undefined> {
    // An id that cannot be a label value cannot be on any Service (and must not reach a selector).
    if (id.length === 0 || id.length > 63 || !LABEL_VALUE_REGEX.test(id)) return undefined;
    const labelSelector = `${EXPOSURE_ID_LABEL}=${id},${MANAGED_SELECTOR}`;
    for (const namespace of this.#scopes) {
      for await (const page of this.#servicePages(namespace, labelSelector)) {
        const found = page[0];
        if (found) return toObservedService(found);
      }
    }
    return undefined;
  }

  async byExposureIds(ids: readonly string[]): Promise<ObservedService[]> {
    const valid = [...new Set(ids)].filter(
      (id) => id.length > 0 && id.length <= 63 && LABEL_VALUE_REGEX.test(id),
    );
    const found: ObservedService[] = [];
    for (let start = 0; start < valid.length; start += IDS_PER_LOOKUP) {
      const chunk = valid.slice(start, start + IDS_PER_LOOKUP);
      const labelSelector = `${EXPOSURE_ID_LABEL} in (${chunk.join(',')}),${MANAGED_SELECTOR}`;
      for (const namespace of this.#scopes) {
        for await (const page of this.#servicePages(namespace, labelSelector)) {
          found.push(...page.map(toObservedService));
        }
      }
    }
    return found;
  }

  async nodePortHolder(nodePort: number, protocol: ServiceProtocol): Promise<NodePortHolder | undefined> {
    // Node ports are allocated by number across protocols, so a holder on the other protocol
    // counts too, after an exact match. Every Service counts, managed or not.
    // With namespaced RBAC only the managed namespaces can be searched; a holder elsewhere stays
    // unnamed (the conflict stands all the same).
    let other: V1Service | undefined;
    for (const namespace of this.#scopes) {
      for await (const page of this.#servicePages(namespace)) {
        for (const service of page) {
          for (const port of service.spec?.ports ?? []) {
            if (port.nodePort !== nodePort) continue;
            if ((port.protocol ?? 'TCP') === protocol) return holder(service);
            other ??= service;
          }
        }
      }
    }
    return other && holder(other);
  }

  async nodePortHolders(): Promise<NodePortAllocation[]> {
    const allocations: NodePortAllocation[] = [];
    for (const namespace of this.#scopes) {
      for await (const page of this.#servicePages(namespace)) {
        for (const service of page) {
          for (const port of service.spec?.ports ?? []) {
            if (typeof port.nodePort !== 'number') continue;
            allocations.push({
              ...holder(service),
              nodePort: port.nodePort,
              protocol: port.protocol ?? 'TCP',
            });
          }
        }
      }
    }
    return allocations;
  }

  // --- internals ----------------------------------------------------------------------------

  /** Services page by page, in one namespace or (undefined) all of them. */
  async *#servicePages(namespace: string | undefined, labelSelector?: string): AsyncGenerator<V1Service[]> {
    let continueToken: string | undefined;
    do {
      const request = {
        limit: PAGE_SIZE,
        ...(labelSelector ? { labelSelector } : {}),
        ...(continueToken ? { _continue: continueToken } : {}),
      };
      const page = await callKubernetes(this.#recorder, 'services.list', () =>
        namespace === undefined
          ? this.#core.listServiceForAllNamespaces(request)
          : this.#core.listNamespacedService({ ...request, namespace }),
      );
      yield page.items;
      continueToken = page.metadata?._continue || undefined;
    } while (continueToken);
  }
}

function holder(service: V1Service): NodePortHolder {
  return {
    namespace: service.metadata?.namespace ?? '',
    name: service.metadata?.name ?? '',
    terminating:
      service.metadata?.deletionTimestamp !== undefined && service.metadata.deletionTimestamp !== null,
  };
}
