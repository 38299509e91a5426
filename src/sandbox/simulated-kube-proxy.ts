// A stand-in for kube-proxy on one simulated node: it really listens on `nodeIP:nodePort` for
// every NodePort Service and forwards each connection to a ready pod. Like kube-proxy's rules, a
// node port with no eligible pod (none ready, or none on this node under
// externalTrafficPolicy: Local) refuses connections, so a TCP probe tells the truth.
//
// In front of it stands the GCE firewall (sandbox-firewall.ts): a connection the rules would not
// let through is reset at once (GCE drops it silently, and a client waits for its timeout).
//
// A node port it cannot open (another program holds the address and port) is not a silent gap:
// the reason is kept for the node's state and its probes, and the listen is tried again with
// backoff until it succeeds, as kube-proxy keeps syncing its rules.
import net from 'node:net';
import type { Logger } from '../application/ports/log.ts';
import type { ObservedService, ObservedServicePort } from '../domain/cluster-objects.ts';
import type { SimulatedPod } from './demo-workload.ts';
import type { IngressFirewall } from './sandbox-firewall.ts';

interface Forwarding {
  address: string;
  service: ObservedService;
  port: ObservedServicePort;
}

/** A node port this proxy could not open, and why. */
export interface NodePortError {
  address: string;
  nodePort: number;
  error: string;
  /** Failed attempts so far; the proxy keeps trying. */
  attempts: number;
}

/** One `address:nodePort` the proxy serves: listening, or failing and retrying. */
interface NodePortListener {
  address: string;
  nodePort: number;
  server: net.Server | undefined;
  /** The attempt to listen under way, awaited before the listener is closed. */
  opening: Promise<void> | undefined;
  error: string | undefined;
  attempts: number;
  retry: NodeJS.Timeout | undefined;
  stopped: boolean;
}

const RETRY_INITIAL_MS = 100;
const RETRY_MAX_MS = 2000;

export class SimulatedKubeProxy {
  readonly nodeName: string;
  readonly #addresses: readonly string[];
  readonly #log: Logger;
  readonly #firewall: IngressFirewall;
  readonly #listeners = new Map<string, NodePortListener>();
  readonly #forwardings = new Map<string, Forwarding>();
  readonly #connections = new Set<net.Socket>();
  #pods: readonly SimulatedPod[] = [];
  #failed = false;
  #roundRobin = 0;

  constructor(nodeName: string, addresses: readonly string[], log: Logger, firewall: IngressFirewall) {
    this.nodeName = nodeName;
    this.#addresses = addresses;
    this.#log = log;
    this.#firewall = firewall;
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
          for (const address of this.#addresses) {
            wanted.set(key(address, port.nodePort), { address, service, port });
          }
        }
      }
    }
    this.#forwardings.clear();
    for (const [name, forwarding] of wanted) this.#forwardings.set(name, forwarding);
    const closing: Promise<void>[] = [];
    for (const [name, listener] of this.#listeners) {
      if (!wanted.has(name)) {
        this.#listeners.delete(name);
        closing.push(stop(listener));
      }
    }
    if (this.#failed) for (const socket of this.#connections) socket.destroy();
    await Promise.all(closing);
    const opening: Promise<void>[] = [];
    for (const [name, { address, port }] of wanted) {
      if (this.#listeners.has(name)) continue;
      const listener: NodePortListener = {
        address,
        nodePort: port.nodePort,
        server: undefined,
        opening: undefined,
        error: undefined,
        attempts: 0,
        retry: undefined,
        stopped: false,
      };
      this.#listeners.set(name, listener);
      listener.opening = this.#listen(listener);
      opening.push(listener.opening);
    }
    await Promise.all(opening);
  }

  /** The node ports this proxy should serve but could not open. */
  nodePortErrors(): NodePortError[] {
    return [...this.#listeners.values()].flatMap(({ address, nodePort, error, attempts }) =>
      error === undefined ? [] : [{ address, nodePort, error, attempts }],
    );
  }

  /** Why `address:nodePort` is not open, when this proxy should serve it but could not open it. */
  nodePortError(address: string, nodePort: number): string | undefined {
    return this.#listeners.get(key(address, nodePort))?.error;
  }

  async close(): Promise<void> {
    for (const socket of this.#connections) socket.destroy();
    const listeners = [...this.#listeners.values()];
    this.#listeners.clear();
    await Promise.all(listeners.map(stop));
  }

  #backends(service: ObservedService, port: ObservedServicePort): { host: string; port: number }[] {
    return this.#pods.flatMap((pod) => {
      if (!pod.ready || pod.namespace !== service.namespace) return [];
      if (!Object.entries(service.selector).every(([label, value]) => pod.labels[label] === value)) return [];
      if (service.externalTrafficPolicy === 'Local' && pod.nodeName !== this.nodeName) return [];
      const target = pod.ports.get(port.targetPort);
      return target === undefined ? [] : [{ host: pod.address, port: target }];
    });
  }

  #listen(listener: NodePortListener): Promise<void> {
    const { address, nodePort } = listener;
    const server = net.createServer((client) => this.#accept(listener, client));
    return new Promise<void>((resolve) => {
      server.once('error', (error: NodeJS.ErrnoException) => {
        listener.attempts++;
        const reason = `node port ${nodePort} on ${address} could not be opened: ${error.code ?? error.message}`;
        if (listener.error !== reason) {
          this.#log.warn(
            { node: this.nodeName, address, nodePort, err: error.message },
            'simulated kube-proxy cannot listen; it tries again',
          );
        }
        listener.error = reason;
        if (!listener.stopped) {
          const delay = Math.min(RETRY_MAX_MS, RETRY_INITIAL_MS * 2 ** (listener.attempts - 1));
          listener.retry = setTimeout(() => {
            listener.retry = undefined;
            if (!listener.stopped) listener.opening = this.#listen(listener);
          }, delay);
          listener.retry.unref();
        }
        resolve();
      });
      server.listen({ host: address, port: nodePort }, () => {
        if (listener.attempts > 0) {
          this.#log.info(
            { node: this.nodeName, address, nodePort, attempts: listener.attempts },
            'simulated kube-proxy listens after all',
          );
        }
        listener.server = server;
        listener.error = undefined;
        listener.attempts = 0;
        resolve();
      });
    });
  }

  #accept(listener: NodePortListener, client: net.Socket): void {
    client.on('error', () => client.destroy());
    const decision = this.#firewall.admit(client.remoteAddress ?? '', listener.nodePort);
    if (!decision.admitted) {
      this.#log.info(
        { node: this.nodeName, nodePort: listener.nodePort, reason: decision.reason },
        'firewall refused',
      );
      client.resetAndDestroy();
      return;
    }
    this.#forward(key(listener.address, listener.nodePort), client);
  }

  #forward(name: string, client: net.Socket): void {
    const forwarding = this.#forwardings.get(name);
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

function key(address: string, nodePort: number): string {
  return `${address}|${nodePort}`;
}

/** Stops retrying, waits for an attempt under way, and closes what listens. */
async function stop(listener: NodePortListener): Promise<void> {
  listener.stopped = true;
  clearTimeout(listener.retry);
  await listener.opening;
  const server = listener.server;
  listener.server = undefined;
  if (server?.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
}
