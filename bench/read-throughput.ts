// Read benchmark: cached `GET /exposures/{id}` of the service as it is deployed (production
// defaults, its own process) against a bare Fastify app serving the same JSON from its own process.
// The load generator (autocannon) runs here, in a third process. Rounds alternate the two servers so
// that both see the same machine; each round is printed, and the median ratio of the rounds last.
// Target: the service at ≥ 0.7× the bare app (0.8 stretch). Each server's CPU time per request
// (from /proc, Linux) is printed too, and its ratio: throughput on a shared 2-core machine swings
// with the neighbours' load, CPU per request much less.
// A third process runs the service with the chart's memory saver mode off (memorySaverMode: false):
// its figures are printed beside the others, for what that default costs on this path; the ratio
// is the service's as deployed by default. The floor is printed too: a plain listener in the
// service's process writing the same answer and doing nothing else (floor-listener.ts), the least a
// read can cost there. The service's page faults per request are printed as well: about one per
// request marks a process in the GC state that minorFaultsOf (process-cpu.ts) describes.
// --baseline=DIR: also runs DIR's bench/read-service.ts (another checkout of this project, e.g. an
// older commit, with its node_modules) with DIR's chart flags in the same rounds, and prints its
// ratio against the same bare app: a comparison of two versions on the same machine at the same time.
// Run: npm run bench:read   (options: --rounds=5 --seconds=5 --connections=10,50 --baseline=DIR)
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { chartHeapSizeFlags, chartNodeFlags, chartProcessEnvironment } from './chart-heap.ts';
import { spawnWithLogCollector } from './log-collector.ts';
import { cpuSecondsOf, minorFaultsOf } from './process-cpu.ts';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '5' },
    connections: { type: 'string', default: '10,50' },
    baseline: { type: 'string' },
  },
});
const rounds = Number(values.rounds);
const seconds = Number(values.seconds);
const connectionCounts = values.connections.split(',').map(Number);

async function firstLine(stream: Readable): Promise<string> {
  const [line] = (await once(createInterface({ input: stream }), 'line')) as [string];
  return line;
}

// The service writes its request logs to stdout as in production, into a pipe read by a collector
// process of its own (log-collector.ts), so logging costs what it costs in a deployment. The service
// runs with the Node flags a pod of the Helm chart gets (heap sizes and memory saver mode): the young
// generation's size and the collector's mode change what its allocations cost. The bare app gets the
// heap sizes only (it allocates little); the memory saver is exposure-api's own trade of CPU for
// memory, and would slow the system it is compared with as well.
const nodeFlags = chartNodeFlags();
// Node addresses of its own (127.77.9.x), away from a baseline's, which may have no such option.
const service = spawnWithLogCollector(
  [...nodeFlags, 'bench/read-service.ts', '--nodes-at=127.77.9', '--floor'],
  {
    env: chartProcessEnvironment(),
  },
);
const announced = JSON.parse(await firstLine(service.child.stdio[3] as Readable)) as {
  url: string;
  authorization: string;
  body: string;
  floorUrl: string;
};
const baseline = values.baseline ? await startBaseline(resolve(values.baseline)) : undefined;

