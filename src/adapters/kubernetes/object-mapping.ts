// Translation between Kubernetes objects (client-node's models) and the reduced objects of the
// Cluster port, in both directions.
//
// Objects reach the adapter in two shapes: responses of the generated API are deserialized into
// model classes (timestamps become `Date`s), while watch events are plain JSON (timestamps stay
// strings). `Wire<T>` describes both, and every timestamp goes through `timestamp()`.
import type {
  V1EndpointSlice,
  V1ManagedFieldsEntry,
  V1Node,
  V1ObjectMeta,
  V1Service,
  V1ServicePort,
} from '@kubernetes/client-node';
import type {
  ClusterNode,
  NodeAddressType,
  ObservedService,
  ObservedServicePort,
  ServiceEndpoint,
  ServiceManifest,
} from '../../domain/cluster-objects.ts';
import { shareStrings } from '../../domain/shared-strings.ts';

/** A model as it arrives from either the generated API (Dates) or a watch (strings). */
export type Wire<T> = T extends Date
  ? Date | string
  : T extends readonly (infer U)[]
    ? Wire<U>[]
    : T extends object
      ? { [K in keyof T]: Wire<T[K]> }
      : T;

/** The label the EndpointSlice controller puts on every slice of a Service. */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

const NODE_ADDRESS_TYPES: ReadonlySet<string> = new Set<NodeAddressType>([
  'InternalIP',
  'ExternalIP',
  'Hostname',
  'InternalDNS',
  'ExternalDNS',
]);

/** RFC 3339 in seconds, as the apiserver writes `metav1.Time` (and the in-memory cluster too). */
export function timestamp(value: Date | string | undefined): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  return value.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function objectKey(metadata: Wire<V1ObjectMeta> | undefined): string {
  return `${metadata?.namespace ?? ''}/${metadata?.name ?? ''}`;
}

/** The body of a plain create: exactly the fields exposure-api owns. */
export function serviceForCreate(manifest: ServiceManifest): V1Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: manifest.name,
      namespace: manifest.namespace,
      labels: { ...manifest.labels },
      annotations: { ...manifest.annotations },
      finalizers: [...manifest.finalizers],
    },
    spec: serviceSpec(manifest),
  };
}

/**
 * The body of a server-side apply: the whole set of fields exposure-api owns (the finalizer too,
 * or the apply would drop it), with the uid as a precondition: an apply against a Service that was
 * deleted and re-created under the same name fails instead of taking the new one over.
 */
export function serviceForApply(manifest: ServiceManifest, uid: string): V1Service {
  const body = serviceForCreate(manifest);
  if (body.metadata) body.metadata.uid = uid;
  return body;
}

function serviceSpec(manifest: ServiceManifest): NonNullable<V1Service['spec']> {
  return {
    type: 'NodePort',
    selector: { ...manifest.selector },
    externalTrafficPolicy: manifest.externalTrafficPolicy,
    ports: manifest.ports.map((port) => {
      const out: V1ServicePort = {
        port: port.port,
        targetPort: port.targetPort,
        protocol: port.protocol,
      };
      if (port.name !== undefined) out.name = port.name;
      if (port.nodePort !== undefined) out.nodePort = port.nodePort;
      return out;
    }),
  };
}

/**
 * Arrays kept in the caches are copies made to their length. An array filled by pushing (as the
 * generated API's deserializer fills every list, and as filter() does) keeps room for 16 more
 * elements: ≈ 130 bytes of spare capacity under a one-element list, held for as long as the object
 * is cached — about 6 MB over the Services and EndpointSlices of 10,000 exposures.
 */
function exactCopy<T>(items: readonly T[] | undefined): T[] {
  return items === undefined ? [] : items.slice();
}

function toObservedPort(port: Wire<V1ServicePort>): ObservedServicePort {
  const observed: ObservedServicePort = {
    port: port.port,
    targetPort: port.targetPort ?? port.port,
    nodePort: port.nodePort ?? 0,
    protocol: port.protocol === 'UDP' ? 'UDP' : 'TCP',
  };
  if (port.name) observed.name = port.name;
  return observed;
}

