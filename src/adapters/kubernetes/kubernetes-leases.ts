// The Leases port on coordination.k8s.io/v1 Leases. Updates are full replacements carrying the
// resourceVersion they were based on, so the apiserver refuses a stale one with 409 Conflict:
// two replicas can never both believe they renewed the same lease.
import {
  type CoordinationV1Api,
  type KubeConfig,
  type V1Lease,
  type V1LeaseSpec,
  V1MicroTime,
} from '@kubernetes/client-node';
import type { LeaseRecord, Leases, ObservedLease } from '../../application/ports/leases.ts';
import { ignoreUpstreamCalls, type UpstreamCallRecorder } from '../../application/ports/telemetry.ts';
import { callKubernetes, createKubernetesApis, type KubernetesApiOptions } from './kubernetes-api.ts';
import { toClusterError } from './kubernetes-errors.ts';
import type { Wire } from './object-mapping.ts';

export interface KubernetesLeasesOptions extends KubernetesApiOptions {
  kubeConfig: KubeConfig;
  recorder?: UpstreamCallRecorder;
}

/** The adapter, plus `close` to release its connections. */
export interface KubernetesLeases extends Leases {
  close(): Promise<void>;
}

export function createKubernetesLeases(options: KubernetesLeasesOptions): KubernetesLeases {
  const apis = createKubernetesApis(options.kubeConfig, options);
  return new CoordinationLeases(apis.coordination, options.recorder ?? ignoreUpstreamCalls, () =>
    apis.close(),
  );
}

class CoordinationLeases implements KubernetesLeases {
  readonly #api: CoordinationV1Api;
  readonly #recorder: UpstreamCallRecorder;
  readonly #close: () => Promise<void>;

  constructor(api: CoordinationV1Api, recorder: UpstreamCallRecorder, close: () => Promise<void>) {
    this.#api = api;
    this.#recorder = recorder;
    this.#close = close;
  }

  async get(namespace: string, name: string): Promise<ObservedLease | undefined> {
    try {
      const lease = await callKubernetes(this.#recorder, 'leases.get', () =>
        this.#api.readNamespacedLease({ namespace, name }),
      );
      return toObservedLease(lease);
    } catch (error) {
      if (toClusterError(error).kind === 'NotFound') return undefined;
      throw error;
    }
  }

  async create(namespace: string, name: string, lease: LeaseRecord): Promise<ObservedLease> {
    const created = await callKubernetes(this.#recorder, 'leases.create', () =>
      this.#api.createNamespacedLease({
        namespace,
        body: {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name, namespace, ...(lease.annotations && { annotations: lease.annotations }) },
          spec: toSpec(lease),
        },
      }),
    );
    return toObservedLease(created);
  }

  async update(
    namespace: string,
    name: string,
    lease: LeaseRecord,
    resourceVersion: string,
  ): Promise<ObservedLease> {
    const updated = await callKubernetes(this.#recorder, 'leases.update', () =>
      this.#api.replaceNamespacedLease({
        namespace,
        name,
        body: {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: {
            name,
            namespace,
            resourceVersion,
            ...(lease.annotations && { annotations: lease.annotations }),
          },
          spec: toSpec(lease),
        },
      }),
    );
    return toObservedLease(updated);
  }

  close(): Promise<void> {
    return this.#close();
  }
}

function toSpec(lease: LeaseRecord): V1LeaseSpec {
  const spec: V1LeaseSpec = {
    leaseDurationSeconds: lease.leaseDurationSeconds,
    leaseTransitions: lease.leaseTransitions,
  };
  if (lease.holderIdentity !== undefined) spec.holderIdentity = lease.holderIdentity;
  if (lease.acquireTime !== undefined) spec.acquireTime = microTime(lease.acquireTime);
  if (lease.renewTime !== undefined) spec.renewTime = microTime(lease.renewTime);
  return spec;
}

/** A MicroTime for the wire: client-node's `V1MicroTime` serializes with six fractional digits. */
function microTime(value: string): V1MicroTime {
  const millis = Date.parse(value);
  if (Number.isNaN(millis)) throw new TypeError(`not an RFC 3339 time: ${value}`);
  return new V1MicroTime(millis);
}

function toObservedLease(lease: Wire<V1Lease>): ObservedLease {
  const spec = lease.spec ?? {};
  const observed: ObservedLease = {
    resourceVersion: lease.metadata?.resourceVersion ?? '',
    leaseDurationSeconds: spec.leaseDurationSeconds ?? 0,
    leaseTransitions: spec.leaseTransitions ?? 0,
  };
  if (spec.holderIdentity) observed.holderIdentity = spec.holderIdentity;
  const acquireTime = microTimeText(spec.acquireTime);
  if (acquireTime) observed.acquireTime = acquireTime;
  const renewTime = microTimeText(spec.renewTime);
  if (renewTime) observed.renewTime = renewTime;
  const annotations = lease.metadata?.annotations;
  if (annotations && Object.keys(annotations).length > 0) observed.annotations = { ...annotations };
  return observed;
}

/** client-node leaves MicroTimes it read as the server's text (a type it has no deserializer for). */
function microTimeText(value: Date | string | undefined): string | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : new V1MicroTime(value.getTime()).toISOString();
}
