// The endpoint counts of an exposure none of whose endpoints has a probe result, from totals over
// the nodes instead of a walk over nodes × ports. A list item needs only the counts; walking 2,000
// nodes for each of 500 items (and looking each endpoint up in the probe cache) made a page cost
// seconds. With no result, every serving endpoint is Unknown, so the counts depend only on how
// many nodes have an address, how many of those are Ready, and (under `Local`) which of them hold
// a ready pod: the same counts `selectEndpoints` arrives at, for a fraction of the work.
import type { ClusterNode } from './cluster-objects.ts';
import type { EndpointCounts, EndpointInputs } from './endpoints.ts';

/** What the counts need of the nodes, computed once per set of nodes. */
export interface NodeTotals {
  /** Nodes with an address (InternalIP or ExternalIP): each has one endpoint per port. */
  withAddress: number;
  /** Of those, the Ready ones. */
  readyWithAddress: number;
  /** Ready nodes with an address, by name (for `Local`: the nodes holding a ready pod). */
  readyByName: ReadonlySet<string>;
}

/** As `endpoints.ts` decides which address a node shows: none, no endpoint. */
function hasAddress(node: ClusterNode): boolean {
  const internalIP = node.addresses.find((a) => a.type === 'InternalIP')?.address;
  const externalIP = node.addresses.find((a) => a.type === 'ExternalIP')?.address;
  return Boolean(externalIP ?? internalIP);
}

export function nodeTotals(nodes: readonly ClusterNode[]): NodeTotals {
  let withAddress = 0;
  const readyByName = new Set<string>();
  for (const node of nodes) {
    if (!hasAddress(node)) continue;
    withAddress++;
    if (node.ready) readyByName.add(node.name);
  }
  return { withAddress, readyWithAddress: readyByName.size, readyByName };
}

/** `selectEndpoints(inputs, () => undefined, 0, readyPods).counts`, from the nodes' totals. */
export function unprobedEndpointCounts(
  inputs: Pick<EndpointInputs, 'ports' | 'externalTrafficPolicy' | 'serviceEndpoints'>,
  totals: NodeTotals,
  readyPods: number,
): EndpointCounts {
  const ports = inputs.ports.length;
  let servingNodes = 0;
  if (readyPods > 0) {
    if (inputs.externalTrafficPolicy === 'Local') {
      const withReadyPod = new Set<string>();
      for (const endpoint of inputs.serviceEndpoints) {
        if (endpoint.ready && endpoint.nodeName && totals.readyByName.has(endpoint.nodeName))
          withReadyPod.add(endpoint.nodeName);
      }
      servingNodes = withReadyPod.size;
    } else {
      servingNodes = totals.readyWithAddress;
    }
  }
  const serving = servingNodes * ports;
  return {
    total: totals.withAddress * ports,
    serving,
    healthy: 0,
    unhealthy: 0,
    unknown: serving,
    readyPods,
  };
}
