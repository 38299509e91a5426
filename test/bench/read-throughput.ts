// Read benchmark: `GET /exposures/{id}` (auth, cache lookup, schema serialization, cached health)
// against a bare Fastify route serving the same JSON, measured alternately in one run with
// autocannon, so both see the same machine load. Target: the API at ≥ 0.7× the bare route.
// Run: npm run bench:read   (options: --rounds=3 --seconds=5 --connections=10)
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { cpus } from 'node:os';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '5' },
    connections: { type: 'string', default: '10' },
  },
});
const rounds = Number(values.rounds);
const seconds = Number(values.seconds);
const connections = Number(values.connections);

const servers = spawn(process.execPath, ['test/bench/read-servers.ts'], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
const [line] = (await once(createInterface({ input: servers.stdout }), 'line')) as [string];
const target = JSON.parse(line) as { api: string; bare: string; authorization: string };

async function measure(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ rps: number; p99: number; errors: number }> {
  const result = await autocannon({ url, connections, duration: seconds, headers });
  return { rps: result.requests.average, p99: result.latency.p99, errors: result.errors + result.non2xx };
}

// Warm both (JIT, connection pools) before measuring.
await measure(target.bare);
await measure(target.api, { authorization: target.authorization });

const api: number[] = [];
const bare: number[] = [];
for (let round = 1; round <= rounds; round++) {
  const b = await measure(target.bare);
  const a = await measure(target.api, { authorization: target.authorization });
  if (a.errors > 0 || b.errors > 0)
    throw new Error(`errors during the run: api ${a.errors}, bare ${b.errors}`);
  bare.push(b.rps);
  api.push(a.rps);
  process.stdout.write(
    `round ${round}: GET /exposures/{id} ${a.rps.toFixed(0)} req/s (p99 ${a.p99} ms) | bare route ${b.rps.toFixed(0)} req/s (p99 ${b.p99} ms) | ratio ${(a.rps / b.rps).toFixed(2)}\n`,
  );
}
const mean = (list: number[]) => list.reduce((sum, v) => sum + v, 0) / list.length;
const ratio = mean(api) / mean(bare);
process.stdout.write(
  `\nread throughput on ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, ${connections} connections, ${rounds} × ${seconds} s each:\n` +
    `  GET /exposures/{id}: ${mean(api).toFixed(0)} req/s\n  bare Fastify route:  ${mean(bare).toFixed(0)} req/s\n` +
    `  ratio: ${ratio.toFixed(2)} (target ≥ 0.70) ${ratio >= 0.7 ? 'MET' : 'NOT MET'}\n`,
);
servers.kill('SIGTERM');
await once(servers, 'exit');
