// Wide-exposure benchmark: reading an exposure with many ports on a large cluster, in a service
// process with the Helm chart's heap cap (heapLimitMegabytes, as --max-old-space-size). 100 ports
// on 15,000 nodes are 1.5 million endpoints: a read lists the best `endpointLimit` of them
// (default 5,000) and counts the rest, in bounded memory, instead of building them all (which ran
// out of a 384 MB heap from 800,000 endpoints on).
//
// Each case runs in a fresh process: the sandbox's in-memory cluster with the nodes on loopback
// addresses where nothing listens (each probe is refused at once), one exposure created through
// POST /exposures, then GET /exposures/{id}: once right after the create, then --reads more.
//
// Run: npm run bench:wide   (options: --reads=5)
import { fork } from 'node:child_process';
import { parseArgs } from 'node:util';
import { startComputeEmulator } from '@exposure-api/compute-emulator';
import { createGceFirewalls } from '../src/adapters/gce/gce-firewalls.ts';
import { passThroughAuthClient } from '../src/adapters/gce/pass-through-auth.ts';
import { parseConfig } from '../src/config/load.ts';
import { sha256Hex } from '../src/edge/plugins/authentication.ts';
import { createLogger } from '../src/logger.ts';
import { createRuntime } from '../src/runtime.ts';
import { InMemoryCluster } from '../src/sandbox/in-memory-cluster.ts';
import { chartHeapFlag } from './chart-heap.ts';
import { fleetNode } from './fleet.ts';
import { machineFacts, mb, procMemory, stats, verdict } from './machine.ts';

const { values } = parseArgs({
  options: {
    child: { type: 'string' },
    reads: { type: 'string', default: '5' },
  },
});
const READS = Number(values.reads);
const TOKEN = 'wide-bench-token';

interface CaseResult {
  nodes: number;
  ports: number;
  created: number;
  status: number;
  bytes: number;
  listed: number;
  omitted: number;
  total: number;
  readMs: number[];
  rss: number;
  peakRss: number;
}

async function runCase(nodes: number, ports: number): Promise<CaseResult> {
  process.env.METADATA_SERVER_DETECTION = 'none';
  const emulator = await startComputeEmulator();
  const config = parseConfig(
    {
      server: { host: '127.0.0.1', port: 0, logLevel: 'silent' },
      cluster: { id: 'wide-bench' },
      gce: { project: 'wide-bench', endpoint: emulator.url.replace(/\/$/, '') },
      firewall: { targetTags: ['wide-bench-node'] },
      leaderElection: { namespace: 'exposure-api' },
      auth: { tokens: [{ sha256: sha256Hex(TOKEN), subject: 'wide-bench', namespaces: ['*'] }] },
    },
    'wide-exposure benchmark configuration',
  );
  const firewalls = createGceFirewalls({
    project: 'wide-bench',
    apiEndpoint: '127.0.0.1',
    port: emulator.port,
    protocol: 'http',
    authClient: passThroughAuthClient(),
  });
  const cluster = new InMemoryCluster({ namespaces: ['search'] });
  const runtime = await createRuntime({ config, cluster, firewalls, logger: createLogger('silent') });
  await runtime.start();
  for (let n = 0; n < nodes; n++) cluster.setNode(fleetNode(n));
  const headers = { authorization: `Bearer ${TOKEN}` };
  const created = await runtime.app.inject({
    method: 'POST',
    url: '/exposures',
    headers,
    payload: {
      namespace: 'search',
      name: 'wide',
      selector: { app: 'wide' },
      sourceRanges: ['203.0.113.0/24'],
      ports: Array.from({ length: ports }, (_, i) => ({ name: `p${i}`, port: 1000 + i })),
    },
  });
  const id = (JSON.parse(created.body) as { id?: string }).id;
  const readMs: number[] = [];
  let last = { statusCode: 0, body: '' };
  for (let i = 0; i <= READS && id; i++) {
    const began = performance.now();
    last = await runtime.app.inject({ method: 'GET', url: `/exposures/${id}`, headers });
    readMs.push(performance.now() - began);
  }
  const body = JSON.parse(last.body || '{}') as {
    endpoints?: unknown[];
    endpointsOmitted?: number;
    endpointSummary?: { total: number };
  };
  const memory = procMemory();
  await runtime.stop();
  await emulator.close();
  return {
    nodes,
    ports,
    created: created.statusCode,
    status: last.statusCode,
    bytes: last.body.length,
    listed: body.endpoints?.length ?? 0,
    omitted: body.endpointsOmitted ?? 0,
    total: body.endpointSummary?.total ?? 0,
    readMs,
    rss: memory.rss,
    peakRss: memory.peakRss,
  };
}

if (values.child) {
  const [nodes, ports] = values.child.split('x').map(Number);
  const result = await runCase(nodes ?? 0, ports ?? 0);
  process.send?.(result);
  process.exit(0);
}

const flags = chartHeapFlag().split(' ').filter(Boolean);
const out = (line = '') => process.stdout.write(`${line}\n`);
out('wide-exposure benchmark: one exposure with many ports on a large cluster, read in full');
out(machineFacts());
out(
  `service process flags: ${flags.join(' ') || "(Node's default heap)"} (the Helm chart's heapLimitMegabytes)`,
);
out();
const cols = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(24) : c.padStart(12))).join('');
out(
  cols([
    '  nodes × ports',
    'endpoints',
    'listed',
    'omitted',
    'answer',
    'first read',
    'next (med)',
    'peak RSS',
  ]),
);
let allAnswered = true;
for (const [nodes, ports] of [
  [2_000, 1],
  [2_000, 100],
  [15_000, 10],
  [15_000, 100],
] as const) {
  const child = fork(new URL(import.meta.url), [`--child=${nodes}x${ports}`, `--reads=${READS}`], {
    execArgv: flags,
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  const result = await new Promise<CaseResult | undefined>((resolve) => {
    child.once('message', (message) => resolve(message as CaseResult));
    child.once('exit', () => resolve(undefined));
  });
  const label = `  ${nodes.toLocaleString('en')} × ${ports}`;
  if (result?.status !== 200) {
    allAnswered = false;
    const reason = stderr.match(/FATAL ERROR: [^\n]*/)?.[0] ?? `answered ${result?.status ?? 'nothing'}`;
    out(`${label.padEnd(24)}  failed: ${reason}`);
    continue;
  }
  const [first = 0, ...next] = result.readMs;
  out(
    cols([
      label,
      result.total.toLocaleString('en'),
      result.listed.toLocaleString('en'),
      result.omitted.toLocaleString('en'),
      mb(result.bytes),
      `${first.toFixed(0)} ms`,
      `${stats(next.length > 0 ? next : [first]).median.toFixed(0)} ms`,
      mb(result.peakRss),
    ]),
  );
}
out();
out(`every read answered within the heap cap, with a bounded answer: ${verdict(allAnswered)}`);
