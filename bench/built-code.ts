// The service process of a memory benchmark runs compiled JavaScript, as the image does (`node
// dist/server.js`), not the TypeScript sources: Node strips types at load time with a WebAssembly
// compiler that stays in the process, ≈ 20 MB of RSS the image never has. The benchmark's service
// modules (bench/memory-service.ts, bench/memory-baseline.ts and what they import) are compiled with
// tsc into a cache folder (tsconfig.bench.json) before they are started.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = new URL('../', import.meta.url);
const OUT = new URL('node_modules/.cache/exposure-api-bench/', ROOT);

/** Compiles the benchmark's service modules; returns where `bench/<name>.ts` was compiled to. */
export function compiledBenchModules(): (name: string) => URL {
  execFileSync(
    process.execPath,
    [
      fileURLToPath(new URL('node_modules/typescript/bin/tsc', ROOT)),
      '-p',
      fileURLToPath(new URL('tsconfig.bench.json', ROOT)),
    ],
    {
      stdio: 'inherit',
    },
  );
  return (name) => new URL(`bench/${name}.js`, OUT);
}
