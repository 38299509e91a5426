// Memory benchmark: the RSS of the service process with 10,000 exposures and 2,000 nodes cached
// (targets: the leader ≤ 380 MB steady, ≤ 420 MB at its peak; a follower ≤ 260 MB steady). The
// service runs in a child process (bench/memory-service.ts) with the real runtime and the
// installation's default settings; this process is the load generator and holds everything that
// is not the service: the Compute emulator with the exposures' firewall
// rules, the kube-apiserver's clients, and the HTTP client that reads from the service. Memory is read in the child after two forced GCs: RSS
// (what a pod's memory limit is held against) and V8's heap used (the live objects).
//
// Variants:
//   in-memory   the sandbox's in-memory cluster filled inside the service process (it keeps the
//               "apiserver's" copy of each object next to the informer's, so it overstates a little);
//   kubernetes  the Kubernetes adapter's informers (Services, Nodes, EndpointSlices) watching a real
//               kube-apiserver with GKE-shaped Nodes, the Services exposure-api creates and one
//               EndpointSlice per Service, filled while the service watches, then a restart of the
//               service that lists everything at once. The apiserver runs with
//               --service-node-port-range=20000-32767, so all 10,000 Services (12,000 node ports)
//               really exist: nothing is extrapolated. Then a second replica starts beside the
//               restarted one, which holds the lease: a follower, measured the same way.
// In both, the reconciler (this replica leads) creates each exposure's firewall rules in a Compute
// emulator of the variant's own (at the 100 writes/s the fleet's configuration allows) and writes
// its firewall status; after a restart it checks every rule at start. Memory is read once that is
// done and the process was quiet for --quiet seconds (right after the pass the heap still holds
// per-call state of its GCE calls, such as their AbortSignals, until their 30 s call timeouts are
// over). Then
// everything is read once (index.all() with each exposure's endpoints, and every page of GET
// /exposures), then --gets exposures are read in full (each probes its 2,000 node endpoints on
// loopback addresses where nothing listens, so each connect is refused at once).
//
// The service process runs compiled JavaScript, as the image does (bench/built-code.ts), with the
// V8 heap cap the Helm chart sets (heapLimitMegabytes in
// helm/exposure-api/values.yaml, passed as --max-old-space-size), so that the figures are those of
// the shipped configuration; --service-flags="" shows Node's own sizing (on this machine a 4 GB
// heap, which V8 grows into lazily: RSS well over 1 GB at the same load).
//
// Run: npm run bench:memory   (options: --variant=both|in-memory|kubernetes --exposures=10000
//        --nodes=2000 --gets=100 --quiet=35 --service-flags="--max-old-space-size=320")
import { type ChildProcess, execFile, fork } from 'node:child_process';
import { Agent, request as httpsRequest } from 'node:https';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type ComputeEmulator, startComputeEmulator } from '@exposure-api/compute-emulator';
import { serviceForCreate } from '../src/adapters/kubernetes/object-mapping.ts';
import type { ServiceManifest } from '../src/domain/cluster-objects.ts';
import { grantServiceIdentity } from '../test/real-cluster/fixture/index.ts';
import {
  type ControlPlane,
  ensureControlPlaneBinaries,
  startControlPlane,
} from '../tools/controlplane/index.ts';
import { compiledBenchModules } from './built-code.ts';
import { chartEnvironmentWords, chartHeapFlag, chartProcessEnvironment } from './chart-heap.ts';
import {
  DEFAULT_FLEET,
  FLEET_NAMESPACES,
  FLEET_NODE_PORTS,
  FLEET_PROJECT,
  FLEET_READER_TOKEN,
  fleetEndpoints,
  fleetExposureId,
  fleetManifest,
  fleetNamespace,
  fleetNode,
} from './fleet.ts';
import { inParallel, MB, machineFacts, mb, stats, verdict } from './machine.ts';
import type { MemoryReading, ServiceCommand, ServiceReply } from './memory-service.ts';

/** The chart's heap cap: what a pod installed with default values runs with. */
const CHART_FLAGS = chartHeapFlag();

