// Where an exposure is reachable: one endpoint per node with a usable address × port, whether
// that node serves (and, later, whether a probe says it is healthy). "A NodePort is only as
// reachable as the node you picked", so callers get every node, best ones first.
import type {
  ClusterNode,
  ObservedServicePort,
  ServiceEndpoint,
  ServiceProtocol,
  TrafficPolicy,
} from './cluster-objects.ts';
import type { HealthCheckSpec } from './exposure-spec.ts';

export type ProbeAddressType = 'InternalIP' | 'ExternalIP';

export type HealthState = 'Healthy' | 'Unhealthy' | 'Unknown';

export interface EndpointHealth {
  state: HealthState;
  /** The address the probe connected to. */
  probedAddress?: string;
  /** What was probed, e.g. `tcp 10.128.0.7:30920`. */
  probe?: string;
  latencyMs?: number;
  checkedAt?: string;
  /** Why the probe failed. */
  error?: string;
  /** Why the state is Unknown. */
  reason?: string;
}

/** One node × one port of an exposure: where a caller can reach it, and whether it is healthy. */
export interface Endpoint {
  node: string;
  /** The node's ExternalIP if it has one, else its InternalIP. */
  address: string;
  addressType: 'ExternalIP' | 'InternalIP';
  internalIP?: string;
  externalIP?: string;
  /** The node port. */
  port: number;
  portName?: string;
  protocol: ServiceProtocol;
  /** For TCP ports: `http://address:port`. */
  url?: string;
  nodeReady: boolean;
  /** Whether the node forwards to a ready pod (under `Local`, only nodes holding one). */
  serving: boolean;
  health: EndpointHealth;
}

/** What to probe for one endpoint: a TCP connect, or an HTTP GET of `path`. */
export interface ProbeTarget {
  kind: 'tcp' | 'http';
  address: string;
  port: number;
  path?: string;
  /**
   * The Service (uid) the probe is about. Not used to probe, but part of the cache key: when a
   * node port passes to another Service, old results must not answer for the new one.
   */
  scope?: string;
}

export function probeTargetKey(target: ProbeTarget): string {
  return `${target.scope ?? ''}|${target.kind}|${target.address}|${target.port}|${target.path ?? ''}`;
}

export interface EndpointCandidate extends Omit<Endpoint, 'health'> {
  /** Set when the endpoint is probed; otherwise `notProbedReason` says why not. */
  probe?: ProbeTarget;
  notProbedReason?: string;
}

export interface EndpointInputs {
  ports: readonly ObservedServicePort[];
  externalTrafficPolicy: TrafficPolicy;
  healthCheck?: HealthCheckSpec;
  nodes: readonly ClusterNode[];
  serviceEndpoints: readonly ServiceEndpoint[];
  probeAddressType: ProbeAddressType;
  /** Scope of the probe results (the Service uid). */
  probeScope?: string;
}

/** What every endpoint of one node shares: its addresses and whether (else why not) it serves. */
interface NodeView {
  shown: string;
  internalIP: string | undefined;
  externalIP: string | undefined;
  probedAddress: string;
  notServingReason: string | undefined;
}

/** Per node, what its endpoints share; undefined for a node without an IP address (no endpoint). */
function nodeViews(inputs: EndpointInputs): (node: ClusterNode) => NodeView | undefined {
  const readyEndpoints = inputs.serviceEndpoints.filter((endpoint) => endpoint.ready);
  const nodesWithReadyPod = new Set(
    readyEndpoints.flatMap((endpoint) => (endpoint.nodeName ? [endpoint.nodeName] : [])),
  );
  return (node) => {
    const internalIP = node.addresses.find((a) => a.type === 'InternalIP')?.address;
    const externalIP = node.addresses.find((a) => a.type === 'ExternalIP')?.address;
    const shown = externalIP ?? internalIP;
    if (!shown) return undefined;
    const probedAddress =
      (inputs.probeAddressType === 'ExternalIP' ? (externalIP ?? internalIP) : (internalIP ?? externalIP)) ??
      shown;
    let notServingReason: string | undefined;
    if (!node.ready) notServingReason = 'node is not Ready';
    else if (readyEndpoints.length === 0) notServingReason = 'no ready pod matches the selector';
    else if (inputs.externalTrafficPolicy === 'Local' && !nodesWithReadyPod.has(node.name)) {
      notServingReason = 'no ready pod on this node (externalTrafficPolicy: Local)';
    }
    return { shown, internalIP, externalIP, probedAddress, notServingReason };
  };
}

