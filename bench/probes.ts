// Probe benchmark: the health of 1,000 endpoints, half of them dead, with a 1 s probe timeout, must
// be answered in ≤ 2.5 s. Measured two ways, both with the real NetworkProber and the probe
// settings a configuration gets by default (timeout 1000 ms, concurrency 512, at most 2,000 probes
// per read, results cached 5 s):
//   1. the HealthChecker alone, checking 1,000 TCP targets;
//   2. GET /exposures/{id} over HTTP, for an exposure whose cluster (the sandbox's in-memory one)
//      has 1,000 Ready nodes on loopback addresses: a cold read (cache expired, all 1,000 probed)
//      and warm reads (all from the probe cache).
// Live node ports accept in a helper process; dead ones are listeners in another helper process
// that never accepts, whose accept queues are full, so that the kernel drops each new SYN and a
// connect hangs until the probe's timeout (see probe-targets.ts). Nothing but loopback is used,
// nothing needs root, and the helpers are killed at the end.
//
// Run: npm run bench:probes   (options: --nodes=1000 --rounds=5 --warm=20)
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { startComputeEmulator } from '@exposure-api/compute-emulator';
import { createGceFirewalls } from '../src/adapters/gce/gce-firewalls.ts';
import { passThroughAuthClient } from '../src/adapters/gce/pass-through-auth.ts';
import { NetworkProber } from '../src/adapters/prober/network-prober.ts';
import { HealthChecker } from '../src/application/health-checker.ts';
import { systemClock } from '../src/application/ports/clock.ts';
import { parseConfig } from '../src/config/load.ts';
import { healthCheckSettings } from '../src/config/settings.ts';
import type { ProbeTarget } from '../src/domain/endpoints.ts';
import { sha256Hex } from '../src/edge/plugins/authentication.ts';
import { createLogger } from '../src/logger.ts';
import { createRuntime } from '../src/runtime.ts';
import { InMemoryCluster } from '../src/sandbox/in-memory-cluster.ts';
import { machineFacts, stats, verdict } from './machine.ts';

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '1000' },
    rounds: { type: 'string', default: '5' },
    warm: { type: 'string', default: '20' },
  },
});
const NODES = Number(values.nodes);
const ROUNDS = Number(values.rounds);
const WARM = Number(values.warm);
const TARGET_MS = 2500;
const NODE_PORT = 30999;
const TOKEN = 'probe-bench-token';

process.env.METADATA_SERVER_DETECTION = 'none';
const out = (line = '') => process.stdout.write(`${line}\n`);

/** Node n's InternalIP: 127.66.x.y (a /16 of loopback no other test or benchmark uses). */
function nodeAddress(n: number): string {
  const host = n + 1;
  return `127.66.${Math.floor(host / 250)}.${(host % 250) + 1}`;
}
/** Every other node is dead, so live and dead ones are interleaved in the endpoint list. */
const isDead = (n: number) => n % 2 === 1;
const nodes = Array.from({ length: NODES }, (_, n) => n);
const liveAddresses = nodes.filter((n) => !isDead(n)).map(nodeAddress);
const deadAddresses = nodes.filter(isDead).map(nodeAddress);

/** TcpExt counters: ListenOverflows counts SYNs dropped because an accept queue was full. */
function listenOverflows(): number {
  const lines = readFileSync('/proc/net/netstat', 'utf8').split('\n');
  const header = lines.find((line) => line.startsWith('TcpExt:'))?.split(/\s+/) ?? [];
  const numbers = lines.filter((line) => line.startsWith('TcpExt:'))[1]?.split(/\s+/) ?? [];
  return Number(numbers[header.indexOf('ListenOverflows')] ?? Number.NaN);
}

async function startHelper(args: string[]): Promise<{ child: ChildProcess; info: Record<string, unknown> }> {
  // A lifetime well past the whole run; a pipe on stdin that closes if this process dies.
  const lifetimeMs = (ROUNDS * 10 + 120) * 1000;
  const child = spawn(
    process.execPath,
    [new URL('./probe-targets.ts', import.meta.url).pathname, ...args, `--lifetime-ms=${lifetimeMs}`],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  // A helper that fails (say, an address already in use) exits without its ready line.
  const line = await Promise.race([
    once(lines, 'line').then(([text]) => String(text)),
    once(child, 'exit').then(([code]) => {
      throw new Error(`probe-targets.ts ${args[0]} exited with ${String(code)} before it was ready`);
    }),
  ]);
  return { child, info: JSON.parse(line) as Record<string, unknown> };
}

async function stopHelper(child: ChildProcess | undefined, signal: NodeJS.Signals): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill(signal);
  await exited;
}

