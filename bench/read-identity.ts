// What OIDC authentication and Kubernetes authorization cost on the read path: cached
// `GET /exposures/{id}` of two service processes — one called with a static token (static
// namespaces), the other with an OIDC ID token and every decision a SubjectAccessReview (cached with
// the default TTLs, so a review is made again every 10 s) — in alternated rounds, from a load
// generator in this third process. Target: OIDC + Kubernetes at ≥ 0.90× the static token.
// On a shared machine throughput swings with the neighbours' load, so the CPU time each service
// process spends per request (from /proc, Linux) is printed too: its ratio is the throughput ratio
// the two would reach on an otherwise idle CPU.
// Run: npm run bench:identity   (options: --rounds=5 --seconds=5 --connections=10,50)
import { once } from 'node:events';
import { cpus } from 'node:os';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { chartNodeFlags, chartProcessEnvironment } from './chart-heap.ts';
import { spawnWithLogCollector } from './log-collector.ts';
import { cpuSecondsOf } from './process-cpu.ts';

const text = (fallback: string) => ({ type: 'string', default: fallback }) as const;
const { values: options } = parseArgs({
  options: { connections: text('10,50'), rounds: text('5'), seconds: text('5') },
});

interface Target {
  url: string;
  authorization: string;
  /** CPU seconds the service process has used so far (user + system), or NaN off Linux. */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

async function serve(identity: 'static' | 'oidc-kubernetes'): Promise<Target> {
  // Request logs go to a collector process of its own, as a container's stdout does; Node runs
  // with the Helm chart's heap flags, as a deployed pod does.
  const { child, stop } = spawnWithLogCollector(
    [...chartNodeFlags(), 'bench/read-service.ts', `--identity=${identity}`],
    { env: chartProcessEnvironment() },
  );
  const [line] = (await once(createInterface({ input: child.stdio[3] as Readable }), 'line')) as [string];
  const { url, authorization } = JSON.parse(line) as { url: string; authorization: string };
  return {
    url,
    authorization,
    cpuSeconds: () => cpuSecondsOf(child.pid),
    stop,
  };
}

async function requestsPerSecond(
  target: Target,
  connections: number,
): Promise<{ rps: number; cpuMs: number }> {
  const cpuBefore = target.cpuSeconds();
  const run = await autocannon({
    url: target.url,
    connections,
    duration: Number(options.seconds),
    headers: { authorization: target.authorization },
  });
  if (run.errors + run.non2xx > 0)
    throw new Error(`${run.errors + run.non2xx} failed requests to ${target.url}`);
  return {
    rps: run.requests.average,
    cpuMs: ((target.cpuSeconds() - cpuBefore) * 1000) / run.requests.total,
  };
}

const staticToken = await serve('static');
const oidcKubernetes = await serve('oidc-kubernetes');
process.stdout.write(
  `read cost of identity on ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}\n` +
    '  static: a static token, static namespaces; oidc+k8s: an OIDC ID token, SubjectAccessReview authorization (cached)\n',
);
await requestsPerSecond(staticToken, 10); // warm-up: JIT, caches, connection pools
await requestsPerSecond(oidcKubernetes, 10);

const ratios: number[] = [];
const cpuRatios: number[] = [];
for (const connections of options.connections.split(',').map(Number)) {
  process.stdout.write(`\n${connections} connections\n`);
  for (let round = 1; round <= Number(options.rounds); round++) {
    const order = round % 2 ? [staticToken, oidcKubernetes] : [oidcKubernetes, staticToken];
    const measured = new Map<Target, { rps: number; cpuMs: number }>();
    for (const target of order) measured.set(target, await requestsPerSecond(target, connections));
    const plain = measured.get(staticToken) ?? { rps: 0, cpuMs: 0 };
    const checked = measured.get(oidcKubernetes) ?? { rps: 0, cpuMs: 0 };
    ratios.push(checked.rps / plain.rps);
    cpuRatios.push(plain.cpuMs / checked.cpuMs);
    process.stdout.write(
      `  round ${round}: static ${plain.rps.toFixed(0)} req/s, ${(plain.cpuMs * 1000).toFixed(0)} µs CPU/req | oidc+k8s ${checked.rps.toFixed(0)} req/s, ${(checked.cpuMs * 1000).toFixed(0)} µs CPU/req | ratio ${(checked.rps / plain.rps).toFixed(3)} (CPU ${(plain.cpuMs / checked.cpuMs).toFixed(3)})\n`,
    );
  }
}
const medianOf = (values: number[]) => values.toSorted((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const middle = medianOf(ratios);
const cpuMiddle = medianOf(cpuRatios);
const verdict = (ratio: number) => `${ratio.toFixed(3)} ${ratio >= 0.9 ? 'MET' : 'NOT MET'}`;
process.stdout.write(
  `\nmedian over ${ratios.length} rounds, oidc+k8s relative to static (target ≥ 0.90):\n` +
    `  throughput ratio ${verdict(middle)}\n  CPU-per-request ratio (static ÷ oidc+k8s) ${verdict(cpuMiddle)}\n`,
);
await Promise.all([staticToken.stop(), oidcKubernetes.stop()]);