export function endpointCandidates(inputs: EndpointInputs): EndpointCandidate[] {
  const viewOf = nodeViews(inputs);
  const candidates: EndpointCandidate[] = [];
  for (const node of inputs.nodes) {
    const view = viewOf(node);
    if (!view) continue; // a node without an IP address cannot be an endpoint
    for (const port of inputs.ports) candidates.push(candidateFor(node, view, port, inputs));
  }
  return candidates;
}

function candidateFor(
  node: ClusterNode,
  view: NodeView,
  port: ObservedServicePort,
  inputs: EndpointInputs,
): EndpointCandidate {
  const { shown, internalIP, externalIP, notServingReason } = view;
  const candidate: EndpointCandidate = {
    node: node.name,
    address: shown,
    addressType: externalIP ? 'ExternalIP' : 'InternalIP',
    ...(internalIP !== undefined && { internalIP }),
    ...(externalIP !== undefined && { externalIP }),
    port: port.nodePort,
    ...(port.name !== undefined && { portName: port.name }),
    protocol: port.protocol,
    ...(port.protocol === 'TCP' && { url: `http://${hostForUrl(shown)}:${port.nodePort}` }),
    nodeReady: node.ready,
    serving: notServingReason === undefined,
  };
  if (notServingReason !== undefined) {
    candidate.notProbedReason = `not serving: ${notServingReason}`;
  } else {
    const target = probeTargetFor(port, inputs, view.probedAddress);
    if (typeof target === 'string') candidate.notProbedReason = target;
    else candidate.probe = target;
  }
  return candidate;
}

/** The probe targets of `endpointCandidates`, in the same order, without building the candidates. */
export function* probeTargets(inputs: EndpointInputs): Generator<ProbeTarget> {
  const viewOf = nodeViews(inputs);
  for (const node of inputs.nodes) {
    const view = viewOf(node);
    if (!view || view.notServingReason !== undefined) continue;
    for (const port of inputs.ports) {
      const target = probeTargetFor(port, inputs, view.probedAddress);
      if (typeof target !== 'string') yield target;
    }
  }
}

export interface SelectedEndpoint<Outcome> {
  candidate: EndpointCandidate;
  outcome: Outcome | undefined;
}

const compareNames = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The first `limit` endpoints in the order of `orderEndpoints`, with their probe outcomes, and the
 * counts of `countEndpoints` over all of them — without building them all. For an exposure with
 * many ports on a large cluster (100 ports on 15,000 nodes are 1.5 million endpoints) the full list
 * does not fit in memory; here nodes are walked in name order and ports in (port, protocol) order,
 * so each class of the ordering (serving and Healthy, serving and Unknown, serving and Unhealthy,
 * not serving) comes already sorted, and no more than `limit` of each is kept. (Node names are
 * unique, being the names of Kubernetes objects, so no two endpoints tie in that order.)
 * With `limit` 0 it only counts, which is what a list item needs: building and ordering thousands
 * of endpoints per item just to count them made a page of 500 items on 2,000 nodes cost seconds.
 */