/** Another checkout's read service, with the Node flags and environment of its own chart. */
async function startBaseline(directory: string) {
  const chart = (await import(pathToFileURL(join(directory, 'bench/chart-heap.ts')).href)) as {
    chartNodeFlags?: () => string[];
    chartHeapFlag?: () => string;
    chartProcessEnvironment?: () => NodeJS.ProcessEnv;
  };
  const flags = chart.chartNodeFlags?.() ?? (chart.chartHeapFlag?.() ?? '').split(' ').filter(Boolean);
  const started = spawnWithLogCollector([...flags, 'bench/read-service.ts'], {
    env: chart.chartProcessEnvironment?.() ?? process.env,
    cwd: directory,
  });
  const said = JSON.parse(await firstLine(started.child.stdio[3] as Readable)) as {
    url: string;
    authorization: string;
  };
  return { ...said, ...started, directory, flags };
}
const bareFlags = chartHeapSizeFlags();
const withoutSaver = spawnWithLogCollector([...bareFlags, 'bench/read-service.ts', '--nodes-at=127.77.5'], {
  env: chartProcessEnvironment(),
});
const withoutSaverAnnounced = JSON.parse(await firstLine(withoutSaver.child.stdio[3] as Readable)) as {
  url: string;
  authorization: string;
};
const bare = spawn(process.execPath, [...bareFlags, 'bench/read-bare.ts'], {
  env: chartProcessEnvironment(),
  stdio: ['pipe', 'pipe', 'inherit'],
});
bare.stdin?.end(announced.body);
const bareUrl = await firstLine(bare.stdout as Readable);

interface Measured {
  rps: number;
  p99: number;
  errors: number;
  /** CPU time of the server process per request, in µs. */
  cpuMicros: number;
  /** Minor page faults of the server process per request (see minorFaultsOf). */
  faults: number;
}

async function measure(
  url: string,
  pid: number | undefined,
  connections: number,
  headers: Record<string, string> = {},
): Promise<Measured> {
  const cpuBefore = cpuSecondsOf(pid);
  const faultsBefore = minorFaultsOf(pid);
  const result = await autocannon({ url, connections, duration: seconds, headers });
  return {
    rps: result.requests.average,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx,
    cpuMicros: ((cpuSecondsOf(pid) - cpuBefore) * 1e6) / result.requests.total,
    faults: (minorFaultsOf(pid) - faultsBefore) / result.requests.total,
  };
}
const measureService = (connections: number) =>
  measure(announced.url, service.child.pid, connections, { authorization: announced.authorization });
const measureBare = (connections: number) => measure(bareUrl, bare.pid, connections);
const measureFloor = (connections: number) => measure(announced.floorUrl, service.child.pid, connections);
const measureBaseline = (connections: number) =>
  baseline
    ? measure(baseline.url, baseline.child.pid, connections, { authorization: baseline.authorization })
    : undefined;
const measureWithoutSaver = (connections: number) =>
  measure(withoutSaverAnnounced.url, withoutSaver.child.pid, connections, {
    authorization: withoutSaverAnnounced.authorization,
  });

process.stdout.write(
  `read throughput on ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, ${rounds} alternated rounds × ${seconds} s\n` +
    '  service: the sandbox with production defaults, its own process; bare: Fastify serving the same JSON, its own process\n' +
    `  service with the Helm chart's Node flags: ${nodeFlags.join(' ') || '(none)'}; bare with its heap sizes only: ${bareFlags.join(' ') || '(none)'}\n` +
    '  beside them, not part of the ratio: the service with memorySaverMode false (the heap sizes only), and the floor:\n' +
    "  a plain listener in the service's process writing the same answer and nothing else\n" +
    (baseline
      ? `  baseline: ${baseline.directory} with its chart's flags ${baseline.flags.join(' ') || '(none)'}, measured after the pair in each round\n`
      : ''),
);
// Warm them all (JIT, connection pools) before measuring.
await measureBare(10);
await measureService(10);
await measureWithoutSaver(10);
await measureFloor(10);
await measureBaseline(10);

const median = (list: number[]) => {
  const sorted = [...list].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};

