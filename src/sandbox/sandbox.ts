// The embedded default: the real service against an in-memory cluster (three simulated nodes on
// loopback addresses of this sandbox's own, each with a simulated kube-proxy behind the firewall
// rules the emulator holds, and a demo Elasticsearch workload) and the Compute Engine emulator —
// everything in one process, nothing off loopback.

import { type ComputeEmulator, startComputeEmulator } from '@exposure-api/compute-emulator';
import { createGceFirewalls, type GceFirewalls } from '../adapters/gce/gce-firewalls.ts';
import { passThroughAuthClient } from '../adapters/gce/pass-through-auth.ts';
import { PrometheusMetrics } from '../adapters/metrics/prometheus-metrics.ts';
import { NetworkProber } from '../adapters/prober/network-prober.ts';
import type { Clock } from '../application/ports/clock.ts';
import type { Prober } from '../application/ports/prober.ts';
import { parseConfig } from '../config/load.ts';
import type { Config } from '../config/schema.ts';
import { sha256Hex } from '../edge/plugins/authentication.ts';
import { createLogger } from '../logger.ts';
import { createRuntime, type Runtime } from '../runtime.ts';
import { createIdentity } from '../runtime-identity.ts';
import {
  DEMO_AUDIENCE,
  DEMO_OIDC_ISSUER,
  DEMO_STATIC_AUTHORIZATION,
  demoAccessReviews,
} from './demo-identities.ts';
import { startDemoPod } from './demo-workload.ts';
import type { InMemoryAccessReviews } from './in-memory-access-reviews.ts';
import { InMemoryCluster } from './in-memory-cluster.ts';
import { InMemoryLeases } from './in-memory-leases.ts';
import { LocalOidcIssuer } from './local-oidc-issuer.ts';
import {
  type ClaimedAddresses,
  claimNodeAddresses,
  type NodeNetworkChoice,
  type SandboxAddresses,
} from './node-network.ts';
import { EmulatedFirewall, unenforcedFirewall } from './sandbox-firewall.ts';
import { sandboxIdentityRoutes } from './sandbox-identity-routes.ts';
import { SandboxProber } from './sandbox-prober.ts';
import { sandboxRoutes } from './sandbox-routes.ts';
import { SandboxWorld } from './sandbox-world.ts';

export const SANDBOX_PROJECT = 'sandbox-project';
/** The sandbox's drift sweep interval (30 s in production). */
export const SANDBOX_DRIFT_CHECK_SECONDS = 3;
export const SANDBOX_TOKENS = {
  admin: { token: 'sandbox-admin-token', subject: 'sandbox-admin', namespaces: ['*'] },
  search: { token: 'search-team-token', subject: 'team-search-bot', namespaces: ['search'] },
} as const;

export interface SandboxOptions {
  host?: string;
  /** API port; 0 picks a free one. */
  port?: number;
  emulatorPort?: number;
  /**
   * First three octets of the nodes' loopback addresses (InternalIP `internal.N`, ExternalIP
   * `external.N`), or `single-address` for one node on 127.0.0.1; left out, a free block is picked
   * (node-network.ts).
   */
  nodeNetwork?: NodeNetworkChoice;
  logLevel?: Config['server']['logLevel'];
  /** Settings to override, e.g. source-range policy or probe timing in tests. */
  config?: Partial<
    Omit<Config, 'cluster' | 'gce' | 'auth' | 'authorization' | 'server' | 'rateLimit' | 'reconciler'>
  > & {
    /** The authorization mode, and the caches of Kubernetes authorization (the demo grants are the sandbox's). */
    authorization?: {
      mode?: Config['authorization']['mode'];
      kubernetes?: Partial<Config['authorization']['kubernetes']>;
    };
    /** How long accepted ServiceAccount tokens are remembered. */
    auth?: { serviceAccounts?: Pick<Partial<Config['auth']['serviceAccounts']>, 'cacheSeconds'> };
    gce?: Pick<Partial<Config['gce']>, 'writesPerSecond'>;
    server?: Partial<Config['server']>;
    rateLimit?: { [Limit in keyof Config['rateLimit']]?: Partial<Config['rateLimit'][Limit]> };
    reconciler?: Partial<Config['reconciler']>;
  };
  withDemoWorkload?: boolean;
  /** Restrict the installation to these namespaces (`cluster.namespaces`). */
  managedNamespaces?: string[];
  /** Where logs go (default stdout). */
  logDestination?: NodeJS.WritableStream;
  /** Time as the service sees it (tests move it forward to reach an expiry). */
  clock?: Clock;
}

export interface Sandbox {
  apiUrl: string;
  emulator: ComputeEmulator;
  /** The demo OIDC issuer (discovery and JWKS on loopback) and the in-memory TokenReview/SubjectAccessReview. */
  oidcIssuer: LocalOidcIssuer;
  accessReviews: InMemoryAccessReviews;
  cluster: InMemoryCluster;
  world: SandboxWorld;
  runtime: Runtime;
  firewalls: GceFirewalls;
  config: Config;
  /** How the service probes the nodes: from its address inside the cluster network (another replica
   * of the service in the same sandbox probes the same way). */
  prober: Prober;
  /** Where the nodes are, and whether the simulated nodes enforce the rules' source ranges. */
  addresses: SandboxAddresses & { sourceRangesEnforced: boolean };
  close(): Promise<void>;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const addresses = await claimNodeAddresses(options.nodeNetwork);
  try {
    return await startOnAddresses(options, addresses);
  } catch (error) {
    await addresses.release();
    throw error;
  }
}