const { values } = parseArgs({
  options: {
    variant: { type: 'string', default: 'both' },
    exposures: { type: 'string', default: '10000' },
    nodes: { type: 'string', default: '2000' },
    gets: { type: 'string', default: '100' },
    quiet: { type: 'string', default: '35' },
    'service-flags': { type: 'string', default: CHART_FLAGS },
  },
});
/** Seconds to wait after reconciling before measuring (see above). */
const QUIET_MS = Number(values.quiet) * 1000;
/** Extra Node/V8 flags for the service process, e.g. --max-old-space-size=384. */
const SERVICE_FLAGS = (values['service-flags'] ?? '').split(' ').filter(Boolean);
const EXPOSURES = Number(values.exposures);
const NODES = Number(values.nodes);
const GETS = Number(values.gets);
/** The leader's targets at design scale: steady RSS and peak RSS. */
const TARGET_MB = 380;
const PEAK_TARGET_MB = 420;
/** The follower's target at design scale (steady RSS). */
const FOLLOWER_TARGET_MB = 260;
/** Where each of the service process's modules was compiled to. */
const compiled = compiledBenchModules();
const variants = values.variant === 'both' ? ['in-memory', 'kubernetes'] : [values.variant ?? 'in-memory'];

process.env.METADATA_SERVER_DETECTION = 'none';
const out = (line = '') => process.stdout.write(`${line}\n`);

let heapLimitShown = false;

/** The service process, driven one command at a time. */
class ServiceProcess {
  readonly #child: ChildProcess;
  /** Where the service listens (loopback): the reads are made over HTTP, as a client makes them. */
  url = '';
  #pending: { resolve: (reply: ServiceReply) => void; reject: (error: Error) => void } | undefined;
  #exited = false;

  private constructor(child: ChildProcess) {
    this.#child = child;
    child.on('message', (message: ServiceReply) => {
      const pending = this.#pending;
      this.#pending = undefined;
      if (message.type === 'failed')
        pending?.reject(new Error(`the service process failed: ${message.error}`));
      else pending?.resolve(message);
    });
    child.on('exit', (code, signal) => {
      this.#exited = true;
      this.#pending?.reject(new Error(`the service process exited (${signal ?? code})`));
      this.#pending = undefined;
    });
  }

