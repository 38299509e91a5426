// The Cluster port on a real Kubernetes cluster, through @kubernetes/client-node 2.x.
//
// Writes go to the API: a Service is created with a plain create (a taken name is a 409, never a
// take-over), later spec changes are server-side applies under the field manager `exposure-api`,
// and the reconciler's status annotation is applied under a field manager of its own, so neither
// erases the other's fields (nor the labels someone added with kubectl). Reads come from informer
// caches (cluster-caches.ts) and make no API call; only the explicit cache-miss reads do.
import {
  type CoreV1Api,
  type KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  type V1Service,
} from '@kubernetes/client-node';
import {
  type Cluster,
  ClusterError,
  type ClusterEvent,
  type ClusterEventRecord,
  type DeleteServiceResult,
  type NodePortAllocation,
  type NodePortHolder,
} from '../../application/ports/cluster.ts';
import type { Logger } from '../../application/ports/log.ts';
import { ignoreUpstreamCalls, type UpstreamCallRecorder } from '../../application/ports/telemetry.ts';
import type { UsageLedger } from '../../application/ports/usage-ledger.ts';
import type {
  ClusterNode,
  ObservedService,
  ServiceEndpoint,
  ServiceManifest,
  ServiceProtocol,
  ServiceRef,
} from '../../domain/cluster-objects.ts';
import { FIREWALL_STATUS_ANNOTATION, SPEC_FIELD_MANAGER, STATUS_FIELD_MANAGER } from '../../domain/naming.ts';
import type { ServiceEventObservation } from '../../domain/recent-events.ts';
import { ClusterCaches } from './cluster-caches.ts';
import { ConfigMapUsageLedger } from './configmap-usage-ledger.ts';
import type { InformerTiming } from './informer.ts';
import {
  callKubernetes,
  createKubernetesApis,
  type KubernetesApiOptions,
  type KubernetesApis,
} from './kubernetes-api.ts';
import {
  serviceForApply,
  serviceForCreate,
  toObservedService,
  upgradeManagedFields,
} from './object-mapping.ts';
import { ServiceEvents } from './service-events.ts';
import { ServiceLookups } from './service-lookups.ts';

export interface KubernetesClusterOptions extends KubernetesApiOptions {
  kubeConfig: KubeConfig;
  /**
   * The namespaces this installation manages, for namespaced RBAC: Services and EndpointSlices are
   * watched, and looked up, there only. All namespaces by default.
   */
  namespaces?: readonly string[];
  recorder?: UpstreamCallRecorder;
  log?: Logger;
  /** Backoff and watch timing of the informers (tests shorten them). */
  informerTiming?: Partial<InformerTiming>;
  /** `reportingInstance` of the Events this replica writes; the host name by default. */
  instance?: string;
}

export type KubernetesCluster = Cluster;

export function createKubernetesCluster(options: KubernetesClusterOptions): KubernetesCluster {
  return new KubernetesApiCluster(options);
}

const APPLY = () => setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply);
const JSON_PATCH = () => setHeaderOptions('Content-Type', PatchStrategy.JsonPatch);

type JsonPatch = { op: 'test' | 'remove' | 'replace'; path: string; value?: unknown }[];

class KubernetesApiCluster implements Cluster {
  readonly #apis: KubernetesApis;
  readonly #core: CoreV1Api;
  readonly #recorder: UpstreamCallRecorder;
  readonly #caches: ClusterCaches;
  readonly #events: ServiceEvents;
  readonly #lookups: ServiceLookups;

