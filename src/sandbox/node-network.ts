// Where a sandbox's simulated nodes live on loopback. Each sandbox on a host takes a block of its
// own: 127.A.B.0/24 for the nodes' InternalIPs (127.A.B.1–3, the cluster's network) and
// 127.A.(B+1).0/24 for their ExternalIPs. It holds the block for its lifetime with a claim, a
// listening socket on 127.A.B.250:29999 (the service's own address in the block, where its probes
// come from). A second sandbox that picks the same block cannot bind that socket and moves on, so
// two sandboxes never share a node listener, however closely they start.
//
// Where the loopback interface holds 127.0.0.1 alone (macOS by default), no other 127.x address can
// be bound: the sandbox then runs a single node on 127.0.0.1. There its probes and its clients
// come from the same address, so it cannot enforce source ranges (see sandbox-firewall.ts).
import { randomInt } from 'node:crypto';
import net from 'node:net';
import { CLIENT_NETWORKS } from './loopback-clients.ts';
import type { SandboxNodeSpec } from './sandbox-world.ts';

/** First three octets of the /24 networks of the nodes' InternalIPs and ExternalIPs. */
export interface NodeNetwork {
  internal: string;
  external: string;
}

/** A network to use, or `single-address` for one node on 127.0.0.1; left out, a free block is picked. */
export type NodeNetworkChoice = NodeNetwork | 'single-address';

export interface SandboxAddresses {
  nodes: SandboxNodeSpec[];
  /**
   * The cluster's internal network (`127.A.B.0/24`), whose traffic the simulated kube-proxies admit
   * as GKE's own firewall rules admit traffic inside the VPC. Absent on a single address.
   */
  clusterNetwork?: string;
  /** Where the service's probes come from, inside the cluster's network. Absent on a single address. */
  serviceAddress?: string;
}

export interface ClaimedAddresses extends SandboxAddresses {
  /** Gives the block back for another sandbox to take. */
  release(): Promise<void>;
}

export const SINGLE_ADDRESS = '127.0.0.1';
const NODE_COUNT = 3;
const SERVICE_HOST = 250;
/** Below the NodePort range and Linux's ephemeral ports, so neither a Service nor a probe takes it. */
export const CLAIM_PORT = 29_999;
const PICK_ATTEMPTS = 64;
/** 127.0.x is where other programs put their loopback services (127.0.0.53, 127.0.1.1); the client blocks mean clients. */
const RESERVED_SECOND_OCTETS = new Set([
  0,
  ...CLIENT_NETWORKS.map((network) => secondOctet(network.loopback)),
]);

export async function claimNodeAddresses(choice?: NodeNetworkChoice): Promise<ClaimedAddresses> {
  if (choice === 'single-address') return singleAddress();
  if (choice) {
    validateNodeNetwork(choice);
    const claim = await tryClaim(choice.internal);
    if (claim.outcome === 'claimed') return blockAddresses(choice, claim.server);
    throw new Error(
      claim.outcome === 'taken'
        ? `node network ${choice.internal}.0/24 is held by another sandbox on this host (${claimAddress(choice.internal)}:${CLAIM_PORT} is in use); choose another, or leave it unset to have a free one picked`
        : `node network ${choice.internal}.0/24 cannot be used: ${claimAddress(choice.internal)} is not an address of this host's loopback interface (${claim.code}); add the addresses as loopback aliases, or use ${SINGLE_ADDRESS}`,
    );
  }
  for (let attempt = 0; attempt < PICK_ATTEMPTS; attempt++) {
    const network = randomNodeNetwork();
    const claim = await tryClaim(network.internal);
    if (claim.outcome === 'claimed') return blockAddresses(network, claim.server);
    // Only 127.0.0.1 can be bound here: every block would fail alike.
    if (claim.outcome === 'unavailable') return singleAddress();
  }
  throw new Error(`no free node network found on loopback after ${PICK_ATTEMPTS} attempts`);
}

/** Reads `SANDBOX_NODE_NETWORK`: `127.A.B` (ExternalIPs in 127.A.(B+1)), or `127.0.0.1` for one node. */
export function parseNodeNetwork(text: string): NodeNetworkChoice {
  if (text === SINGLE_ADDRESS) return 'single-address';
  const octets = /^127\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  const second = Number(octets?.[1]);
  const third = Number(octets?.[2]);
  if (!octets || second > 255 || third > 254) {
    throw new Error(
      `'${text}' is not a node network: give the first three octets of a 127.A.B.0/24 network, e.g. 127.44.6 (ExternalIPs then use 127.44.7), or ${SINGLE_ADDRESS} for a single node`,
    );
  }
  const network = { internal: `127.${second}.${third}`, external: `127.${second}.${third + 1}` };
  validateNodeNetwork(network);
  return network;
}

function validateNodeNetwork(network: NodeNetwork): void {
  for (const prefix of [network.internal, network.external]) {
    if (!/^127\.\d{1,3}\.\d{1,3}$/.test(prefix) || prefix.split('.').some((octet) => Number(octet) > 255)) {
      throw new Error(`node network '${prefix}' is not the first three octets of a 127.x.y.0/24 network`);
    }
    const clients = CLIENT_NETWORKS.find((client) => client.loopback === `${prefix}.0/24`);
    if (clients) {
      throw new Error(
        `node network '${prefix}' is where clients of ${clients.public} connect from; choose another`,
      );
    }
  }
  if (network.internal === network.external) {
    throw new Error(
      `the nodes' InternalIPs and ExternalIPs need networks of their own (both are ${network.internal})`,
    );
  }
}

function randomNodeNetwork(): NodeNetwork {
  let second = 0;
  while (RESERVED_SECOND_OCTETS.has(second)) second = randomInt(1, 255);
  const third = randomInt(0, 127) * 2;
  return { internal: `127.${second}.${third}`, external: `127.${second}.${third + 1}` };
}

function blockAddresses(network: NodeNetwork, claim: net.Server): ClaimedAddresses {
  return {
    nodes: Array.from({ length: NODE_COUNT }, (_, index) => ({
      name: `sandbox-node-${index + 1}`,
      internalIP: `${network.internal}.${index + 1}`,
      externalIP: `${network.external}.${index + 1}`,
    })),
    clusterNetwork: `${network.internal}.0/24`,
    serviceAddress: claimAddress(network.internal),
    release: () => new Promise((resolve) => claim.close(() => resolve())),
  };
}

function singleAddress(): ClaimedAddresses {
  return {
    nodes: [{ name: 'sandbox-node-1', internalIP: SINGLE_ADDRESS }],
    release: async () => {},
  };
}

function claimAddress(internal: string): string {
  return `${internal}.${SERVICE_HOST}`;
}

type ClaimAttempt =
  | { outcome: 'claimed'; server: net.Server }
  | { outcome: 'taken' }
  | { outcome: 'unavailable'; code: string };

function tryClaim(internal: string): Promise<ClaimAttempt> {
  // Whoever connects to the claim learns nothing; it only has to be held.
  const server = net.createServer((socket) => socket.destroy());
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') resolve({ outcome: 'taken' });
      else if (error.code === 'EADDRNOTAVAIL') resolve({ outcome: 'unavailable', code: error.code });
      else reject(error);
    });
    server.listen({ host: claimAddress(internal), port: CLAIM_PORT, exclusive: true }, () =>
      resolve({ outcome: 'claimed', server }),
    );
  });
}

function secondOctet(cidr: string): number {
  return Number(cidr.split('.')[1]);
}