async function startOnAddresses(options: SandboxOptions, addresses: ClaimedAddresses): Promise<Sandbox> {
  const host = options.host ?? '127.0.0.1';
  const emulator = await startComputeEmulator({ host, port: options.emulatorPort ?? 0 });
  const oidcIssuer = await LocalOidcIssuer.start(host);
  const accessReviews = demoAccessReviews();
  const config = parseConfig(
    {
      ...options.config,
      // Drift is found within seconds here, so that it can be tried by hand.
      reconciler: { driftCheckSeconds: SANDBOX_DRIFT_CHECK_SECONDS, ...options.config?.reconciler },
      server: {
        host,
        port: options.port ?? 0,
        logLevel: options.logLevel ?? 'info',
        ...options.config?.server,
      },
      cluster: { id: 'sandbox', ...(options.managedNamespaces && { namespaces: options.managedNamespaces }) },
      gce: { project: SANDBOX_PROJECT, network: 'default', endpoint: emulator.url, ...options.config?.gce },
      firewall: { targetTags: ['sandbox-node'], ...options.config?.firewall },
      auth: {
        tokens: Object.values(SANDBOX_TOKENS).map((t) => ({
          sha256: sha256Hex(t.token),
          subject: t.subject,
          namespaces: [...t.namespaces],
        })),
        serviceAccounts: {
          enabled: true,
          issuer: accessReviews.issuer,
          audience: DEMO_AUDIENCE,
          ...options.config?.auth?.serviceAccounts,
        },
        jwt: [
          {
            name: DEMO_OIDC_ISSUER,
            issuer: { url: oidcIssuer.url, audiences: [DEMO_AUDIENCE] },
            claimMappings: { username: { claim: 'email' } },
          },
        ],
      },
      authorization: { ...options.config?.authorization, static: DEMO_STATIC_AUTHORIZATION },
    },
    'sandbox configuration',
  );
  const logger = createLogger(config.server.logLevel, options.logDestination);
  const cluster = new InMemoryCluster({
    accessReviews,
    namespaces: ['default', 'kube-system', 'search', 'payments'],
    nodePortRange: config.cluster.nodePortRange,
  });
  const firewall = addresses.clusterNetwork
    ? new EmulatedFirewall({
        rules: () => emulator.rules(SANDBOX_PROJECT),
        project: SANDBOX_PROJECT,
        network: config.gce.network,
        nodeTags: config.firewall.targetTags,
        nodeServiceAccounts: config.firewall.targetServiceAccounts,
        clusterNetwork: addresses.clusterNetwork,
      })
    : unenforcedFirewall;
  const world = new SandboxWorld(cluster, addresses.nodes, logger.child({ component: 'sandbox' }), firewall);
  world.start();
  if (options.withDemoWorkload !== false) {
    // On nodes 1 and 2 (both on the one node of a single-address sandbox).
    const nodeNames = addresses.nodes.map((node) => node.name);
    for (const [index, node] of [nodeNames[0], nodeNames[1] ?? nodeNames[0]].entries()) {
      await world.addPod(
        await startDemoPod({
          namespace: 'search',
          name: `elasticsearch-${index}`,
          labels: { app: 'elasticsearch' },
          nodeName: node ?? '',
          podIP: `10.244.${index + 1}.10`,
          containerPort: 9200,
          portName: 'http',
        }),
      );
    }
  }
  const metrics = new PrometheusMetrics({ defaultMetrics: true });
  const firewalls = createGceFirewalls({
    project: SANDBOX_PROJECT,
    apiEndpoint: host,
    port: emulator.port,
    protocol: 'http',
    authClient: passThroughAuthClient(),
    recorder: metrics,
  });
  // The probes leave from the service's address inside the cluster's network, as from a pod.
  const prober = new SandboxProber(
    world,
    new NetworkProber(addresses.serviceAddress ? { localAddress: addresses.serviceAddress } : {}),
  );
  const identity = createIdentity(config, { accessReviews });
  const runtime = await createRuntime({
    config,
    cluster,
    firewalls,
    logger,
    metrics,
    prober,
    identity,
    extraRoutes: [
      sandboxRoutes(world, cluster, identity),
      sandboxIdentityRoutes(identity, accessReviews, oidcIssuer),
    ],
    leases: new InMemoryLeases(),
    ...(options.clock && { clock: options.clock }),
  });
  await runtime.start();
  const address = await runtime.app.listen({ host, port: config.server.port });
  return {
    apiUrl: address,
    emulator,
    oidcIssuer,
    accessReviews,
    cluster,
    world,
    runtime,
    firewalls,
    config,
    prober,
    addresses: {
      nodes: addresses.nodes,
      ...(addresses.clusterNetwork && { clusterNetwork: addresses.clusterNetwork }),
      ...(addresses.serviceAddress && { serviceAddress: addresses.serviceAddress }),
      sourceRangesEnforced: firewall !== unenforcedFirewall,
    },
    async close() {
      await runtime.stop();
      await world.close();
      await firewalls.close();
      await emulator.close();
      await oidcIssuer.close();
      await addresses.release();
    },
  };
}
