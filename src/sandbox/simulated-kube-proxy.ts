// A stand-in for kube-proxy on one simulated node: it really listens on `nodeIP:nodePort` for
// every NodePort Service and forwards each connection to a ready pod. Like kube-proxy's rules, a
// node port with no eligible pod (none ready, or none on this node under
// externalTrafficPolicy: Local) refuses connections, so a TCP probe tells the truth.
import net from 'node:net';
import type { Logger } from '../application/ports/log.ts';
import type { ObservedService, ObservedServicePort } from '../domain/cluster-objects.ts';
import type { SimulatedPod } from './demo-workload.ts';

interface Forwarding {
  service: ObservedService;
  port: ObservedServicePort;
}

export class SimulatedKubeProxy {
  readonly nodeName: string;
  readonly #addresses: readonly string[];
  readonly #log: Logger;
  readonly #listeners = new Map<string, net.Server>();
  readonly #forwardings = new Map<string, Forwarding>();
  readonly #connections = new Set<net.Socket>();
  #pods: readonly SimulatedPod[] = [];
  #failed = false;
  #roundRobin = 0;

  constructor(nodeName: string, addresses: readonly string[], log: Logger) {
    this.nodeName = nodeName;
    this.#addresses = addresses;
    this.#log = log;
  }

  get failed(): boolean {
    return this.#failed;
  }

  /** A failed node's proxy stops listening: connections to its node ports are refused. */
  async setFailed(
    failed: boolean,
    services: readonly ObservedService[],
    pods: readonly SimulatedPod[],
  ): Promise<void> {
    this.#failed = failed;
    await this.sync(services, pods);
  }

  async sync(services: readonly ObservedService[], pods: readonly SimulatedPod[]): Promise<void> {
    this.#pods = pods;
    const wanted = new Map<string, Forwarding>();
    if (!this.#failed) {
      for (const service of services) {
        for (const port of service.ports) {
          if (port.protocol !== 'TCP' || this.#backends(service, port).length === 0) continue;
          for (const address of this.#addresses) wanted.set(`${address}|${port.nodePort}`, { service, port });
        }
      }
    }
    this.#forwardings.clear();
    for (const [key, forwarding] of wanted) this.#forwardings.set(key, forwarding);
    const closing: Promise<void>[] = [];
    for (const [key, server] of this.#listeners) {
      if (!wanted.has(key)) {
        this.#listeners.delete(key);
        closing.push(new Promise((resolve) => server.close(() => resolve())));
      }
    }
    if (this.#failed) for (const socket of this.#connections) socket.destroy();
    await Promise.all(closing);
    const opening: Promise<void>[] = [];
    for (const key of wanted.keys()) if (!this.#listeners.has(key)) opening.push(this.#listen(key));
    await Promise.all(opening);
  }

  async close(): Promise<void> {
    for (const socket of this.#connections) socket.destroy();
    const servers = [...this.#listeners.values()];
    this.#listeners.clear();
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  }

  #backends(service: ObservedService, port: ObservedServicePort): { host: string; port: number }[] {
    return this.#pods.flatMap((pod) => {
      if (!pod.ready || pod.namespace !== service.namespace) return [];
      if (!Object.entries(service.selector).every(([key, value]) => pod.labels[key] === value)) return [];
      if (service.externalTrafficPolicy === 'Local' && pod.nodeName !== this.nodeName) return [];
      const target = pod.ports.get(port.targetPort);
      return target === undefined ? [] : [{ host: pod.address, port: target }];
    });
  }

  async #listen(key: string): Promise<void> {
    const [address = '', nodePort = '0'] = key.split('|');
    const server = net.createServer((client) => this.#forward(key, client));
    this.#listeners.set(key, server);
    await new Promise<void>((resolve) => {
      server.once('error', (error) => {
        this.#listeners.delete(key);
        this.#log.warn(
          { node: this.nodeName, address, nodePort, err: error.message },
          'simulated kube-proxy cannot listen',
        );
        resolve();
      });
      server.listen({ host: address, port: Number(nodePort) }, () => resolve());
    });
  }

  #forward(key: string, client: net.Socket): void {
    const forwarding = this.#forwardings.get(key);
    const backends = forwarding ? this.#backends(forwarding.service, forwarding.port) : [];
    const backend = backends[this.#roundRobin++ % Math.max(1, backends.length)];
    if (!backend) {
      client.destroy();
      return;
    }
    const upstream = net.connect(backend);
    this.#connections.add(client);
    this.#connections.add(upstream);
    const cleanup = () => {
      this.#connections.delete(client);
      this.#connections.delete(upstream);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', cleanup).on('close', cleanup);
    upstream.on('error', cleanup).on('close', cleanup);
    client.pipe(upstream).pipe(client);
  }
}
