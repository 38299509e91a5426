// List and full-read latency at design scale: 10,000 exposures on 2,000 nodes, the real runtime
// (production defaults) over the in-memory cluster, answers through the HTTP edge (app.inject).
//
//   GET /exposures?limit=500     every page (20), after a node changed (a node joining or turning
//                                NotReady changes what every item counts, so nothing computed for
//                                an earlier listing may be reused); target ≤ 100 ms p50 and ≤ 250 ms
//                                for the slowest page
//   GET /exposures/{id}          in full, 2,000 endpoints, probe results cached (a read within the
//                                probe TTL of the one before); target ≤ 50 ms p50
//
// Probes answer at once (a prober that does not touch the network), so that what is timed is the
// service's own work. This replica follows (another holder keeps the Lease), so no reconciler runs
// beside the reads; every exposure carries an UpToDate firewall status as the leader writes it.
// Run: npm run bench:list   (options: --exposures=10000 --nodes=2000 --reads=30 --rounds=3)
// With --cpu-prof (node --cpu-prof scripts/node …) the profile shows where the time goes.
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import type { Firewalls } from '../src/application/ports/firewalls.ts';
import type { Prober } from '../src/application/ports/prober.ts';
import { parseConfig } from '../src/config/load.ts';
import { readExposureRecord } from '../src/domain/exposure-record.ts';
import { sha256Hex } from '../src/edge/plugins/authentication.ts';
import { createRuntime } from '../src/runtime.ts';
import { InMemoryCluster } from '../src/sandbox/in-memory-cluster.ts';
import { InMemoryLeases } from '../src/sandbox/in-memory-leases.ts';
import {
  FLEET_CLUSTER_ID,
  FLEET_NAMESPACES,
  FLEET_NODE_PORTS,
  FLEET_TARGET_TAG,
  fleetEndpoints,
  fleetExposureId,
  fleetManifest,
  fleetNamespace,
  fleetNode,
  fleetNodeName,
} from './fleet.ts';
import { machineFacts, stats, verdict } from './machine.ts';

const { values } = parseArgs({
  options: {
    exposures: { type: 'string', default: '10000' },
    nodes: { type: 'string', default: '2000' },
    reads: { type: 'string', default: '30' },
    rounds: { type: 'string', default: '3' },
  },
});
const EXPOSURES = Number(values.exposures);
const NODES = Number(values.nodes);
const READS = Number(values.reads);
const ROUNDS = Number(values.rounds);
const TOKEN = 'list-bench-token';
const out = (line = '') => process.stdout.write(`${line}\n`);

const instantProber: Prober = { probe: async () => ({ ok: true, latencyMs: 0.2 }) };
const refusingFirewalls: Firewalls = new Proxy({} as Firewalls, {
  get: (_, method) => () =>
    Promise.reject(new Error(`the benchmark's follower called firewalls.${String(method)}`)),
});

out(machineFacts());
// The Lease lives in 'default'; the fleet's teams in namespaces of their own.
const teams = Array.from({ length: FLEET_NAMESPACES }, (_, i) => fleetNamespace(i));
const cluster = new InMemoryCluster({ namespaces: ['default', ...teams], nodePortRange: FLEET_NODE_PORTS });
for (let node = 0; node < NODES; node++) cluster.setNode(fleetNode(node));
const upToDate = (specHash: string) =>
  JSON.stringify({
    specHash,
    generation: 1,
    state: 'UpToDate',
    condition: {
      status: 'True',
      reason: 'UpToDate',
      message: 'rules in place',
      lastTransitionTime: new Date().toISOString(),
    },
    rules: [],
    everReady: true,
    failures: 0,
    lastAttemptTime: new Date().toISOString(),
  });
for (let i = 0; i < EXPOSURES; i++) {
  const manifest = fleetManifest(i);
  const service = await cluster.createService(manifest);
  cluster.setServiceEndpoints(manifest, fleetEndpoints(i, NODES));
  const read = readExposureRecord(service);
  if (read.ok) await cluster.writeFirewallStatus(manifest, upToDate(read.record.specHash));
}
const leases = new InMemoryLeases();
await leases.create('default', `exposure-api-${FLEET_CLUSTER_ID}`, {
  holderIdentity: 'the-leader-elsewhere',
  leaseDurationSeconds: 3600,
  renewTime: new Date().toISOString().replace('Z', '000Z'),
  leaseTransitions: 0,
});
const runtime = await createRuntime({
  config: parseConfig({
    cluster: { id: FLEET_CLUSTER_ID, nodePortRange: FLEET_NODE_PORTS },
    gce: { project: 'list-bench' },
    firewall: { targetTags: [FLEET_TARGET_TAG] },
    // One caller reads everything: its read limit is raised; the limiter still runs on each request.
    rateLimit: { reads: { max: 1_000_000_000 } },
    auth: { tokens: [{ sha256: sha256Hex(TOKEN), subject: 'list-bench', namespaces: ['*'] }] },
  }),
  cluster,
  firewalls: refusingFirewalls,
  leases,
  prober: instantProber,
  logger: pino({ level: 'silent' }),
});
await runtime.start();
// As listen() does in the server: the routes' validators and serializers are compiled before the
// first request, not during it.
await runtime.app.ready();
// The cluster delivers its events on later turns of the event loop: wait until the index holds
// every exposure with its firewall status, so that no event processing is timed with the reads.
const settled = () =>
  runtime.index.size === EXPOSURES &&
  runtime.index.all().every((record) => record.firewallStatus !== undefined);
