// What the tests change in a real cluster besides the adapter's own writes, as the admin: namespaces,
// Nodes (there is no kubelet), EndpointSlices (there is no controller-manager), Services that
// exposure-api does not manage, and reading back Events.
import type {
  ClusterNode,
  ServiceEndpoint,
  ServiceManifest,
  ServiceRef,
} from '../../src/domain/cluster-objects.ts';
import type { ApiResponse, ControlPlane } from '../../tools/controlplane/index.ts';
import type { ClusterAdmin } from '../contract/cluster.contract.ts';

/** What the EndpointSlice controller calls itself in `endpointslice.kubernetes.io/managed-by`. */
const SLICE_CONTROLLER = 'endpointslice-controller.k8s.io';

interface ServiceObject {
  metadata: { uid: string; labels?: Record<string, string> };
  spec: { ports?: { name?: string; port: number; targetPort?: number | string; protocol?: string }[] };
}

export interface EventObject {
  metadata: { name: string; namespace: string };
  involvedObject: { name: string; uid?: string; kind?: string };
  type: string;
  reason: string;
  message: string;
  count?: number;
  firstTimestamp?: string;
  lastTimestamp?: string;
  source?: { component?: string };
  reportingComponent?: string;
  reportingInstance?: string;
}

export function kubernetesAdmin(controlPlane: ControlPlane): ClusterAdmin & {
  events(ref: ServiceRef): Promise<EventObject[]>;
} {
  const request = async (method: string, path: string, body?: unknown, contentType?: string) => {
    const response = await controlPlane.request(method, path, {
      ...(body === undefined ? {} : { body }),
      ...(contentType ? { headers: { 'content-type': contentType } } : {}),
    });
    return response;
  };
  const expect = (response: ApiResponse, ...ok: number[]) => {
    if (!ok.includes(response.status)) {
      throw new Error(`the apiserver answered ${response.status}: ${JSON.stringify(response.body)}`);
    }
    return response;
  };
  const events = async (ref: ServiceRef): Promise<EventObject[]> => {
    const selector = encodeURIComponent(`involvedObject.name=${ref.name}`);
    const response = expect(
      await request('GET', `/api/v1/namespaces/${ref.namespace}/events?fieldSelector=${selector}`),
      200,
    );
    return (response.body as { items: EventObject[] }).items;
  };

  return {
    async createNamespace(name) {
      expect(
        await request('POST', '/api/v1/namespaces', {
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: { name },
        }),
        201,
        409,
      );
    },

    async setNode(node: ClusterNode) {
      const status = {
        addresses: node.addresses,
        conditions: [
          {
            type: 'Ready',
            status: node.ready ? 'True' : 'False',
            reason: node.ready ? 'KubeletReady' : 'KubeletNotReady',
            message: node.ready ? 'kubelet is posting ready status' : 'kubelet stopped posting node status',
            lastHeartbeatTime: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
            lastTransitionTime: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
          },
        ],
      };
      const created = await request('POST', '/api/v1/nodes', {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name: node.name },
        status,
      });
      if (created.status === 201) return;
      expect(created, 409);
      // Status is a subresource: a kubelet reports it there.
      expect(
        await request(
          'PATCH',
          `/api/v1/nodes/${node.name}/status`,
          { status },
          'application/merge-patch+json',
        ),
        200,
      );
    },

    async deleteNode(name) {
      expect(await request('DELETE', `/api/v1/nodes/${name}`), 200, 404);
    },

    /** One slice per Service, shaped as the EndpointSlice controller writes it. */
    async setServiceEndpoints(ref: ServiceRef, endpoints: ServiceEndpoint[]) {
      const service = expect(
        await request('GET', `/api/v1/namespaces/${ref.namespace}/services/${ref.name}`),
        200,
      ).body as ServiceObject;
      const slice = {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: {
          name: `${ref.name}-slice`,
          namespace: ref.namespace,
          labels: {
            ...service.metadata.labels,
            'kubernetes.io/service-name': ref.name,
            'endpointslice.kubernetes.io/managed-by': SLICE_CONTROLLER,
          },
          ownerReferences: [
            {
              apiVersion: 'v1',
              kind: 'Service',
              name: ref.name,
              uid: service.metadata.uid,
              controller: true,
              blockOwnerDeletion: true,
            },
          ],
        },
        addressType: 'IPv4',
        endpoints: endpoints.map((endpoint) => ({
          addresses: endpoint.addresses,
          conditions: { ready: endpoint.ready, serving: endpoint.ready, terminating: false },
          ...(endpoint.nodeName ? { nodeName: endpoint.nodeName } : {}),
        })),
        ports: (service.spec.ports ?? []).map((port) => ({
          name: port.name ?? '',
          port: typeof port.targetPort === 'number' ? port.targetPort : port.port,
          protocol: port.protocol ?? 'TCP',
        })),
      };
      expect(
        await request(
          'PATCH',
          `/apis/discovery.k8s.io/v1/namespaces/${ref.namespace}/endpointslices/${slice.metadata.name}?fieldManager=${SLICE_CONTROLLER}&force=true`,
          slice,
          'application/apply-patch+yaml',
        ),
        200,
        201,
      );
    },

    async createUnmanagedService(manifest: ServiceManifest) {
      expect(
        await request(
          'POST',
          `/api/v1/namespaces/${manifest.namespace}/services?fieldManager=kubectl-create`,
          {
            apiVersion: 'v1',
            kind: 'Service',
            metadata: { name: manifest.name, namespace: manifest.namespace, labels: manifest.labels },
            spec: {
              type: 'NodePort',
              selector: manifest.selector,
              ports: manifest.ports.map((port) => ({ ...port })),
              externalTrafficPolicy: manifest.externalTrafficPolicy,
            },
          },
        ),
        201,
      );
    },

    /** The events exposure-api recorded (the apiserver itself records some, e.g. ClusterIPNotAllocated). */
    async eventReasons(ref: ServiceRef) {
      return (await events(ref))
        .filter(
          (event) =>
            event.reportingComponent === 'exposure-api' || event.source?.component === 'exposure-api',
        )
        .map((event) => event.reason);
    },

    events,
  };
}