  constructor(options: KubernetesClusterOptions) {
    this.#apis = createKubernetesApis(options.kubeConfig, options);
    this.#core = this.#apis.core;
    this.#recorder = options.recorder ?? ignoreUpstreamCalls;
    this.#caches = new ClusterCaches({
      kubeConfig: options.kubeConfig,
      core: this.#apis.core,
      discovery: this.#apis.discovery,
      recorder: this.#recorder,
      ...(options.namespaces && { namespaces: options.namespaces }),
      ...(options.log && { log: options.log }),
      ...(options.informerTiming && { timing: options.informerTiming }),
    });
    this.#events = new ServiceEvents({
      core: this.#core,
      recorder: this.#recorder,
      ...(options.instance && { instance: options.instance }),
    });
    // Lookups search where the installation watches: `[undefined]` is all namespaces at once.
    const scopes = options.namespaces ? [...new Set(options.namespaces)] : [undefined];
    this.#lookups = new ServiceLookups(this.#core, this.#recorder, scopes);
  }

  // --- lifecycle ---------------------------------------------------------------------------

  start(): Promise<void> {
    return this.#caches.start();
  }

  async stop(): Promise<void> {
    await this.#caches.stop();
    await this.#apis.close();
  }

  synced(): boolean {
    return this.#caches.synced();
  }

  watchBrokenSince(): Date | undefined {
    return this.#caches.watchBrokenSince();
  }

  // --- writes ----------------------------------------------------------------------------------

  async createService(manifest: ServiceManifest): Promise<ObservedService> {
    const created = await this.#call('services.create', () =>
      this.#core.createNamespacedService({
        namespace: manifest.namespace,
        body: serviceForCreate(manifest),
        fieldManager: SPEC_FIELD_MANAGER,
      }),
    );
    return toObservedService(created);
  }

  async applyServiceSpec(
    manifest: ServiceManifest,
    preconditions: { uid: string; resourceVersion?: string },
  ): Promise<ObservedService> {
    const body = serviceForApply(manifest, preconditions.uid);
    // Optimistic concurrency for the first apply only: the hand-over below changes the version itself.
    const firstBody = structuredClone(body);
    if (preconditions.resourceVersion !== undefined && firstBody.metadata) {
      firstBody.metadata.resourceVersion = preconditions.resourceVersion;
    }
    const apply = (payload: V1Service) =>
      this.#call('services.apply', () =>
        this.#core.patchNamespacedService(
          {
            name: manifest.name,
            namespace: manifest.namespace,
            body: payload,
            fieldManager: SPEC_FIELD_MANAGER,
            force: true,
          },
          APPLY(),
        ),
      );
    let applied = await apply(firstBody);
    // The fields of the create belong to `exposure-api`/Update, a manager apart from
    // `exposure-api`/Apply: hand them over once, then apply again so that what this apply no
    // longer sets (a dropped label, say) is removed.
    for (let attempt = 0; attempt < 3; attempt++) {
      const upgraded = upgradeManagedFields(applied.metadata?.managedFields ?? [], SPEC_FIELD_MANAGER);
      if (!upgraded) break;
      try {
        await this.#patch('services.patch', manifest, SPEC_FIELD_MANAGER, [
          { op: 'test', path: '/metadata/resourceVersion', value: applied.metadata?.resourceVersion },
          { op: 'replace', path: '/metadata/managedFields', value: upgraded },
        ]);
      } catch (error) {
        // A concurrent write moved the resourceVersion: apply again and look afresh.
        if (!(error instanceof ClusterError && error.kind === 'Invalid')) throw error;
      }
      applied = await apply(body);
    }
    return toObservedService(applied);
  }

  async readService(ref: ServiceRef): Promise<ObservedService | undefined> {
    try {
      const service = await this.#call('services.get', () =>
        this.#core.readNamespacedService({ name: ref.name, namespace: ref.namespace }),
      );
      return toObservedService(service);
    } catch (error) {
      if (
        error instanceof ClusterError &&
        (error.kind === 'NotFound' || error.kind === 'NamespaceNotFound')
      ) {
        return undefined;
      }
      throw error;
    }
  }

  findServiceByExposureId(id: string): Promise<ObservedService | undefined> {
    return this.#lookups.byExposureId(id);
  }

  findServicesByExposureIds(ids: readonly string[]): Promise<ObservedService[]> {
    return this.#lookups.byExposureIds(ids);
  }

  async deleteService(
    ref: ServiceRef,
    preconditions: { uid?: string; resourceVersion?: string } = {},
  ): Promise<DeleteServiceResult> {
    let last: V1Service;
    try {
      last = await this.#call('services.delete', () =>
        this.#core.deleteNamespacedService({
          name: ref.name,
          namespace: ref.namespace,
          body: {
            preconditions: {
              ...(preconditions.uid !== undefined && { uid: preconditions.uid }),
              ...(preconditions.resourceVersion !== undefined && {
                resourceVersion: preconditions.resourceVersion,
              }),
            },
          },
        }),
      );
    } catch (error) {
      if (
        error instanceof ClusterError &&
        (error.kind === 'NotFound' || error.kind === 'NamespaceNotFound')
      ) {
        return { outcome: 'absent' };
      }
      throw error;
    }
    // The apiserver answers with the object: still there (terminating) while finalizers remain.
    const service = toObservedService(last);
    if (service.deletionTimestamp !== undefined && service.finalizers.length > 0) {
      return { outcome: 'terminating', service };
    }
    return { outcome: 'deleted' };
  }

  async writeFirewallStatus(ref: ServiceRef, status: string): Promise<void> {
    // The uid makes the apply an update of this very Service: without it, an apply to a Service
    // that is gone would try to create one, and one that was re-created would get a stale status.
    const uid = this.#caches.service(ref)?.uid ?? (await this.readService(ref))?.uid;
    if (!uid) throw new ClusterError('NotFound', `services "${ref.name}" not found`);
    const body: V1Service = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: ref.name,
        namespace: ref.namespace,
        uid,
        annotations: { [FIREWALL_STATUS_ANNOTATION]: status },
      },
    };
    await this.#call('services.applyStatus', () =>
      this.#core.patchNamespacedService(
        { name: ref.name, namespace: ref.namespace, body, fieldManager: STATUS_FIELD_MANAGER, force: true },
        APPLY(),
      ),
    );
  }

  async removeFinalizer(ref: ServiceRef, finalizer: string): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const cached = attempt === 0 ? this.#caches.service(ref) : undefined;
      const current = cached?.finalizers.includes(finalizer) ? cached : await this.readService(ref);
      const index = current?.finalizers.indexOf(finalizer) ?? -1;
      if (index < 0) return;
      try {
        // The test pins the entry at that index: if the list changed meanwhile, nothing is removed
        // (the apiserver answers 422) and the list is read again.
        await this.#patch('services.patch', ref, STATUS_FIELD_MANAGER, [
          { op: 'test', path: `/metadata/finalizers/${index}`, value: finalizer },
          { op: 'remove', path: `/metadata/finalizers/${index}` },
        ]);
        return;
      } catch (error) {
        if (
          error instanceof ClusterError &&
          (error.kind === 'NotFound' || error.kind === 'NamespaceNotFound')
        ) {
          return;
        }
        if (!(error instanceof ClusterError && error.kind === 'Invalid')) throw error;
      }
    }
    throw new ClusterError('Conflict', `the finalizers of services "${ref.name}" kept changing; retry`);
  }

  nodePortHolder(nodePort: number, protocol: ServiceProtocol): Promise<NodePortHolder | undefined> {
    return this.#lookups.nodePortHolder(nodePort, protocol);
  }

  nodePortHolders(): Promise<NodePortAllocation[]> {
    return this.#lookups.nodePortHolders();
  }

  usageLedger(location: { namespace: string; name: string }): UsageLedger {
    return new ConfigMapUsageLedger(this.#core, this.#recorder, location);
  }

  recordEvent(ref: ServiceRef & { uid: string }, event: ClusterEventRecord): Promise<void> {
    return this.#events.record(ref, event);
  }

  // --- cached reads --------------------------------------------------------------------------

  serviceEvents(uid: string): readonly ServiceEventObservation[] | undefined {
    return this.#caches.serviceEvents(uid);
  }

  cachedServices(): Iterable<ObservedService> {
    return this.#caches.services();
  }

  cachedService(ref: ServiceRef): ObservedService | undefined {
    return this.#caches.service(ref);
  }

  nodes(): readonly ClusterNode[] {
    return this.#caches.nodes();
  }

  serviceEndpoints(ref: ServiceRef): readonly ServiceEndpoint[] {
    return this.#caches.serviceEndpoints(ref);
  }

  subscribe(listener: (event: ClusterEvent) => void): () => void {
    return this.#caches.subscribe(listener);
  }

  // --- internals ----------------------------------------------------------------------------

  #call<T>(operation: string, call: () => Promise<T>): Promise<T> {
    return callKubernetes(this.#recorder, operation, call);
  }

  #patch(operation: string, ref: ServiceRef, fieldManager: string, patch: JsonPatch): Promise<V1Service> {
    return this.#call(operation, () =>
      this.#core.patchNamespacedService(
        { name: ref.name, namespace: ref.namespace, body: patch, fieldManager },
        JSON_PATCH(),
      ),
    );
  }
}
