// Runs the whole test suite with node:test. Extra arguments are passed to `node --test`
// (for instance a subset of files: `npm test -- test/domain/*.test.ts`).
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const files = args.some((arg) => !arg.startsWith('-')) ? [] : ['test/**/*.test.ts'];

const result = spawnSync(
  process.execPath,
  ['--test', '--test-concurrency=2', '--test-timeout=300000', ...args, ...files],
  { stdio: 'inherit', env: { ...process.env, METADATA_SERVER_DETECTION: 'none' } },
);
process.exit(result.status ?? 1);
