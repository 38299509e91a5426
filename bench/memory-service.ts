// The service side of the memory benchmark, in a process of its own so that its memory is all that
// is measured: the real runtime (Fastify app, index, views, health checker, reconciler, metrics,
// the @google-cloud/compute client) over either the sandbox's in-memory cluster, which this process
// fills itself, or the Kubernetes adapter's informers watching a real kube-apiserver, which the
// load generator fills. Driven over IPC by bench/memory.ts, which also makes the reads over HTTP as
// a client would (parsing answers here would put the client's memory into the figures); run with
// --expose-gc.
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { getHeapStatistics } from 'node:v8';
import { onDemandComputeFirewalls } from '../src/adapters/gce/on-demand-firewalls.ts';
import { loadKubeConfig } from '../src/adapters/kubernetes/kubeconfig.ts';
import { createKubernetesCluster } from '../src/adapters/kubernetes/kubernetes-cluster.ts';
import {
  createKubernetesLeases,
  type KubernetesLeases,
} from '../src/adapters/kubernetes/kubernetes-leases.ts';
import { PrometheusMetrics } from '../src/adapters/metrics/prometheus-metrics.ts';
import type { Cluster } from '../src/application/ports/cluster.ts';
import { parseConfig } from '../src/config/load.ts';
import { sha256Hex } from '../src/edge/plugins/authentication.ts';
import { createLogger } from '../src/logger.ts';
import { createRuntime, type Runtime } from '../src/runtime.ts';
import { InMemoryCluster } from '../src/sandbox/in-memory-cluster.ts';
import {
  DEFAULT_FLEET,
  FLEET_CLUSTER_ID,
  FLEET_NAMESPACES,
  FLEET_NODE_PORTS,
  FLEET_PROJECT,
  FLEET_READER_TOKEN,
  FLEET_TARGET_TAG,
  fleetEndpoints,
  fleetManifest,
  fleetNamespace,
  fleetNode,
} from './fleet.ts';
import { procMemory } from './machine.ts';

export const LEASE_NAMESPACE = 'exposure-api';

export type ServiceCommand =
  | { type: 'measure' }
  | { type: 'add-nodes'; count: number }
  | { type: 'add-exposures'; count: number; nodes: number }
  | { type: 'settle'; exposures: number; nodes: number; quietMs: number; role: 'leader' | 'follower' }
  | { type: 'index' }
  | { type: 'stop' };

export interface MemoryReading {
  rss: number;
  peakRss: number;
  lazyFree: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
}

export type ServiceReply =
  | { type: 'ready'; startMs: number; heapLimit: number; url: string }
  | { type: 'measured'; memory: MemoryReading }
  | { type: 'done'; ms: number; detail?: string }
  | { type: 'failed'; error: string };

const { values } = parseArgs({
  options: {
    cluster: { type: 'string', default: 'in-memory' },
    emulator: { type: 'string' },
    kubeconfig: { type: 'string' },
  },
});

function reply(message: ServiceReply): void {
  process.send?.(message);
}

process.env.METADATA_SERVER_DETECTION = 'none';
const emulator = new URL(values.emulator ?? 'http://127.0.0.1:0');
const started = performance.now();

// The installation's defaults (probe concurrency 512, 100,000 cached probe results, 4 reconciler
// workers, …) except what the fleet needs: its node-port range and a GCE write budget.
const config = parseConfig(
  {
    server: { host: '127.0.0.1', port: 0, logLevel: 'silent' },
    cluster: { id: FLEET_CLUSTER_ID, nodePortRange: FLEET_NODE_PORTS },
    gce: { project: FLEET_PROJECT, endpoint: emulator.origin, writesPerSecond: 100 },
    firewall: { targetTags: [FLEET_TARGET_TAG] },
    leaderElection: { namespace: LEASE_NAMESPACE },
    auth: { tokens: [{ sha256: sha256Hex(FLEET_READER_TOKEN), subject: 'memory-bench', namespaces: ['*'] }] },
  },
  'memory benchmark configuration',
);
const logger = createLogger('silent');
let runtime: Runtime | undefined;
const metrics = new PrometheusMetrics({
  defaultMetrics: true,
  exposureCount: () => runtime?.index.size ?? 0,
});
// As src/server.ts wires it: the Compute clients are built when this replica is about to lead, so
// a follower never loads them.
const firewalls = onDemandComputeFirewalls(config, metrics);