  static async start(
    args: string[],
  ): Promise<{ service: ServiceProcess; startMs: number; heapLimit: number }> {
    const child = fork(compiled('memory-service'), args, {
      execArgv: ['--expose-gc', ...SERVICE_FLAGS],
      env: chartProcessEnvironment(),
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const service = new ServiceProcess(child);
    const ready = await service.#next();
    if (ready.type !== 'ready') throw new Error(`unexpected first message ${ready.type}`);
    service.url = ready.url;
    if (!heapLimitShown) {
      heapLimitShown = true;
      out(
        `  V8 heap limit of the service process: ${mb(ready.heapLimit)}${SERVICE_FLAGS.length > 0 ? ` (flags: ${SERVICE_FLAGS.join(' ')}${SERVICE_FLAGS.join(' ') === CHART_FLAGS ? ", the Helm chart's default" : ''})` : ' (Node default for this machine)'}; environment from the chart: ${chartEnvironmentWords().join(' ') || 'none'}`,
      );
    }
    return { service, startMs: ready.startMs, heapLimit: ready.heapLimit };
  }

  #next(): Promise<ServiceReply> {
    return new Promise((resolve, reject) => {
      if (this.#exited) reject(new Error('the service process has exited'));
      else this.#pending = { resolve, reject };
    });
  }

  async run(command: ServiceCommand): Promise<{ ms: number; detail?: string }> {
    const answer = this.#next();
    this.#child.send(command);
    const reply = await answer;
    if (reply.type !== 'done') throw new Error(`unexpected reply ${reply.type} to ${command.type}`);
    return reply;
  }

  async measure(): Promise<MemoryReading> {
    const answer = this.#next();
    this.#child.send({ type: 'measure' } satisfies ServiceCommand);
    const reply = await answer;
    if (reply.type !== 'measured') throw new Error(`unexpected reply ${reply.type} to measure`);
    return reply.memory;
  }

  async stop(): Promise<void> {
    if (this.#exited) return;
    const exited = new Promise<void>((resolve) => this.#child.once('exit', () => resolve()));
    try {
      await this.run({ type: 'stop' });
    } catch {
      // already gone
    }
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }

  kill(): void {
    if (!this.#exited) this.#child.kill('SIGKILL');
  }
}

interface Phase {
  label: string;
  memory: MemoryReading;
  note: string;
}

function printPhases(phases: readonly Phase[]): void {
  const cols = (cells: string[]) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(52) : cell.padStart(11))).join('');
  out(cols(['  phase', 'RSS', 'lazy free', 'peak RSS', 'heap used', 'heap total', 'external']));
  for (const { label, memory, note } of phases) {
    out(
      cols([
        `  ${label}`,
        mb(memory.rss),
        mb(memory.lazyFree),
        mb(memory.peakRss),
        mb(memory.heapUsed),
        mb(memory.heapTotal),
        mb(memory.external),
      ]) + (note ? `   ${note}` : ''),
    );
  }
}

function perItem(label: string, before: MemoryReading, after: MemoryReading, count: number): void {
  const kb = (bytes: number) => `${(bytes / count / 1000).toFixed(2)} KB`;
  out(
    `  per ${label}: ${kb(after.rss - before.rss)} RSS, ${kb(after.heapUsed - before.heapUsed)} heap used (over ${count.toLocaleString('en')})`,
  );
}

function growthOf(empty: Phase, withNodes: Phase, withExposures: Phase): ReadFigures['growth'] {
  return {
    perNode: (withNodes.memory.heapUsed - empty.memory.heapUsed) / NODES,
    perExposure: (withExposures.memory.heapUsed - withNodes.memory.heapUsed) / EXPOSURES,
  };
}

/**
 * Prints the phases of a service filled step by step (empty, + nodes, + exposures, then the reads)
 * with what each node and exposure cost, and returns the figures the summary compares.
 */
function filledFigures(phases: Phase[], reads: readonly Phase[]): ReadFigures {
  printPhases(phases);
  const [empty, withNodes, withExposures, indexed, readOnce] = phases as [Phase, Phase, Phase, Phase, Phase];
  perItem('node', empty.memory, withNodes.memory, NODES);
  perItem(
    'exposure (Service, EndpointSlice, index record, reconciler state)',
    withNodes.memory,
    withExposures.memory,
    EXPOSURES,
  );
  fullReadCost(reads);
  return { cached: indexed, target: readOnce, phases, growth: growthOf(empty, withNodes, withExposures) };
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

interface ReadFigures {
  /** Caches built, index and endpoint lists touched. */
  cached: Phase;
  /** …and every page of GET /exposures read once. */
  target: Phase;
  /** Live heap per node and per exposure, where the caches were filled step by step. */
  growth?: { perNode: number; perExposure: number };
  phases: Phase[];
  /** Whose figures: the leader's (default) or a follower's. */
  role?: 'leader' | 'follower';
}

/** One GET to the service over HTTP (keep-alive, as a client makes it); the answer's parsed body. */
async function get(service: ServiceProcess, path: string): Promise<unknown> {
  const response = await fetch(`${service.url}${path}`, {
    headers: { authorization: `Bearer ${FLEET_READER_TOKEN}` },
    // A service that stops answering fails the benchmark instead of hanging it.
    signal: AbortSignal.timeout(120_000),
  });
  const body = await response.text();
  if (response.status !== 200)
    throw new Error(`GET ${path} answered ${response.status}: ${body.slice(0, 300)}`);
  return JSON.parse(body);
}

/** Every page of GET /exposures (500 a page, the most a caller may ask for). */
async function readAll(service: ServiceProcess): Promise<string> {
  let slowestMs = 0;
  let cursor: string | undefined;
  let items = 0;
  let pages = 0;
  do {
    const begun = performance.now();
    const page = (await get(
      service,
      `/exposures?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    )) as { items: unknown[]; nextCursor?: string };
    items += page.items.length;
    pages++;
    cursor = page.nextCursor;
    slowestMs = Math.max(slowestMs, performance.now() - begun);
  } while (cursor);
  return `GET /exposures: ${items} items in ${pages} pages of 500, slowest page ${(slowestMs / 1000).toFixed(1)} s`;
}

/** GET /exposures/{id} of exposures `from` to `to` - 1, one after the other. */
async function getRange(service: ServiceProcess, from: number, to: number): Promise<string> {
  let endpoints = 0;
  for (let i = from; i < to; i++) {
    const exposure = (await get(service, `/exposures/${fleetExposureId(i)}`)) as { endpoints: unknown[] };
    endpoints += exposure.endpoints.length;
  }
  return `${to - from} exposures read in full, ${endpoints} endpoints in their answers`;
}

/** A read made here (the load generator) and how long it took. */
async function timed(read: () => Promise<string>): Promise<{ ms: number; detail: string }> {
  const begun = performance.now();
  const detail = await read();
  return { ms: performance.now() - begun, detail };
}

/**
 * Read everything once, then `GETS` exposures in full (in two halves, to tell the caches apart).
 * The reads come from this process over HTTP; only the index is touched inside the service.
 */
async function readPhases(service: ServiceProcess, prefix: string, fullReads = true): Promise<Phase[]> {
  const phases: Phase[] = [];
  const index = await service.run({ type: 'index' });
  phases.push({
    label: `${prefix}index.all() + endpoint lists`,
    memory: await service.measure(),
    note: `${index.detail} (${seconds(index.ms)})`,
  });
  const read = await timed(() => readAll(service));
  phases.push({
    label: `${prefix}+ GET /exposures, every page`,
    memory: await service.measure(),
    note: `${read.detail} (${seconds(read.ms)})`,
  });
  if (!fullReads) return phases;
  const half = Math.floor(GETS / 2);
  for (const [from, to] of [
    [0, half],
    [half, GETS],
  ] as const) {
    if (to <= from) continue;
    const got = await timed(() => getRange(service, from, to));
    phases.push({
      label: `${prefix}+ GET /exposures/{id} of exposures ${from}-${to - 1}`,
      memory: await service.measure(),
      note: `${got.detail} (${seconds(got.ms)})`,
    });
  }
  return phases;
}

function fullReadCost(phases: readonly Phase[]): void {
  const [, , first, second] = phases;
  if (!first || !second) return;
  const half = Math.floor(GETS / 2);
  const perRead = (second.memory.heapUsed - first.memory.heapUsed) / (GETS - half);
  out(
    `  each full read (GET /exposures/{id}) of another exposure keeps ≈ ${(perRead / 1000).toFixed(0)} KB of heap: the probe keys of its view of up to ` +
      `${NODES.toLocaleString('en')} endpoints per port and their probe results (its answer's text is kept from a second read) (measured over reads ${half}-${GETS - 1})`,
  );
  out(
    '  both caches a full read fills are bounded: kept views at 50,000 endpoints in all, probe results at 100,000; once full, another read replaces older entries instead of adding',
  );
}

async function inMemoryVariant(emulator: ComputeEmulator): Promise<ReadFigures> {
  out(
    `\n(a) sandbox in-memory cluster + createRuntime, ${EXPOSURES.toLocaleString('en')} exposures, ${NODES.toLocaleString('en')} nodes`,
  );
  const { service, startMs } = await ServiceProcess.start([
    '--cluster=in-memory',
    `--emulator=${emulator.url}`,
  ]);
  try {
    const phases: Phase[] = [];
    phases.push({
      label: 'service started, empty cluster',
      memory: await service.measure(),
      note: seconds(startMs),
    });
    const nodes = await service.run({ type: 'add-nodes', count: NODES });
    await service.run({ type: 'settle', exposures: 0, nodes: NODES, quietMs: 0, role: 'leader' });
    phases.push({
      label: `+ ${NODES.toLocaleString('en')} nodes`,
      memory: await service.measure(),
      note: seconds(nodes.ms),
    });
    const added = await service.run({ type: 'add-exposures', count: EXPOSURES, nodes: NODES });
    const settled = await service.run({
      type: 'settle',
      exposures: EXPOSURES,
      nodes: NODES,
      quietMs: QUIET_MS,
      role: 'leader',
    });
    phases.push({
      label: `+ ${EXPOSURES.toLocaleString('en')} exposures, reconciled`,
      memory: await service.measure(),
      note: `created in ${seconds(added.ms)}, reconciled in ${seconds(settled.ms)}: ${settled.detail}`,
    });
    const reads = await readPhases(service, '');
    phases.push(...reads);
    return filledFigures(phases, reads);
  } finally {
    await service.stop();
  }
}

// --- the real kube-apiserver ---------------------------------------------------------------------

type KubeCall = (method: string, path: string, body?: unknown) => Promise<{ status: number; body: string }>;

/** The admin's client, on kept-alive connections (a TLS handshake per object would dominate). */
function adminClient(controlPlane: ControlPlane): { call: KubeCall; close: () => void } {
  const agent = new Agent({ keepAlive: true, maxSockets: 32, ca: controlPlane.caData });
  const call: KubeCall = (method, path, body) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const request = httpsRequest(
        new URL(path, controlPlane.url),
        {
          method,
          agent,
          headers: {
            authorization: `Bearer ${controlPlane.adminToken}`,
            accept: 'application/json',
            ...(payload !== undefined && {
              'content-type': 'application/json',
              'content-length': String(Buffer.byteLength(payload)),
            }),
          },
        },
        (response) => {
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => {
            text += chunk;
          });
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
          response.on('error', reject);
        },
      );
      request.on('error', reject);
      request.end(payload);
    });
  };
  return { call, close: () => agent.destroy() };
}

async function expectCreated(call: KubeCall, path: string, body: unknown): Promise<string> {
  const response = await call('POST', path, body);
  if (response.status !== 201 && response.status !== 409)
    throw new Error(`POST ${path} answered ${response.status}: ${response.body.slice(0, 400)}`);
  return response.body;
}

const ZONES = ['europe-west1-b', 'europe-west1-c', 'europe-west1-d'];
const IMAGES = [
  'gke.gcr.io/gke-metrics-agent',
  'gke.gcr.io/fluent-bit',
  'gke.gcr.io/kube-proxy-amd64',
  'gke.gcr.io/csi-node-driver-registrar',
  'gke.gcr.io/gcp-compute-persistent-disk-csi-driver',
  'gke.gcr.io/netd',
  'gke.gcr.io/ip-masq-agent',
  'gke.gcr.io/prometheus-to-sd',
  'gke.gcr.io/pause',
  'registry.example.com/search/elasticsearch',
  'registry.example.com/payments/api',
  'registry.example.com/platform/envoy',
];

/** A Node shaped like a GKE node's (labels, annotations, conditions, images), ~6 KB of JSON. */
function gkeNode(n: number): unknown {
  const node = fleetNode(n);
  const zone = ZONES[n % ZONES.length] ?? 'europe-west1-b';
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const condition = (type: string, status: string, reason: string, message: string) => ({
    type,
    status,
    reason,
    message,
    lastHeartbeatTime: now,
    lastTransitionTime: now,
  });
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: node.name,
      labels: {
        'beta.kubernetes.io/arch': 'amd64',
        'beta.kubernetes.io/instance-type': 'e2-standard-8',
        'beta.kubernetes.io/os': 'linux',
        'cloud.google.com/gke-boot-disk': 'pd-balanced',
        'cloud.google.com/gke-container-runtime': 'containerd',
        'cloud.google.com/gke-cpu-scaling-level': '8',
        'cloud.google.com/gke-logging-variant': 'DEFAULT',
        'cloud.google.com/gke-max-pods-per-node': '110',
        'cloud.google.com/gke-nodepool': 'default-pool',
        'cloud.google.com/gke-os-distribution': 'cos',
        'cloud.google.com/gke-provisioning': 'standard',
        'cloud.google.com/gke-stack-type': 'IPV4',
        'cloud.google.com/machine-family': 'e2',
        'cloud.google.com/private-node': 'false',
        'failure-domain.beta.kubernetes.io/region': 'europe-west1',
        'failure-domain.beta.kubernetes.io/zone': zone,
        'kubernetes.io/arch': 'amd64',
        'kubernetes.io/hostname': node.name,
        'kubernetes.io/os': 'linux',
        'node.kubernetes.io/instance-type': 'e2-standard-8',
        'topology.gke.io/zone': zone,
        'topology.kubernetes.io/region': 'europe-west1',
        'topology.kubernetes.io/zone': zone,
      },
      annotations: {
        'container.googleapis.com/instance_id': String(4_000_000_000_000_000 + n),
        'csi.volume.kubernetes.io/nodeid': JSON.stringify({
          'pd.csi.storage.gke.io': `projects/${FLEET_PROJECT}/zones/${zone}/instances/${node.name}`,
        }),
        'node.alpha.kubernetes.io/ttl': '0',
        'node.gke.io/last-applied-node-labels':
          'cloud.google.com/gke-boot-disk=pd-balanced,cloud.google.com/gke-nodepool=default-pool',
        'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
      },
    },
    spec: {
      podCIDR: `10.${64 + Math.floor(n / 256)}.${n % 256}.0/24`,
      podCIDRs: [`10.${64 + Math.floor(n / 256)}.${n % 256}.0/24`],
      providerID: `gce://${FLEET_PROJECT}/${zone}/${node.name}`,
    },
    status: {
      addresses: node.addresses,
      allocatable: { cpu: '7910m', 'ephemeral-storage': '47060071478', memory: '29331348Ki', pods: '110' },
      capacity: { cpu: '8', 'ephemeral-storage': '98831908Ki', memory: '32864148Ki', pods: '110' },
      conditions: [
        condition(
          'FrequentContainerdRestart',
          'False',
          'NoFrequentContainerdRestart',
          'containerd is functioning properly',
        ),
        condition('KernelDeadlock', 'False', 'KernelHasNoDeadlock', 'kernel has no deadlock'),
        condition('ReadonlyFilesystem', 'False', 'FilesystemIsNotReadOnly', 'Filesystem is not read-only'),
        condition(
          'CorruptDockerOverlay2',
          'False',
          'NoCorruptDockerOverlay2',
          'docker overlay2 is functioning properly',
        ),
        condition('NetworkUnavailable', 'False', 'RouteCreated', 'NodeController create implicit route'),
        condition(
          'MemoryPressure',
          'False',
          'KubeletHasSufficientMemory',
          'kubelet has sufficient memory available',
        ),
        condition('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
        condition('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
        condition('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status. AppArmor enabled'),
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      images: IMAGES.map((image, i) => ({
        names: [
          `${image}@sha256:${(n * 31 + i).toString(16).padStart(64, 'a')}`,
          `${image}:v1.${i}.0-gke.${n % 7}`,
        ],
        sizeBytes: 10_000_000 + i * 7_654_321,
      })),
      nodeInfo: {
        architecture: 'amd64',
        bootID: `b00710d0-0000-4000-8000-${String(n).padStart(12, '0')}`,
        containerRuntimeVersion: 'containerd://1.7.24',
        kernelVersion: '6.6.56+',
        kubeProxyVersion: 'v1.35.4-gke.1000',
        kubeletVersion: 'v1.35.4-gke.1000',
        machineID: `0123456789abcdef0123${String(n).padStart(12, '0')}`,
        operatingSystem: 'linux',
        osImage: 'Container-Optimized OS from Google',
        systemUUID: `0123abcd-0000-4000-8000-${String(n).padStart(12, '0')}`,
      },
    },
  };
}

/** One EndpointSlice per Service, as the EndpointSlice controller writes it (labels copied from the Service). */
function endpointSlice(manifest: ServiceManifest, uid: string, index: number): unknown {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: `${manifest.name}-${uid.slice(0, 5)}`,
      namespace: manifest.namespace,
      labels: {
        ...manifest.labels,
        'kubernetes.io/service-name': manifest.name,
        'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
      },
      annotations: { 'endpoints.kubernetes.io/last-change-trigger-time': new Date().toISOString() },
      ownerReferences: [
        {
          apiVersion: 'v1',
          kind: 'Service',
          name: manifest.name,
          uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    addressType: 'IPv4',
    endpoints: fleetEndpoints(index, NODES).map((endpoint, k) => ({
      addresses: endpoint.addresses,
      conditions: { ready: true, serving: true, terminating: false },
      nodeName: endpoint.nodeName,
      targetRef: {
        kind: 'Pod',
        namespace: manifest.namespace,
        name: `${manifest.name}-7d9f8b6c4-${k}x2kq`,
        uid: `${uid.slice(0, 24)}${String(k).padStart(12, '0')}`,
      },
      zone: ZONES[k % ZONES.length],
    })),
    ports: manifest.ports.map((port) => ({
      name: port.name ?? '',
      port: typeof port.targetPort === 'number' ? port.targetPort : port.port,
      protocol: port.protocol,
    })),
  };
}

async function createNodes(call: KubeCall): Promise<void> {
  const nodes = Array.from({ length: NODES }, (_, n) => n);
  await inParallel(nodes, 16, async (n) => {
    await expectCreated(call, '/api/v1/nodes', gkeNode(n));
  });
}

async function createExposures(call: KubeCall): Promise<void> {
  const indexes = Array.from({ length: EXPOSURES }, (_, i) => i);
  await inParallel(indexes, 16, async (i) => {
    const manifest = fleetManifest(i, DEFAULT_FLEET);
    const created = await expectCreated(
      call,
      `/api/v1/namespaces/${manifest.namespace}/services?fieldManager=exposure-api`,
      serviceForCreate(manifest),
    );
    const uid = (JSON.parse(created) as { metadata?: { uid?: string } }).metadata?.uid ?? '';
    await expectCreated(
      call,
      `/apis/discovery.k8s.io/v1/namespaces/${manifest.namespace}/endpointslices?fieldManager=endpointslice-controller`,
      endpointSlice(manifest, uid, i),
    );
  });
}

/**
 * A replica started on the filled cluster: settled in its role (quiet for --quiet seconds), then
 * read (with the full reads or not); its phases, printed.
 */
async function settledReplica(
  started: Awaited<ReturnType<typeof ServiceProcess.start>>,
  role: 'leader' | 'follower',
  fullReads: boolean,
): Promise<Phase[]> {
  const { service, startMs } = started;
  const settled = await service.run({
    type: 'settle',
    exposures: EXPOSURES,
    nodes: NODES,
    quietMs: QUIET_MS,
    role,
  });
  const phases: Phase[] = [
    {
      label: role === 'leader' ? 'started, caches synced, reconciled' : 'started, caches synced',
      memory: await service.measure(),
      note: `synced in ${seconds(startMs)}, ${role === 'leader' ? 'reconciled and ' : ''}quiet for ${QUIET_MS / 1000} s after ${seconds(settled.ms)} more: ${settled.detail}`,
    },
    ...(await readPhases(service, '', fullReads)),
  ];
  printPhases(phases);
  return phases;
}

async function kubernetesVariant(emulator: ComputeEmulator): Promise<ReadFigures[]> {
  out(
    `\n(b) Kubernetes adapter informers + createRuntime against a real kube-apiserver, ${EXPOSURES.toLocaleString('en')} exposures, ${NODES.toLocaleString('en')} nodes`,
  );
  const binaries = await ensureControlPlaneBinaries();
  // The default range holds only 2,768 node ports; the fleet needs 12,000.
  const controlPlane = await startControlPlane({
    binaries,
    extraApiserverArgs: [`--service-node-port-range=${FLEET_NODE_PORTS.min}-${FLEET_NODE_PORTS.max}`],
  });
  const admin = adminClient(controlPlane);
  const services: ServiceProcess[] = [];
  try {
    out(
      `  kube-apiserver ${binaries.kubernetesVersion} on ${controlPlane.url}, --service-node-port-range=${FLEET_NODE_PORTS.min}-${FLEET_NODE_PORTS.max}`,
    );
    await grantServiceIdentity(controlPlane);
    for (let i = 0; i < FLEET_NAMESPACES; i++)
      await expectCreated(admin.call, '/api/v1/namespaces', {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: fleetNamespace(i) },
      });
    const args = [
      '--cluster=kubernetes',
      `--emulator=${emulator.url}`,
      `--kubeconfig=${controlPlane.kubeconfigPath('service')}`,
    ];

    // Filled while the service watches: every object arrives as a watch event.
    const first = await ServiceProcess.start(args);
    services.push(first.service);
    const phases: Phase[] = [];
    phases.push({
      label: 'service started, empty cluster',
      memory: await first.service.measure(),
      note: seconds(first.startMs),
    });
    let started = performance.now();
    await createNodes(admin.call);
    await first.service.run({ type: 'settle', exposures: 0, nodes: NODES, quietMs: 0, role: 'leader' });
    phases.push({
      label: `+ ${NODES.toLocaleString('en')} Nodes (watch events)`,
      memory: await first.service.measure(),
      note: seconds(performance.now() - started),
    });
    started = performance.now();
    await createExposures(admin.call);
    const createdMs = performance.now() - started;
    const settled = await first.service.run({
      type: 'settle',
      exposures: EXPOSURES,
      nodes: NODES,
      quietMs: QUIET_MS,
      role: 'leader',
    });
    phases.push({
      label: `+ ${EXPOSURES.toLocaleString('en')} Services + EndpointSlices, reconciled`,
      memory: await first.service.measure(),
      note: `created in ${seconds(createdMs)}, reconciled and quiet for ${QUIET_MS / 1000} s after ${seconds(settled.ms)} more: ${settled.detail}`,
    });
    const reads = await readPhases(first.service, '');
    phases.push(...reads);
    const filled = filledFigures(phases, reads);
    await first.service.stop();

    // A restart: the informers list everything at once, the reconciler checks every rule.
    out('\n  restart of the service with everything in place (initial lists of 500 per page):');
    const second = await ServiceProcess.start(args);
    services.push(second.service);
    const restart = await settledReplica(second, 'leader', false);
    // A second replica while the restarted one leads: it follows, and never loads the Compute clients.
    out('\n  a follower (a second replica; the restarted one holds the lease):');
    const third = await ServiceProcess.start(args);
    services.push(third.service);
    const follower = await settledReplica(third, 'follower', true);
    await third.service.stop();
    await second.service.stop();
    return [
      filled,
      { cached: restart[1] as Phase, target: restart[2] as Phase, phases: restart },
      { cached: follower[1] as Phase, target: follower[2] as Phase, phases: follower, role: 'follower' },
    ];
  } finally {
    for (const service of services) service.kill();
    admin.close();
    await controlPlane.stop();
  }
}

// --- main -------------------------------------------------------------------------------------------

/** The process before any data, module by module (a fresh process per run, three runs). */
async function baseline(): Promise<{ label: string; rss: number; heapUsed: number }[]> {
  out('\nthe service process before any data (fresh process, after GC; median of 3 runs):');
  const runs: { label: string; rss: number; heapUsed: number }[][] = [];
  for (let run = 0; run < 3; run++) {
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(
        process.execPath,
        ['--expose-gc', fileURLToPath(compiled('memory-baseline'))],
        { env: chartProcessEnvironment() },
        (error, text) => (error ? reject(error) : resolve(text)),
      ),
    );
    runs.push(
      stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { label: string; rss: number; heapUsed: number }),
    );
  }
  const medians = (runs[0] ?? []).map(({ label }, i) => {
    const median = (pick: (step: { rss: number; heapUsed: number }) => number) =>
      stats(runs.map((steps) => pick(steps[i] ?? { rss: 0, heapUsed: 0 }))).median;
    return { label, rss: median((step) => step.rss), heapUsed: median((step) => step.heapUsed) };
  });
  for (const { label, rss, heapUsed } of medians)
    out(`  ${label.padEnd(84)} RSS ${mb(rss).padStart(9)}   heap used ${mb(heapUsed).padStart(9)}`);
  return medians;
}

out(
  `memory benchmark: ${EXPOSURES.toLocaleString('en')} exposures, ${NODES.toLocaleString('en')} nodes, leader targets RSS ≤ ${TARGET_MB} MB steady, ≤ ${PEAK_TARGET_MB} MB peak`,
);
out(machineFacts());
const results: { variant: string; figures: ReadFigures }[] = [];
const before = await baseline();
for (const variant of variants) {
  // A Compute emulator of its own per variant, empty: the service creates every rule as the
  // exposures arrive, as on a new installation. (Rules put in place before their Services exist
  // would be orphans to the start-up pass, and their collection would be measured instead.)
  const emulator = await startComputeEmulator({ firewallQuota: 1_000_000, operationDoneAfterMs: 0 });
  try {
    if (variant === 'in-memory') {
      results.push({ variant: '(a) in-memory cluster', figures: await inMemoryVariant(emulator) });
    } else if (variant === 'kubernetes') {
      const [watched, restarted, follower] = await kubernetesVariant(emulator);
      if (watched)
        results.push({ variant: '(b) real kube-apiserver, filled while watching', figures: watched });
      if (restarted)
        results.push({ variant: '(b) real kube-apiserver, after a restart', figures: restarted });
      if (follower) results.push({ variant: '(b) real kube-apiserver, a follower', figures: follower });
    } else {
      throw new Error(`unknown variant ${variant}`);
    }
  } finally {
    await emulator.close();
  }
}

out(
  `\nthe service process with ${EXPOSURES.toLocaleString('en')} exposures and ${NODES.toLocaleString('en')} nodes cached (targets: leader RSS ≤ ${TARGET_MB} MB steady, ≤ ${PEAK_TARGET_MB} MB peak; follower ≤ ${FOLLOWER_TARGET_MB} MB steady):`,
);
for (const { variant, figures } of results) {
  const { cached, target } = figures;
  const peak = Math.max(...figures.phases.map((phase) => phase.memory.peakRss));
  const steady = Math.max(cached.memory.rss, target.memory.rss);
  const verdicts =
    figures.role === 'follower'
      ? `steady ${verdict(steady <= FOLLOWER_TARGET_MB * MB)}; peak RSS ${mb(peak)}`
      : `steady ${verdict(steady <= TARGET_MB * MB)}; peak RSS ${mb(peak)} ${verdict(peak <= PEAK_TARGET_MB * MB)}`;
  out(
    `  ${variant.padEnd(48)} caches built: RSS ${mb(cached.memory.rss).padStart(9)} (heap used ${mb(cached.memory.heapUsed)}); ` +
      `after every list page: RSS ${mb(target.memory.rss).padStart(9)} (heap used ${mb(target.memory.heapUsed)}); ${verdicts}`,
  );
}
const [bare, app, compute, clients] = before;
if (bare && app && compute && clients) {
  out('what the figures are made of:');
  out(
    `  before any data: RSS ${mb(clients.rss)}, heap used ${mb(clients.heapUsed)}; of that, loading @google-cloud/compute and constructing its two clients ` +
      `adds RSS ${mb(clients.rss - app.rss)} (heap ${mb(clients.heapUsed - app.heapUsed)}), the application and @kubernetes/client-node RSS ${mb(app.rss - bare.rss)}, Node itself ${mb(bare.rss)}`,
  );
}
for (const { variant, figures } of results) {
  if (!figures.growth) continue;
  const { perNode, perExposure } = figures.growth;
  out(
    `  ${variant}: the caches hold ${(perExposure / 1000).toFixed(1)} KB of live heap per exposure and ${(perNode / 1000).toFixed(2)} KB per node, ` +
      `≈ ${mb(perExposure * EXPOSURES + perNode * NODES)} for the whole fleet`,
  );
}
out(
  '  the rest of the RSS is heap that V8 grew into while the service worked (start-up reconcile pass, list pages) and that Node ' +
    `${process.version} keeps resident after garbage collection; how far it grows follows the heap cap (--service-flags="--max-old-space-size=…"; "" for Node's default)`,
);