out(
  `probe benchmark: ${NODES.toLocaleString('en')} endpoints, ${deadAddresses.length} of them dead, target ≤ ${TARGET_MS} ms`,
);
out(machineFacts());

let dead: ChildProcess | undefined;
let live: ChildProcess | undefined;
// Interrupted: the helpers go too (the dead one cannot notice by itself).
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    dead?.kill('SIGKILL');
    live?.kill('SIGKILL');
    process.exit(130);
  });
}
const emulator = await startComputeEmulator();
const firewalls = createGceFirewalls({
  project: 'probe-bench',
  apiEndpoint: '127.0.0.1',
  port: emulator.port,
  protocol: 'http',
  authClient: passThroughAuthClient(),
});
// The probe section is left out on purpose: what is measured is the default configuration.
const config = parseConfig(
  {
    server: { host: '127.0.0.1', port: 0, logLevel: 'silent' },
    cluster: { id: 'probe-bench' },
    gce: { project: 'probe-bench', endpoint: emulator.url },
    firewall: { targetTags: ['probe-bench-node'] },
    auth: { tokens: [{ sha256: sha256Hex(TOKEN), subject: 'probe-bench', namespaces: ['*'] }] },
  },
  'probe benchmark configuration',
);
const cluster = new InMemoryCluster();
const runtime = await createRuntime({ config, cluster, firewalls, logger: createLogger('silent') });