export function toObservedService(service: Wire<V1Service>): ObservedService {
  const metadata = service.metadata ?? {};
  const spec = service.spec ?? {};
  const ports = (spec.ports ?? [])
    // Only TCP and UDP ports can be exposed (and probed) through a NodePort and a firewall rule.
    .filter((port) => port.protocol === undefined || port.protocol === 'TCP' || port.protocol === 'UDP')
    .map(toObservedPort);
  const name = metadata.name ?? '';
  // The workload's name is usually also a label and the selector's value: one string for all.
  const labels = shareStrings(metadata.labels ?? {}, {}, name);
  const observed: ObservedService = {
    namespace: metadata.namespace ?? '',
    name,
    labels,
    annotations: metadata.annotations ?? {},
    finalizers: exactCopy(metadata.finalizers),
    selector: shareStrings(spec.selector ?? {}, labels, name),
    ports,
    externalTrafficPolicy: spec.externalTrafficPolicy === 'Local' ? 'Local' : 'Cluster',
    uid: metadata.uid ?? '',
    resourceVersion: metadata.resourceVersion ?? '',
    creationTimestamp: timestamp(metadata.creationTimestamp) ?? '',
  };
  const deletionTimestamp = timestamp(metadata.deletionTimestamp);
  if (deletionTimestamp !== undefined) observed.deletionTimestamp = deletionTimestamp;
  if (spec.clusterIP) observed.clusterIP = spec.clusterIP;
  return observed;
}

export function toClusterNode(node: Wire<V1Node>): ClusterNode {
  const ready = node.status?.conditions?.find((condition) => condition.type === 'Ready');
  return {
    name: node.metadata?.name ?? '',
    ready: ready?.status === 'True',
    addresses: (node.status?.addresses ?? [])
      .filter((address) => NODE_ADDRESS_TYPES.has(address.type))
      .map((address) => ({ type: address.type as NodeAddressType, address: address.address })),
  };
}

/** A slice reduced to the Service it belongs to and what decides who serves. */
export interface SliceEndpoints {
  namespace: string;
  serviceName: string | undefined;
  endpoints: ServiceEndpoint[];
}

export function toSliceEndpoints(slice: Wire<V1EndpointSlice>): SliceEndpoints {
  return {
    namespace: slice.metadata?.namespace ?? '',
    serviceName: slice.metadata?.labels?.[SERVICE_NAME_LABEL],
    endpoints: (slice.endpoints ?? []).map((endpoint) => {
      // A nil `ready` means unknown, which consumers must treat as ready (discovery/v1 docs).
      const out: ServiceEndpoint = {
        ready: endpoint.conditions?.ready !== false,
        addresses: exactCopy(endpoint.addresses),
      };
      if (endpoint.nodeName) out.nodeName = endpoint.nodeName;
      return out;
    }),
  };
}

/**
 * One Service's endpoints from all its slices. During a controller's rebalancing one endpoint can
 * be in two slices for a moment; it is listed once (ready if either copy says so).
 */
export function mergeSliceEndpoints(slices: Iterable<SliceEndpoints>): ServiceEndpoint[] {
  const byAddress = new Map<string, ServiceEndpoint>();
  for (const slice of slices) {
    for (const endpoint of slice.endpoints) {
      const key = `${endpoint.nodeName ?? ''}|${endpoint.addresses.join(',')}`;
      const seen = byAddress.get(key);
      if (!seen || (!seen.ready && endpoint.ready)) byAddress.set(key, endpoint);
    }
  }
  return [...byAddress.values()];
}

/**
 * Moves the fields a manager set with a plain create or update (operation `Update`) into its
 * server-side apply entry, the way client-go's csaupgrade does. Without it, a label set at create
 * time belongs to `exposure-api`/Update, which is a different field manager from
 * `exposure-api`/Apply, and a later apply that drops the label would leave it in place.
 * Returns undefined when there is nothing to move.
 */
export function upgradeManagedFields(
  entries: readonly Wire<V1ManagedFieldsEntry>[],
  manager: string,
): Wire<V1ManagedFieldsEntry>[] | undefined {
  const isOurs = (entry: Wire<V1ManagedFieldsEntry>, operation: string) =>
    entry.manager === manager && entry.operation === operation && !entry.subresource;
  const update = entries.find((entry) => isOurs(entry, 'Update'));
  if (!update) return undefined;
  const apply = entries.find((entry) => isOurs(entry, 'Apply'));
  const merged: Wire<V1ManagedFieldsEntry> = apply
    ? { ...apply, fieldsV1: mergeFieldSets(apply.fieldsV1, update.fieldsV1) }
    : { ...update, operation: 'Apply' };
  return [merged, ...entries.filter((entry) => entry !== update && entry !== apply)];
}

/** The union of two FieldsV1 trees (nested objects whose keys name fields). */
function mergeFieldSets(a: unknown, b: unknown): object {
  const left = isRecord(a) ? a : {};
  const right = isRecord(b) ? b : {};
  const out: Record<string, unknown> = { ...left };
  for (const [key, value] of Object.entries(right)) {
    out[key] = key in out ? mergeFieldSets(out[key], value) : value;
  }
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
