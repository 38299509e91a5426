// What OIDC authentication and Kubernetes authorization cost on the read path: cached
// `GET /exposures/{id}` of two service processes — one called with a static token (static
// namespaces), the other with an OIDC ID token and every decision a SubjectAccessReview (cached with
// the default TTLs, so a review is made again every 10 s) — in alternated rounds, from a load
// generator in this third process. Target: OIDC + Kubernetes at ≥ 0.90× the static token.
// Run: npm run bench:identity   (options: --rounds=5 --seconds=5 --connections=10,50)
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { cpus } from 'node:os';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';

const { values: options } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '5' },
    connections: { type: 'string', default: '10,50' },
  },
});

interface Target {
  url: string;
  authorization: string;
  stop(): Promise<void>;
}

async function serve(identity: 'static' | 'oidc-kubernetes'): Promise<Target> {
  const child = spawn(process.execPath, ['bench/read-service.ts', `--identity=${identity}`], {
    stdio: ['ignore', 'pipe', 'inherit', 'pipe'],
  });
  child.stdout?.resume(); // request logs, drained as a log collector would
  const [line] = (await once(createInterface({ input: child.stdio[3] as Readable }), 'line')) as [string];
  const { url, authorization } = JSON.parse(line) as { url: string; authorization: string };
  return {
    url,
    authorization,
    async stop() {
      child.kill('SIGTERM');
      if (child.exitCode === null) await once(child, 'exit');
    },
  };
}

async function requestsPerSecond(target: Target, connections: number): Promise<number> {
  const run = await autocannon({
    url: target.url,
    connections,
    duration: Number(options.seconds),
    headers: { authorization: target.authorization },
  });
  if (run.errors + run.non2xx > 0)
    throw new Error(`${run.errors + run.non2xx} failed requests to ${target.url}`);
  return run.requests.average;
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
for (const connections of options.connections.split(',').map(Number)) {
  process.stdout.write(`\n${connections} connections\n`);
  for (let round = 1; round <= Number(options.rounds); round++) {
    const order = round % 2 ? [staticToken, oidcKubernetes] : [oidcKubernetes, staticToken];
    const measured = new Map<Target, number>();
    for (const target of order) measured.set(target, await requestsPerSecond(target, connections));
    const [plain, checked] = [measured.get(staticToken) ?? 0, measured.get(oidcKubernetes) ?? 0];
    ratios.push(checked / plain);
    process.stdout.write(
      `  round ${round}: static ${plain.toFixed(0)} req/s | oidc+k8s ${checked.toFixed(0)} req/s | ratio ${(checked / plain).toFixed(3)}\n`,
    );
  }
}
const sorted = ratios.toSorted((a, b) => a - b);
const middle = sorted[Math.floor(sorted.length / 2)] ?? 0;
process.stdout.write(
  `\nmedian ratio oidc+k8s / static over ${ratios.length} rounds: ${middle.toFixed(3)} (target ≥ 0.90) ${middle >= 0.9 ? 'MET' : 'NOT MET'}\n`,
);
await Promise.all([staticToken.stop(), oidcKubernetes.stop()]);