try {
  const overflowsBefore = listenOverflows();
  const deadHelper = await startHelper([
    '--mode=dead',
    `--port=${NODE_PORT}`,
    `--addresses=${deadAddresses.join(',')}`,
  ]);
  dead = deadHelper.child;
  const liveHelper = await startHelper([
    '--mode=live',
    `--port=${NODE_PORT}`,
    `--addresses=${liveAddresses.join(',')}`,
    `--fill=${deadAddresses.join(',')}`,
  ]);
  live = liveHelper.child;
  const { listeners, filledQueues, hanging } = liveHelper.info as {
    listeners: number;
    filledQueues: number;
    hanging: number;
  };
  out(
    `live node ports: ${listeners} listeners that accept; dead node ports: ${String(deadHelper.info.listeners)} listeners that never accept, ` +
      `${filledQueues} accept queues filled, a test connect hangs on ${hanging} of ${deadAddresses.length}`,
  );
  if (hanging !== deadAddresses.length) throw new Error('not every dead node port makes a connect hang');

  // --- 1. the HealthChecker alone -------------------------------------------------------------
  const settings = healthCheckSettings(config);
  out(
    `probe settings (configuration defaults): timeout ${settings.timeoutMs} ms, concurrency ${settings.concurrency}, ` +
      `at most ${settings.maxProbesPerRead} probes per read, results cached ${settings.cacheTtlMs} ms, ${config.probe.addressType}`,
  );
  out(
    `\n1. HealthChecker.check of ${NODES.toLocaleString('en')} TCP targets (a fresh checker each round, so nothing is cached):`,
  );
  const checkerTimes: number[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const checker = new HealthChecker(new NetworkProber(), systemClock, settings);
    const targets: ProbeTarget[] = nodes.map((n) => ({
      kind: 'tcp',
      address: nodeAddress(n),
      port: NODE_PORT,
      scope: `round-${round}`,
    }));
    const begun = performance.now();
    const results = await checker.check(targets);
    const ms = performance.now() - begun;
    checkerTimes.push(ms);
    const outcomes = [...results.values()];
    const healthy = outcomes.filter((o) => o.ok).length;
    const timedOut = outcomes.filter((o) => !o.ok && o.error?.startsWith('timed out')).length;
    out(
      `  round ${round}: ${ms.toFixed(0)} ms — ${healthy} healthy, ${timedOut} timed out, ${outcomes.length - healthy - timedOut} other`,
    );
  }

  // --- 2. GET /exposures/{id} -------------------------------------------------------------------
  for (const n of nodes) {
    cluster.setNode({
      name: `gke-probe-bench-pool-${String(n).padStart(4, '0')}`,
      ready: true,
      addresses: [
        { type: 'InternalIP', address: nodeAddress(n) },
        { type: 'Hostname', address: `gke-probe-bench-pool-${String(n).padStart(4, '0')}` },
      ],
    });
  }
  await runtime.start();
  const api = await runtime.app.listen({ host: '127.0.0.1', port: 0 });
  const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
  const created = await fetch(`${api}/exposures`, {
    method: 'POST',
    headers: { ...headers, prefer: 'wait=10' },
    body: JSON.stringify({
      namespace: 'default',
      name: 'probe-bench',
      selector: { app: 'probe-bench' },
      ports: [{ name: 'http', port: 8080, nodePort: NODE_PORT }],
      sourceRanges: ['203.0.113.0/24'],
    }),
  });
  if (created.status !== 201)
    throw new Error(`POST /exposures answered ${created.status}: ${await created.text()}`);
  const { id } = (await created.json()) as { id: string };
  // One ready pod: with externalTrafficPolicy Cluster every Ready node serves, so all are probed.
  cluster.setServiceEndpoints({ namespace: 'default', name: 'probe-bench' }, [
    { nodeName: 'gke-probe-bench-pool-0000', ready: true, addresses: ['10.244.0.10'] },
  ]);
  await sleep(50);

  const read = async () => {
    const begun = performance.now();
    const response = await fetch(`${api}/exposures/${id}`, { headers });
    const body = (await response.json()) as {
      endpoints: { health: { state: string; error?: string } }[];
      status: { phase: string };
    };
    const ms = performance.now() - begun;
    if (response.status !== 200) throw new Error(`GET answered ${response.status}`);
    const healthy = body.endpoints.filter((e) => e.health.state === 'Healthy').length;
    const timedOut = body.endpoints.filter((e) => e.health.error?.startsWith('timed out')).length;
    return { ms, endpoints: body.endpoints.length, healthy, timedOut, phase: body.status.phase };
  };

  out(
    `\n2. GET /exposures/{id} over HTTP, ${NODES.toLocaleString('en')} nodes, ${deadAddresses.length} dead:`,
  );
  const cold: number[] = [];
  const warm: number[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    // Past the cache TTL since the last probes: the next read probes every endpoint again.
    await sleep(settings.cacheTtlMs + 200);
    const first = await read();
    cold.push(first.ms);
    const warmRound: number[] = [];
    let last = first;
    for (let i = 0; i < WARM; i++) {
      last = await read();
      warmRound.push(last.ms);
    }
    warm.push(...warmRound);
    const w = stats(warmRound);
    out(
      `  round ${round}: cold ${first.ms.toFixed(0)} ms (${first.endpoints} endpoints: ${first.healthy} healthy, ${first.timedOut} timed out; phase ${first.phase}); ` +
        `warm median ${w.median.toFixed(1)} ms (max ${w.max.toFixed(1)}) over ${WARM} reads${last.healthy === first.healthy ? '' : ' — health changed between reads'}`,
    );
  }
  const overflows = listenOverflows() - overflowsBefore;

  const checker = stats(checkerTimes);
  const c = stats(cold);
  const wm = stats(warm);
  out(
    `\nhealth of ${NODES.toLocaleString('en')} endpoints, ${deadAddresses.length} dead, 1 s timeout (target ≤ ${TARGET_MS} ms):`,
  );
  out(
    `  HealthChecker.check:          median ${checker.median.toFixed(0)} ms, max ${checker.max.toFixed(0)} ms  ${verdict(checker.max <= TARGET_MS)}`,
  );
  out(
    `  GET /exposures/{id}, cold:    median ${c.median.toFixed(0)} ms, max ${c.max.toFixed(0)} ms  ${verdict(c.max <= TARGET_MS)}`,
  );
  out(
    `  GET /exposures/{id}, warm:    median ${wm.median.toFixed(1)} ms, max ${wm.max.toFixed(1)} ms (probe cache, no probe)`,
  );
  out(
    `  SYNs the kernel dropped at full accept queues during the run (TcpExt ListenOverflows): ${overflows}`,
  );
} finally {
  await runtime.stop().catch(() => {});
  await firewalls.close();
  await emulator.close();
  // The dead helper blocks its own thread: only a signal with a default action ends it.
  await stopHelper(dead, 'SIGKILL');
  await stopHelper(live, 'SIGTERM');
}
