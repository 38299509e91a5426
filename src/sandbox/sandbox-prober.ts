// The sandbox's probes: the real network prober, except where a node's simulated kube-proxy could
// not open the port. There a connect could reach whatever program holds that address and port and
// report a node Healthy that serves nothing; the probe fails instead, with the proxy's reason.
import type { ProbeResult, Prober } from '../application/ports/prober.ts';
import type { ProbeTarget } from '../domain/endpoints.ts';

export interface NodePortErrors {
  /** Why `address:port` is not open on a simulated node that should serve it; undefined when it is. */
  nodePortError(address: string, port: number): string | undefined;
}

export class SandboxProber implements Prober {
  readonly #nodes: NodePortErrors;
  readonly #network: Prober;

  constructor(nodes: NodePortErrors, network: Prober) {
    this.#nodes = nodes;
    this.#network = network;
  }

  probe(target: ProbeTarget, timeoutMs: number): Promise<ProbeResult> {
    const error = this.#nodes.nodePortError(target.address, target.port);
    if (error !== undefined) return Promise.resolve({ ok: false, latencyMs: 0, error });
    return this.#network.probe(target, timeoutMs);
  }
}
