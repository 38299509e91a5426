// Idle footprint of a leader and a follower, as the image runs them: the built code (dist/, from
// `npm run build`) started as `node dist/server.js` with the Helm chart's heap cap, two replicas
// over one real kube-apiserver (leader election on a Lease) and the Compute emulator, no exposure.
// The RSS of each process is read from /proc several times once both are settled; the medians are
// compared with the targets (follower ≤ 200 MB, leader ≤ 300 MB). Their CPU time over the readings
// is printed as well: what an idle replica takes of the CPU it requests.
//
// Run: npm run bench:idle   (options: --dist=dist to measure another build, --readings=5 --settle=15,
//        --node-flags="--max-old-space-size=384" to try other V8 flags than the chart's)
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { startComputeEmulator } from '@exposure-api/compute-emulator';
import { stringify } from 'yaml';
import { sha256Hex } from '../src/edge/plugins/authentication.ts';
import {
  grantServiceIdentity,
  kubernetesAdmin,
  LEASE_NAMESPACE,
} from '../test/real-cluster/fixture/index.ts';
import { freePort } from '../test/real-cluster/fixture/service-process.ts';
import { startControlPlane } from '../tools/controlplane/index.ts';
import { chartEnvironmentWords, chartHeapFlag, chartProcessEnvironment } from './chart-heap.ts';
import { machineFacts, mb, procMemory, stats, verdict } from './machine.ts';
import { cpuSecondsOf } from './process-cpu.ts';

const { values } = parseArgs({
  allowNegative: true,
  options: {
    dist: { type: 'string', default: 'dist' },
    build: { type: 'boolean', default: true },
    readings: { type: 'string', default: '5' },
    settle: { type: 'string', default: '15' },
    'node-flags': { type: 'string', default: chartHeapFlag() },
  },
});
const DIST = resolve(values.dist ?? 'dist');
/** The Node flags the chart starts the service with (NODE_OPTIONS), or those given to try others. */
const NODE_FLAGS = (values['node-flags'] ?? '').split(' ').filter(Boolean);
const out = (line = '') => process.stdout.write(`${line}\n`);
const load = () =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');

out(machineFacts());
if (values.build && values.dist === 'dist') {
  out('building dist/ (npm run build) …');
  execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
}
const controlPlane = await startControlPlane();
await grantServiceIdentity(controlPlane);
await kubernetesAdmin(controlPlane).createNamespace(LEASE_NAMESPACE);
const emulator = await startComputeEmulator();
const dir = await mkdtemp(join(tmpdir(), 'exposure-api-idle-'));

interface Replica {
  child: ChildProcess;
  logs: string[];
}

async function startReplica(): Promise<Replica> {
  const port = await freePort();
  const configPath = join(dir, `config-${port}.yaml`);
  await writeFile(
    configPath,
    stringify({
      server: { host: '127.0.0.1', port, logLevel: 'info' },
      cluster: { id: 'idle', kubeconfig: controlPlane.kubeconfigPath('service') },
      gce: { project: 'idle-project', endpoint: emulator.url },
      firewall: { targetTags: ['idle-node'] },
      leaderElection: { namespace: LEASE_NAMESPACE },
      auth: { tokens: [{ sha256: sha256Hex('idle-bench'), subject: 'idle', namespaces: ['*'] }] },
    }),
  );
  const child = spawn(process.execPath, [...NODE_FLAGS, join(DIST, 'server.js')], {
    env: {
      ...chartProcessEnvironment(),
      EXPOSURE_API_CONFIG: configPath,
      METADATA_SERVER_DETECTION: 'none',
      NODE_ENV: 'production',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const logs: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => logs.push(...String(chunk).split('\n').filter(Boolean)));
  for (let waited = 0; !logs.some((line) => line.includes('caches synced')); waited += 100) {
    if (child.exitCode !== null || waited > 60_000)
      throw new Error(`the replica did not start: ${logs.join('\n')}`);
    await sleep(100);
  }
  return { child, logs };
}

const leads = (replica: Replica) => replica.logs.some((line) => line.includes('became the leader'));
try {
  const leader = await startReplica();
  while (!leads(leader)) await sleep(100);
  const follower = await startReplica();
  out(
    `two replicas of ${DIST}/server.js (${[...chartEnvironmentWords(), ...NODE_FLAGS].join(' ')}); settling ${values.settle} s; load average ${load()}`,
  );
  await sleep(Number(values.settle) * 1000);
  const readings = { leader: [] as number[], follower: [] as number[] };
  // CPU while idle, over the readings: what an idle replica takes of its CPU request (periodic work
  // such as lease renewals, the drift sweep and the collector's work after it).
  const started = {
    at: performance.now(),
    leader: cpuSecondsOf(leader.child.pid),
    follower: cpuSecondsOf(follower.child.pid),
  };
  for (let i = 0; i < Number(values.readings); i++) {
    readings.leader.push(procMemory(leader.child.pid).rss);
    readings.follower.push(procMemory(follower.child.pid).rss);
    await sleep(2_000);
  }
  const seconds = (performance.now() - started.at) / 1000;
  const idleCpu = {
    leader: (cpuSecondsOf(leader.child.pid) - started.leader) / seconds,
    follower: (cpuSecondsOf(follower.child.pid) - started.follower) / seconds,
  };
  if (leads(follower) || !leads(leader)) throw new Error('the leadership moved while measuring: run again');
  const rows = [
    { figure: 'RSS idle, 0 exposures, follower', values: readings.follower, target: 200e6 },
    { figure: 'RSS idle, 0 exposures, leader', values: readings.leader, target: 300e6 },
  ];
  out();
  out(`| figure (built code, median of ${values.readings} readings) | measured | range | target | |`);
  out('|---|---|---|---|---|');
  for (const row of rows) {
    const { min, median, max } = stats(row.values);
    out(
      `| ${row.figure} | ${mb(median)} | ${mb(min)}–${mb(max)} | ≤ ${mb(row.target)} | ${verdict(median <= row.target)} |`,
    );
  }
  out(
    `CPU while idle, over the ${seconds.toFixed(0)} s of readings: follower ${(idleCpu.follower * 1000).toFixed(1)} ms/s, leader ${(idleCpu.leader * 1000).toFixed(1)} ms/s (millicores; the chart requests 100m)`,
  );
  out(`load average: ${load()}`);
  for (const replica of [follower, leader]) replica.child.kill('SIGTERM');
} finally {
  await emulator.close();
  await controlPlane.stop();
  await rm(dir, { recursive: true, force: true });
}
