// A deterministic fleet for the scale benchmarks: exposure i, node n and the endpoints of exposure i
// are the same in every process that asks, so a load generator and the service process it measures
// agree on ids, node ports and firewall rules without shipping the fleet between them.
//
// The mix follows what the API accepts and what teams ask for: one HTTP port (every fifth exposure
// also a metrics port), a few Local traffic policies, one IPv4 source range (every tenth also an
// IPv6 one, hence a second rule), an Idempotency-Key on every other create, three ready pods each.
import { createHash } from 'node:crypto';
import type { ClusterNode, ServiceEndpoint, ServiceManifest } from '../src/domain/cluster-objects.ts';
import type { FirewallSettings } from '../src/domain/desired-firewall.ts';
import { desiredFirewallRules } from '../src/domain/desired-firewall.ts';
import type { ExposureId } from '../src/domain/exposure-id.ts';
import { serviceManifestFor } from '../src/domain/exposure-record.ts';
import type { ExposureSpec } from '../src/domain/exposure-spec.ts';
import type { FirewallRuleSpec } from '../src/domain/firewall-rule.ts';

export const FLEET_CLUSTER_ID = 'bench';
export const FLEET_PROJECT = 'bench-project';
export const FLEET_TARGET_TAG = 'gke-bench-node';
/** Wide enough for 12,000 node ports (10,000 exposures, a fifth with two ports). */
export const FLEET_NODE_PORTS = { min: 20000, max: 32767 } as const;
export const FLEET_NAMESPACES = 50;
/** The bearer token a benchmark's service process accepts for every namespace of the fleet. */
export const FLEET_READER_TOKEN = 'memory-bench-admin-token';
const PODS_PER_EXPOSURE = 3;

export interface FleetOptions {
  /** Every n-th exposure also allows an IPv6 range (a second firewall rule); 0: never. */
  dualStackEvery: number;
}

export const DEFAULT_FLEET: FleetOptions = { dualStackEvery: 10 };

export const fleetFirewall: FirewallSettings = {
  clusterId: FLEET_CLUSTER_ID,
  project: FLEET_PROJECT,
  network: 'default',
  priority: 1000,
  targets: { targetTags: [FLEET_TARGET_TAG] },
};

const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';

/** `exp_` + 26 lower-case ULID characters, in index order (so list pages follow the index). */
export function fleetExposureId(index: number): ExposureId {
  let suffix = '';
  let rest = index;
  for (let i = 0; i < 18; i++) {
    suffix = (CROCKFORD[rest % 32] ?? '0') + suffix;
    rest = Math.floor(rest / 32);
  }
  return `exp_01jbench${suffix}`;
}

export function fleetNamespace(index: number): string {
  return `team-${String(index % FLEET_NAMESPACES).padStart(2, '0')}`;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function fleetSpec(index: number, options: FleetOptions = DEFAULT_FLEET): ExposureSpec {
  const namespace = fleetNamespace(index);
  const app = `workload-${index}`;
  // Ports are handed out in index order: exposures before this one hold `index + ceil(index / 5)`.
  const firstNodePort = FLEET_NODE_PORTS.min + index + Math.ceil(index / 5);
  const ports: ExposureSpec['ports'] = [
    { name: 'http', port: 8080, targetPort: 8080, nodePort: firstNodePort, protocol: 'TCP' },
  ];
  if (index % 5 === 0)
    ports.push({
      name: 'metrics',
      port: 9090,
      targetPort: 9090,
      nodePort: firstNodePort + 1,
      protocol: 'TCP',
    });
  const dualStack = options.dualStackEvery > 0 && index % options.dualStackEvery === 0;
  return {
    namespace,
    name: app,
    selector: { app },
    ports,
    externalTrafficPolicy: index % 7 === 0 ? 'Local' : 'Cluster',
    sourceRanges: dualStack ? ['203.0.113.0/24', '2001:db8:1::/48'] : ['203.0.113.0/24'],
    labels: { app, team: namespace },
  };
}

/** The Service exposure-api creates for exposure `index` (before any status is written). */
export function fleetManifest(index: number, options: FleetOptions = DEFAULT_FLEET): ServiceManifest {
  const spec = fleetSpec(index, options);
  const createdBy = `${spec.namespace}-bot`;
  return serviceManifestFor({
    id: fleetExposureId(index),
    clusterId: FLEET_CLUSTER_ID,
    spec,
    createdBy,
    generation: 1,
    ...(index % 2 === 0 && {
      idempotency: {
        keyHash: sha256(`${createdBy}\nkey-${index}`),
        requestHash: sha256(JSON.stringify(spec)),
      },
    }),
  });
}

/** The rules the reconciler wants for exposure `index` (its node ports are the requested ones). */
export function fleetRules(index: number, options: FleetOptions = DEFAULT_FLEET): FirewallRuleSpec[] {
  const spec = fleetSpec(index, options);
  return desiredFirewallRules(
    {
      id: fleetExposureId(index),
      namespace: spec.namespace,
      name: spec.name,
      sourceRanges: spec.sourceRanges,
      ports: spec.ports.map((port) => ({ nodePort: port.nodePort ?? 0, protocol: port.protocol })),
    },
    fleetFirewall,
  );
}

export function fleetNodeName(node: number): string {
  return `gke-bench-default-pool-${(0x3f2a9c00 + Math.floor(node / 100)).toString(16)}-${String(node).padStart(5, '0')}`;
}

/** `prefix.x.y` for node `node` (1-based host numbers, so no address ends in .0). */
function loopbackAddress(second: number, node: number): string {
  const host = node + 1;
  return `127.${second}.${Math.floor(host / 250)}.${(host % 250) + 1}`;
}

/**
 * A GKE-like node whose addresses are on loopback (127.90/16 internal, 127.91/16 external): a
 * probe of one is refused at once by the local kernel and never leaves the machine.
 */
export function fleetNode(node: number): ClusterNode {
  return {
    name: fleetNodeName(node),
    ready: true,
    addresses: [
      { type: 'InternalIP', address: loopbackAddress(90, node) },
      { type: 'ExternalIP', address: loopbackAddress(91, node) },
      { type: 'Hostname', address: fleetNodeName(node) },
    ],
  };
}

/** Three ready pods per exposure, spread over the nodes, as the EndpointSlice controller lists them. */
export function fleetEndpoints(index: number, nodes: number): ServiceEndpoint[] {
  return Array.from({ length: PODS_PER_EXPOSURE }, (_, k) => {
    const pod = index * PODS_PER_EXPOSURE + k;
    return {
      nodeName: fleetNodeName(pod % nodes),
      ready: true,
      addresses: [`10.${64 + Math.floor(pod / 65536)}.${Math.floor(pod / 256) % 256}.${pod % 256}`],
    };
  });
}
