// The service as the reconciler benchmarks run it: the real runtime (reconciler, rate limit, the
// GCE adapter on @google-cloud/compute) over the sandbox's in-memory cluster, against the Compute
// emulator in this process, with the fleet's cluster id, node-port range and firewall targets, and three nodes.
import { type ComputeEmulator, startComputeEmulator } from '@exposure-api/compute-emulator';
import { createGceFirewalls, type GceFirewalls } from '../src/adapters/gce/gce-firewalls.ts';
import { passThroughAuthClient } from '../src/adapters/gce/pass-through-auth.ts';
import type { UpstreamCall } from '../src/application/ports/telemetry.ts';
import { parseConfig } from '../src/config/load.ts';
import type { FirewallRuleSpec } from '../src/domain/firewall-rule.ts';
import { createLogger } from '../src/logger.ts';
import { createRuntime, type Runtime } from '../src/runtime.ts';
import { InMemoryCluster } from '../src/sandbox/in-memory-cluster.ts';
import {
  FLEET_CLUSTER_ID,
  FLEET_NAMESPACES,
  FLEET_NODE_PORTS,
  FLEET_PROJECT,
  FLEET_TARGET_TAG,
  type FleetOptions,
  fleetManifest,
  fleetNamespace,
  fleetNode,
  fleetRules,
} from './fleet.ts';
import { inParallel } from './machine.ts';

/** One rule per exposure (IPv4 source ranges only), so that 10,000 exposures are 10,000 rules. */
const ONE_RULE_FLEET: FleetOptions = { dualStackEvery: 0 };

export interface FleetService {
  emulator: ComputeEmulator;
  /** The GCE calls as the service's adapter recorded them. */
  calls: UpstreamCall[];
  /** The service's own GCE adapter (out-of-band changes made through it are counted in `calls`). */
  firewalls: GceFirewalls;
  cluster: InMemoryCluster;
  runtime: Runtime;
  /** The fleet's firewall-rule collection, as the emulator logs its requests. */
  collection: string;
  /**
   * Puts the rules of the first `exposures` fleet exposures in the emulator through a client of
   * its own, without the service's write limit, so that the set-up takes seconds, not minutes.
   */
  seedRules(exposures: number): Promise<FirewallRuleSpec[]>;
  /** Creates the Services of fleet exposures `from` to `to` (excluded) in the cluster. */
  createServices(from: number, to: number): Promise<void>;
  /** Waits until the index holds `exposures` exposures, all UpToDate, and the reconciler is idle. */
  allUpToDate(exposures: number): Promise<void>;
  stop(): Promise<void>;
}

export interface FleetServiceOptions {
  /** Rules the emulator accepts before answering QUOTA_EXCEEDED. */
  firewallQuota: number;
  /** Settings of the reconciler other than the installation's defaults. */
  reconciler?: Record<string, number>;
  /** Named in configuration errors. */
  source: string;
}

export async function startFleetService(options: FleetServiceOptions): Promise<FleetService> {
  // No metadata server: the adapter's auth client is a pass-through.
  process.env.METADATA_SERVER_DETECTION = 'none';
  const emulator = await startComputeEmulator({ firewallQuota: options.firewallQuota });
  const calls: UpstreamCall[] = [];
  const firewalls = createGceFirewalls({
    ...emulatorEndpoint(emulator),
    recorder: { record: (call) => calls.push(call) },
  });
  const cluster = new InMemoryCluster({
    namespaces: Array.from({ length: FLEET_NAMESPACES }, (_, i) => fleetNamespace(i)),
    nodePortRange: FLEET_NODE_PORTS,
  });
  for (let n = 0; n < 3; n++) cluster.setNode(fleetNode(n));
  const config = parseConfig(
    {
      server: { logLevel: 'silent' },
      cluster: { id: FLEET_CLUSTER_ID, nodePortRange: FLEET_NODE_PORTS },
      gce: { project: FLEET_PROJECT, endpoint: emulator.url, writesPerSecond: 100 },
      firewall: { targetTags: [FLEET_TARGET_TAG] },
      ...(options.reconciler ? { reconciler: options.reconciler } : {}),
    },
    options.source,
  );
  const runtime = await createRuntime({ config, cluster, firewalls, logger: createLogger('silent') });
  return {
    emulator,
    calls,
    firewalls,
    cluster,
    runtime,
    collection: `/compute/v1/projects/${FLEET_PROJECT}/global/firewalls`,
    async seedRules(exposures) {
      const seeder = createGceFirewalls(emulatorEndpoint(emulator));
      const rules = Array.from({ length: exposures }, (_, i) => fleetRules(i, ONE_RULE_FLEET)).flat();
      await inParallel(rules, 64, (rule) => seeder.insert(rule));
      await seeder.close();
      return rules;
    },
    async createServices(from, to) {
      for (let i = from; i < to; i++) await cluster.createService(fleetManifest(i, ONE_RULE_FLEET));
    },
    async allUpToDate(exposures) {
      for (;;) {
        const records = runtime.index.all();
        if (
          records.length === exposures &&
          records.every((record) => record.firewallStatus?.state === 'UpToDate')
        )
          break;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      await runtime.reconciler.idle();
    },
    async stop() {
      await runtime.stop();
      await firewalls.close();
      await emulator.close();
    },
  };
}

function emulatorEndpoint(emulator: ComputeEmulator) {
  return {
    project: FLEET_PROJECT,
    apiEndpoint: '127.0.0.1',
    port: emulator.port,
    protocol: 'http',
    authClient: passThroughAuthClient(),
  } as const;
}
