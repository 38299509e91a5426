// The Kubernetes objects exposure-api reads and writes, reduced to the fields it uses. Both the
// real Kubernetes adapter and the sandbox's in-memory cluster translate to and from these.

export type ServiceProtocol = 'TCP' | 'UDP';
export type TrafficPolicy = 'Cluster' | 'Local';

export interface ServicePortManifest {
  name?: string;
  port: number;
  targetPort: number | string;
  /** Omitted to let the cluster allocate one. */
  nodePort?: number;
  protocol: ServiceProtocol;
}

/** What exposure-api asks the cluster to create: a NodePort Service. */
export interface ServiceManifest {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  finalizers: string[];
  selector: Record<string, string>;
  ports: ServicePortManifest[];
  externalTrafficPolicy: TrafficPolicy;
}

export interface ObservedServicePort extends ServicePortManifest {
  nodePort: number;
}

/** A Service as the cluster stores it. */
export interface ObservedService extends ServiceManifest {
  uid: string;
  resourceVersion: string;
  creationTimestamp: string;
  /** Set once deletion was requested; the Service stays until its finalizers are removed. */
  deletionTimestamp?: string;
  clusterIP?: string;
  ports: ObservedServicePort[];
}

export type NodeAddressType = 'InternalIP' | 'ExternalIP' | 'Hostname' | 'InternalDNS' | 'ExternalDNS';

export interface ClusterNode {
  name: string;
  /** The node's Ready condition is True. */
  ready: boolean;
  addresses: { type: NodeAddressType; address: string }[];
}

/** One endpoint of a Service from its EndpointSlices (the parts that decide who serves). */
export interface ServiceEndpoint {
  nodeName?: string;
  ready: boolean;
  addresses: string[];
}

export interface ServiceRef {
  namespace: string;
  name: string;
}

export function serviceKey(ref: ServiceRef): string {
  return `${ref.namespace}/${ref.name}`;
}