while (!settled()) await new Promise((resolve) => setTimeout(resolve, 100));
out(`fleet: ${runtime.index.size} exposures on ${cluster.nodes().length} nodes; load average ${osLoad()}`);

/** CPU time this process spent on the requests (user + system), apart from the machine's load. */
let cpuMicros = 0;

async function timedGet(url: string): Promise<{ ms: number; body: string }> {
  const cpu = process.cpuUsage();
  const begun = performance.now();
  const response = await runtime.app.inject({
    method: 'GET',
    url,
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  const ms = performance.now() - begun;
  const spent = process.cpuUsage(cpu);
  cpuMicros += spent.user + spent.system;
  if (response.statusCode !== 200)
    throw new Error(`GET ${url} answered ${response.statusCode}: ${response.body.slice(0, 200)}`);
  return { ms, body: response.body };
}

/** Every page of 500: the time of each. */
async function listAll(): Promise<number[]> {
  const times: number[] = [];
  let cursor: string | undefined;
  do {
    const page = await timedGet(
      `/exposures?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    times.push(page.ms);
    cursor = (JSON.parse(page.body) as { nextCursor?: string }).nextCursor;
  } while (cursor);
  return times;
}

/** Full reads of different exposures, each right after a read that probed (so results are cached). */
async function fullReads(round: number): Promise<{ times: number[]; endpoints: number }> {
  const times: number[] = [];
  let endpoints = 0;
  for (let k = 0; k < READS; k++) {
    const url = `/exposures/${fleetExposureId(((round * READS + k) * 37) % EXPOSURES)}`;
    await timedGet(url);
    const read = await timedGet(url);
    times.push(read.ms);
    endpoints = (JSON.parse(read.body) as { endpoints: unknown[] }).endpoints.length;
  }
  return { times, endpoints };
}

function osLoad(): string {
  return loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');
}

const rows: { figure: string; value: string; target: string; met: boolean }[] = [];
const pageMedians: number[] = [];
const pageMaxima: number[] = [];
const readMedians: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  // A node turns NotReady (or Ready again): every item's counts change.
  cluster.setNodeReady(fleetNodeName(round % 2), round % 2 === 1);
  await new Promise((resolve) => setTimeout(resolve, 50));
  cpuMicros = 0;
  const pageTimes = await listAll();
  const listCpuMs = cpuMicros / 1000;
  out(
    `  pages of 500, in order: ${pageTimes.map((ms) => ms.toFixed(0)).join(' ')} ms (all: ${pageTimes.reduce((a, b) => a + b, 0).toFixed(0)} ms, of which CPU ${listCpuMs.toFixed(0)} ms)`,
  );
  const pages = stats(pageTimes);
  const reads = await fullReads(round);
  const read = stats(reads.times);
  pageMedians.push(pages.median);
  pageMaxima.push(pages.max);
  readMedians.push(read.median);
  out(
    `round ${round + 1}: pages of 500 p50 ${pages.median.toFixed(0)} ms, max ${pages.max.toFixed(0)} ms; ` +
      `full reads (${reads.endpoints} endpoints) p50 ${read.median.toFixed(1)} ms, max ${read.max.toFixed(1)} ms; load ${osLoad()}`,
  );
}
const pageP50 = stats(pageMedians).median;
const pageMax = stats(pageMaxima).median;
const readP50 = stats(readMedians).median;
rows.push(
  {
    figure: 'GET /exposures, page of 500, p50',
    value: `${pageP50.toFixed(0)} ms`,
    target: '≤ 100 ms',
    met: pageP50 <= 100,
  },
  {
    figure: 'GET /exposures, page of 500, slowest',
    value: `${pageMax.toFixed(0)} ms`,
    target: '≤ 250 ms',
    met: pageMax <= 250,
  },
  {
    figure: 'GET /exposures/{id} in full, 2,000 endpoints, p50',
    value: `${readP50.toFixed(1)} ms`,
    target: '≤ 50 ms',
    met: readP50 <= 50,
  },
);
out();
out(`| figure (${EXPOSURES} exposures × ${NODES} nodes, median of ${ROUNDS} rounds) | measured | target | |`);
out('|---|---|---|---|');
for (const row of rows) out(`| ${row.figure} | ${row.value} | ${row.target} | ${verdict(row.met)} |`);
out(`load average: ${osLoad()}`);
await runtime.stop();