const summary: string[] = [];
const allRatios: number[] = [];
const allCpuRatios: number[] = [];
const saverCpu: number[] = [];
const noSaverCpu: number[] = [];
const floorCpu: number[] = [];
const floorCpuRatios: number[] = [];
const baselineRatios: number[] = [];
const baselineCpu: number[] = [];
for (const connections of connectionCounts) {
  const ratios: number[] = [];
  process.stdout.write(`\n${connections} connections\n`);
  for (let round = 1; round <= rounds; round++) {
    // Alternate which goes first, so neither always meets the machine's state after the other.
    const serviceFirst = round % 2 === 0;
    const first = serviceFirst ? await measureService(connections) : await measureBare(connections);
    const second = serviceFirst ? await measureBare(connections) : await measureService(connections);
    const [api, plain] = serviceFirst ? [first, second] : [second, first];
    const older = await measureBaseline(connections);
    // Measured last in every round: not part of the ratio.
    const noSaver = await measureWithoutSaver(connections);
    const floor = await measureFloor(connections);
    const runs = { service: api, bare: plain, baseline: older, 'without memory saver': noSaver, floor };
    const failed = Object.entries(runs).filter(([, run]) => (run?.errors ?? 0) > 0);
    if (failed.length > 0)
      throw new Error(`failed requests: ${failed.map(([name, run]) => `${name} ${run?.errors}`).join(', ')}`);
    saverCpu.push(api.cpuMicros);
    noSaverCpu.push(noSaver.cpuMicros);
    floorCpu.push(floor.cpuMicros);
    floorCpuRatios.push(plain.cpuMicros / floor.cpuMicros);
    const ratio = api.rps / plain.rps;
    const cpuRatio = plain.cpuMicros / api.cpuMicros;
    ratios.push(ratio);
    allCpuRatios.push(cpuRatio);
    if (older) {
      baselineRatios.push(older.rps / plain.rps);
      baselineCpu.push(older.cpuMicros);
    }
    process.stdout.write(
      `  round ${round}: service ${api.rps.toFixed(0)} req/s (p99 ${api.p99} ms, ${api.cpuMicros.toFixed(0)} µs CPU/req, ${api.faults.toFixed(2)} page faults/req) | bare ${plain.rps.toFixed(0)} req/s (p99 ${plain.p99} ms, ${plain.cpuMicros.toFixed(0)} µs CPU/req) | ratio ${ratio.toFixed(2)} (CPU ${cpuRatio.toFixed(2)})` +
        (older
          ? ` | baseline ${older.rps.toFixed(0)} req/s (${older.cpuMicros.toFixed(0)} µs CPU/req, ${older.faults.toFixed(2)} page faults/req), ratio ${(older.rps / plain.rps).toFixed(2)}`
          : '') +
        ` | without memory saver ${noSaver.rps.toFixed(0)} req/s (${noSaver.cpuMicros.toFixed(0)} µs CPU/req) | floor ${floor.rps.toFixed(0)} req/s (${floor.cpuMicros.toFixed(0)} µs CPU/req)\n`,
    );
  }
  allRatios.push(...ratios);
  summary.push(`  ${connections} connections: median ratio ${median(ratios).toFixed(2)}`);
}
const overall = median(allRatios);
process.stdout.write(
  `\n${summary.join('\n')}\nmedian CPU-per-request ratio (bare ÷ service), all rounds: ${median(allCpuRatios).toFixed(2)}\n` +
    `the service's median CPU per request: ${median(saverCpu).toFixed(0)} µs with the memory saver mode (the chart's default), ${median(noSaverCpu).toFixed(0)} µs without\n` +
    `the floor (a plain listener in the service's process, no work): ${median(floorCpu).toFixed(0)} µs CPU per request; bare ÷ floor ${median(floorCpuRatios).toFixed(2)}, the CPU ratio no answer from this process can pass\n` +
    (baseline
      ? `baseline ${baseline.directory}: median ratio ${median(baselineRatios).toFixed(2)}, ${median(baselineCpu).toFixed(0)} µs CPU per request\n`
      : '') +
    `median ratio, all rounds: ${overall.toFixed(2)} (target ≥ 0.70, stretch 0.80) ${overall >= 0.7 ? 'MET' : 'NOT MET'}\n`,
);

bare.kill('SIGTERM');
await Promise.all([
  service.stop(),
  withoutSaver.stop(),
  baseline?.stop(),
  bare.exitCode === null ? once(bare, 'exit') : undefined,
]);
