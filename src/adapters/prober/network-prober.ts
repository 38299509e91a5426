// Probes an endpoint from where the service runs: a TCP connect (proves the node forwards the
// node port to a ready pod), or an HTTP GET that must answer 2xx/3xx. Each probe has a hard
// deadline; a connection is never kept.
import http from 'node:http';
import net from 'node:net';
import type { ProbeResult, Prober } from '../../application/ports/prober.ts';
import type { ProbeTarget } from '../../domain/endpoints.ts';

export interface NetworkProberOptions {
  /** Local address the probes leave from; the system picks one when it is not given. */
  localAddress?: string;
}

export class NetworkProber implements Prober {
  readonly #from: NetworkProberOptions;

  constructor(options: NetworkProberOptions = {}) {
    this.#from = options.localAddress === undefined ? {} : { localAddress: options.localAddress };
  }

  probe(target: ProbeTarget, timeoutMs: number): Promise<ProbeResult> {
    return target.kind === 'http'
      ? httpProbe(target, timeoutMs, this.#from)
      : tcpProbe(target, timeoutMs, this.#from);
  }
}

function tcpProbe(target: ProbeTarget, timeoutMs: number, from: NetworkProberOptions): Promise<ProbeResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = net.connect({ host: target.address, port: target.port, ...from });
    const finish = (error?: string) => {
      clearTimeout(timer);
      socket.destroy();
      const latencyMs = performance.now() - started;
      resolve(error === undefined ? { ok: true, latencyMs } : { ok: false, latencyMs, error });
    };
    const timer = setTimeout(() => finish(`timed out after ${timeoutMs} ms`), timeoutMs);
    socket.once('connect', () => finish());
    socket.once('error', (error: NodeJS.ErrnoException) => finish(describeSocketError(error)));
  });
}

function httpProbe(target: ProbeTarget, timeoutMs: number, from: NetworkProberOptions): Promise<ProbeResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    let settled = false;
    const finish = (error?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.destroy();
      const latencyMs = performance.now() - started;
      resolve(error === undefined ? { ok: true, latencyMs } : { ok: false, latencyMs, error });
    };
    const request = http.get(
      {
        host: target.address,
        port: target.port,
        ...from,
        path: target.path ?? '/',
        agent: false,
        headers: { 'user-agent': 'exposure-api-probe', connection: 'close' },
      },
      (response) => {
        const status = response.statusCode ?? 0;
        response.resume();
        finish(status >= 200 && status < 400 ? undefined : `HTTP ${status}`);
      },
    );
    const timer = setTimeout(() => finish(`timed out after ${timeoutMs} ms`), timeoutMs);
    request.once('error', (error: NodeJS.ErrnoException) => finish(describeSocketError(error)));
  });
}

function describeSocketError(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
      return 'connection reset';
    case 'EHOSTUNREACH':
      return 'host unreachable';
    case 'ENETUNREACH':
      return 'network unreachable';
    default:
      return error.code ? `${error.code}: ${error.message}` : error.message;
  }
}
