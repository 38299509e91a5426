// The sandbox's workload: "pods" that are small HTTP servers on loopback, answering like an
// Elasticsearch node, so that a curl through a node port shows which pod and node served it.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SimulatedPod {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  nodeName: string;
  ready: boolean;
  /** Pod IP as the EndpointSlice shows it (illustrative: traffic goes to `address`). */
  podIP: string;
  /** Where the pod really listens: loopback address and, per container port, the real port. */
  address: string;
  ports: Map<number | string, number>;
}

export interface DemoPodOptions {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  nodeName: string;
  podIP: string;
  containerPort: number;
  portName?: string;
}

export interface RunningPod {
  pod: SimulatedPod;
  close(): Promise<void>;
}

/** Starts one pod: an HTTP server on 127.0.0.1 (an ephemeral port standing in for its container port). */
export async function startDemoPod(options: DemoPodOptions): Promise<RunningPod> {
  const server = http.createServer((request, response) => {
    const body = JSON.stringify(
      {
        name: options.name,
        cluster_name: 'sandbox',
        node: options.nodeName,
        version: { number: '8.15.0' },
        tagline: 'You Know, for Search',
        path: request.url,
      },
      null,
      2,
    );
    response.writeHead(200, {
      'content-type': 'application/json',
      'x-served-by': `${options.name}@${options.nodeName}`,
    });
    response.end(`${body}\n`);
  });
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
  const actualPort = (server.address() as AddressInfo).port;
  const ports = new Map<number | string, number>([[options.containerPort, actualPort]]);
  if (options.portName) ports.set(options.portName, actualPort);
  return {
    pod: {
      namespace: options.namespace,
      name: options.name,
      labels: options.labels,
      nodeName: options.nodeName,
      ready: true,
      podIP: options.podIP,
      address: '127.0.0.1',
      ports,
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