export function selectEndpoints<Outcome extends { ok: boolean }>(
  inputs: EndpointInputs,
  outcomeOf: (target: ProbeTarget) => Outcome | undefined,
  limit: number,
  readyPods: number,
): { selected: SelectedEndpoint<Outcome>[]; counts: EndpointCounts } {
  interface Kept {
    node: ClusterNode;
    view: NodeView;
    port: ObservedServicePort;
    outcome: Outcome | undefined;
  }
  const viewOf = nodeViews(inputs);
  // With nothing to keep (a list item needs only the counts), order does not matter.
  const nodes = limit > 0 ? [...inputs.nodes].sort((a, b) => compareNames(a.name, b.name)) : inputs.nodes;
  const ports =
    limit > 0
      ? [...inputs.ports].sort((a, b) => a.nodePort - b.nodePort || compareNames(a.protocol, b.protocol))
      : inputs.ports;
  const healthy: Kept[] = [];
  const unknown: Kept[] = [];
  const unhealthy: Kept[] = [];
  const notServing: Kept[] = [];
  const counts: EndpointCounts = { total: 0, serving: 0, healthy: 0, unhealthy: 0, unknown: 0, readyPods };
  for (const node of nodes) {
    const view = viewOf(node);
    if (!view) continue;
    for (const port of ports) {
      counts.total++;
      let into: Kept[];
      let outcome: Outcome | undefined;
      if (view.notServingReason !== undefined) {
        into = notServing;
      } else {
        counts.serving++;
        const target = probeTargetFor(port, inputs, view.probedAddress);
        outcome = typeof target === 'string' ? undefined : outcomeOf(target);
        if (outcome === undefined) {
          counts.unknown++;
          into = unknown;
        } else if (outcome.ok) {
          counts.healthy++;
          into = healthy;
        } else {
          counts.unhealthy++;
          into = unhealthy;
        }
      }
      if (into.length < limit) into.push({ node, view, port, outcome });
    }
  }
  const selected = [...healthy, ...unknown, ...unhealthy, ...notServing]
    .slice(0, limit)
    .map(({ node, view, port, outcome }) => ({ candidate: candidateFor(node, view, port, inputs), outcome }));
  return { selected, counts };
}

function probeTargetFor(
  port: ObservedServicePort,
  inputs: EndpointInputs,
  address: string,
): ProbeTarget | string {
  const check = inputs.healthCheck;
  if (check) {
    const checkedPort =
      check.port !== undefined
        ? inputs.ports.find((p) => p.port === check.port && p.protocol === 'TCP')
        : port.protocol === 'TCP'
          ? port
          : inputs.ports.find((p) => p.protocol === 'TCP');
    if (!checkedPort) return 'no TCP port to run the health check on';
    return {
      kind: check.type,
      address,
      port: checkedPort.nodePort,
      ...(check.type === 'http' && { path: check.path ?? '/' }),
      ...(inputs.probeScope !== undefined && { scope: inputs.probeScope }),
    };
  }
  if (port.protocol === 'UDP') {
    return 'UDP ports cannot be probed with a TCP connect; set healthCheck.port to a TCP port of this exposure';
  }
  return {
    kind: 'tcp',
    address,
    port: port.nodePort,
    ...(inputs.probeScope !== undefined && { scope: inputs.probeScope }),
  };
}

function hostForUrl(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}

const healthRank: Record<HealthState, number> = { Healthy: 0, Unknown: 1, Unhealthy: 2 };

/** What ordering and counting look at: an Endpoint, or anything shaped like one for these fields. */
export interface RankedEndpoint {
  serving: boolean;
  node: string;
  port: number;
  protocol: string;
  health: { state: HealthState };
}

/** Serving and healthy endpoints first, then by node name and port, so failover is a walk down the list. */
export function orderEndpoints<T extends RankedEndpoint>(endpoints: T[]): T[] {
  return endpoints.sort(
    (a, b) =>
      Number(b.serving) - Number(a.serving) ||
      healthRank[a.health.state] - healthRank[b.health.state] ||
      (a.node < b.node ? -1 : a.node > b.node ? 1 : 0) ||
      a.port - b.port ||
      (a.protocol < b.protocol ? -1 : a.protocol > b.protocol ? 1 : 0),
  );
}

export interface EndpointCounts {
  total: number;
  serving: number;
  healthy: number;
  unhealthy: number;
  unknown: number;
  readyPods: number;
}

/** Counts over serving endpoints (a non-serving node's health says nothing about the exposure). */
export function countEndpoints(endpoints: readonly RankedEndpoint[], readyPods: number): EndpointCounts {
  const counts: EndpointCounts = {
    total: endpoints.length,
    serving: 0,
    healthy: 0,
    unhealthy: 0,
    unknown: 0,
    readyPods,
  };
  for (const endpoint of endpoints) {
    if (!endpoint.serving) continue;
    counts.serving++;
    if (endpoint.health.state === 'Healthy') counts.healthy++;
    else if (endpoint.health.state === 'Unhealthy') counts.unhealthy++;
    else counts.unknown++;
  }
  return counts;
}