let inMemory: InMemoryCluster | undefined;
let leases: KubernetesLeases | undefined;
let cluster: Cluster;
if (values.cluster === 'kubernetes') {
  // As src/server.ts wires it: informers, leader election over a Lease.
  const kubeConfig = loadKubeConfig({ kubeconfig: values.kubeconfig ?? '' });
  cluster = createKubernetesCluster({
    kubeConfig,
    recorder: metrics,
    log: logger.child({ component: 'k8s' }),
  });
  leases = createKubernetesLeases({ kubeConfig, recorder: metrics });
} else {
  inMemory = new InMemoryCluster({
    namespaces: Array.from({ length: FLEET_NAMESPACES }, (_, i) => fleetNamespace(i)),
    nodePortRange: FLEET_NODE_PORTS,
  });
  cluster = inMemory;
}
runtime = await createRuntime({
  config,
  cluster,
  firewalls,
  logger,
  metrics,
  ...(leases && { leases }),
  prepareToLead: () => firewalls.open(),
});
const url = await runtime.app.listen({ host: '127.0.0.1', port: 0 });
await runtime.start();
reply({
  type: 'ready',
  startMs: performance.now() - started,
  heapLimit: getHeapStatistics().heap_size_limit,
  url,
});

const gc = (globalThis as { gc?: () => void }).gc;

async function measure(): Promise<MemoryReading> {
  // Twice, with a turn of the event loop between, so that weak and finalizable garbage goes too.
  for (let i = 0; i < 2; i++) {
    gc?.();
    await sleep(50);
  }
  const usage = process.memoryUsage();
  const { peakRss, lazyFree } = procMemory();
  return {
    rss: usage.rss,
    peakRss,
    lazyFree,
    heapUsed: usage.heapUsed,
    heapTotal: usage.heapTotal,
    external: usage.external,
    arrayBuffers: usage.arrayBuffers,
  };
}

/** Lets the in-memory cluster deliver its (setImmediate) events now and then while it is filled. */
const yieldEvery = (i: number) => (i % 500 === 499 ? sleep(0) : undefined);

/**
 * Waits until every exposure is cached with its rules up to date, then `quietMs` more, so that
 * per-call state of the GCE client (held until each call's 30 s timeout is over) is gone and what
 * is measured is what stays. A leader has reconciled every exposure itself; a follower (another
 * replica holds the lease) has read the statuses the leader wrote, and never loaded the Compute
 * clients.
 */
async function settle(
  exposures: number,
  nodes: number,
  quietMs: number,
  role: 'leader' | 'follower',
): Promise<string> {
  const current = runtime as Runtime;
  for (;;) {
    const records = current.index.all();
    const upToDate = records.filter((record) => record.firewallStatus?.state === 'UpToDate').length;
    if (
      current.reconciler.running === (role === 'leader') &&
      records.length === exposures &&
      cluster.nodes().length === nodes &&
      upToDate === exposures
    ) {
      if (role === 'leader') await current.reconciler.idle();
      await sleep(quietMs);
      if (current.reconciler.running !== (role === 'leader'))
        throw new Error(`this replica is no ${role} any more`);
      if (role === 'follower' && firewalls.opened) throw new Error('a follower loaded the Compute clients');
      return `${records.length} exposures (${upToDate} with rules up to date), ${cluster.nodes().length} nodes, ${role === 'leader' ? 'leading' : 'following (Compute clients not loaded)'}`;
    }
    await sleep(250);
  }
}

/** The index in id order and each exposure's merged endpoint list: what reads build lazily. */
function touchIndex(): string {
  const all = (runtime as Runtime).index.all();
  let endpoints = 0;
  for (const record of all) endpoints += cluster.serviceEndpoints(record.service).length;
  return `index.all(): ${all.length} records, ${endpoints} pod endpoints`;
}

async function handle(command: ServiceCommand): Promise<ServiceReply> {
  const begun = performance.now();
  const done = (detail?: string): ServiceReply => ({
    type: 'done',
    ms: performance.now() - begun,
    ...(detail !== undefined && { detail }),
  });
  switch (command.type) {
    case 'measure':
      return { type: 'measured', memory: await measure() };
    case 'add-nodes': {
      if (!inMemory) throw new Error('only the in-memory cluster is filled from inside');
      for (let n = 0; n < command.count; n++) {
        inMemory.setNode(fleetNode(n));
        await yieldEvery(n);
      }
      return done();
    }
    case 'add-exposures': {
      if (!inMemory) throw new Error('only the in-memory cluster is filled from inside');
      for (let i = 0; i < command.count; i++) {
        const manifest = fleetManifest(i, DEFAULT_FLEET);
        await inMemory.createService(manifest);
        inMemory.setServiceEndpoints(manifest, fleetEndpoints(i, command.nodes));
        await yieldEvery(i);
      }
      return done();
    }
    case 'settle':
      return done(await settle(command.exposures, command.nodes, command.quietMs, command.role));
    case 'index':
      return done(touchIndex());
    case 'stop': {
      await runtime?.stop();
      await firewalls.close();
      await leases?.close();
      return done();
    }
  }
}

// Never outlive the load generator (its IPC channel closes when it exits, however it exits).
process.on('disconnect', () => process.exit(0));

process.on('message', (message: ServiceCommand) => {
  handle(message).then(
    (answer) => {
      reply(answer);
      if (message.type === 'stop') process.disconnect();
    },
    (error: unknown) =>
      reply({
        type: 'failed',
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      }),
  );
});
