// The simulated cluster around the in-memory apiserver: nodes on distinct loopback addresses,
// each with a simulated kube-proxy, pods of a demo workload, and an EndpointSlice controller that
// publishes which pods back which Service. Failing a node stops its kube-proxy, as a dead node
// (or a broken kube-proxy) would. A node's state also says which node ports its kube-proxy could
// not open, and why.
import type { Logger } from '../application/ports/log.ts';
import type { ObservedService, ServiceEndpoint } from '../domain/cluster-objects.ts';
import type { RunningPod, SimulatedPod } from './demo-workload.ts';
import type { InMemoryCluster } from './in-memory-cluster.ts';
import type { IngressFirewall } from './sandbox-firewall.ts';
import type { NodePortErrors } from './sandbox-prober.ts';
import { type NodePortError, SimulatedKubeProxy } from './simulated-kube-proxy.ts';

export interface SandboxNodeSpec {
  name: string;
  internalIP: string;
  externalIP?: string;
}

export interface NodeState extends SandboxNodeSpec {
  ready: boolean;
  failed: boolean;
  /** Node ports its kube-proxy should serve but could not open (it keeps trying). */
  nodePortErrors: NodePortError[];
}

export class SandboxWorld implements NodePortErrors {
  readonly #cluster: InMemoryCluster;
  readonly #nodes: SandboxNodeSpec[];
  readonly #proxies = new Map<string, SimulatedKubeProxy>();
  readonly #pods: RunningPod[] = [];
  #unwatch: (() => void) | undefined;
  #syncing: Promise<void> = Promise.resolve();

  constructor(
    cluster: InMemoryCluster,
    nodes: readonly SandboxNodeSpec[],
    log: Logger,
    firewall: IngressFirewall,
  ) {
    this.#cluster = cluster;
    this.#nodes = [...nodes];
    for (const node of nodes) {
      const addresses = [node.internalIP, ...(node.externalIP ? [node.externalIP] : [])];
      this.#proxies.set(node.name, new SimulatedKubeProxy(node.name, addresses, log, firewall));
      cluster.setNode({
        name: node.name,
        ready: true,
        addresses: [
          { type: 'InternalIP', address: node.internalIP },
          ...(node.externalIP ? [{ type: 'ExternalIP' as const, address: node.externalIP }] : []),
          { type: 'Hostname', address: node.name },
        ],
      });
    }
  }

  start(): void {
    this.#unwatch = this.#cluster.watchAllServices(() => void this.sync());
  }

  addPod(pod: RunningPod): Promise<void> {
    this.#pods.push(pod);
    return this.sync();
  }

  pods(): SimulatedPod[] {
    return this.#pods.map((running) => running.pod);
  }

  async failNode(name: string): Promise<void> {
    await this.#proxy(name).setFailed(true, this.#cluster.allServices(), this.pods());
  }

  async restoreNode(name: string): Promise<void> {
    await this.#proxy(name).setFailed(false, this.#cluster.allServices(), this.pods());
  }

  hasNode(name: string): boolean {
    return this.#proxies.has(name);
  }

  nodeStates(): NodeState[] {
    const ready = new Map(this.#cluster.nodes().map((node) => [node.name, node.ready]));
    return this.#nodes.map((node) => ({
      ...node,
      ready: ready.get(node.name) ?? false,
      failed: this.#proxy(node.name).failed,
      nodePortErrors: this.#proxy(node.name).nodePortErrors(),
    }));
  }

  nodePortError(address: string, port: number): string | undefined {
    for (const proxy of this.#proxies.values()) {
      const error = proxy.nodePortError(address, port);
      if (error !== undefined) return error;
    }
    return undefined;
  }

  /** Publishes endpoints and re-syncs every kube-proxy (serialised: syncs never overlap). */
  sync(): Promise<void> {
    this.#syncing = this.#syncing.then(() => this.#syncOnce());
    return this.#syncing;
  }

  async close(): Promise<void> {
    this.#unwatch?.();
    await this.#syncing;
    await Promise.all([...this.#proxies.values()].map((proxy) => proxy.close()));
    await Promise.all(this.#pods.map((pod) => pod.close()));
  }

  async #syncOnce(): Promise<void> {
    const services = this.#cluster.allServices();
    const pods = this.pods();
    for (const service of services) this.#publishEndpoints(service, pods);
    await Promise.all([...this.#proxies.values()].map((proxy) => proxy.sync(services, pods)));
  }

  /** What the EndpointSlice controller does: the ready pods matching the Service's selector. */
  #publishEndpoints(service: ObservedService, pods: readonly SimulatedPod[]): void {
    const endpoints: ServiceEndpoint[] = pods
      .filter(
        (pod) =>
          pod.namespace === service.namespace &&
          Object.keys(service.selector).length > 0 &&
          Object.entries(service.selector).every(([key, value]) => pod.labels[key] === value),
      )
      .map((pod) => ({ nodeName: pod.nodeName, ready: pod.ready, addresses: [pod.podIP] }));
    // Compare with what the cluster holds (not with what was published before): a Service deleted
    // and created again under the same name starts without endpoints.
    if (JSON.stringify(this.#cluster.serviceEndpoints(service)) === JSON.stringify(endpoints)) return;
    this.#cluster.setServiceEndpoints(service, endpoints);
  }

  #proxy(name: string): SimulatedKubeProxy {
    const proxy = this.#proxies.get(name);
    if (!proxy) throw new Error(`no node ${name}`);
    return proxy;
  }
}
