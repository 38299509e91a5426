// What goes into the image: the compiled service alone. The sandbox (in-memory cluster, simulated
// nodes) and the workspace packages beside the service (the Compute Engine emulator, the typed
// client) are development tools; the production build must neither contain nor import them, and the
// production install must not list them.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, test } from 'node:test';
import { productionDependencyNames } from '../support/production-dependencies.ts';

interface Manifest {
  name: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  workspaces?: string[];
}

async function manifest(folder: string): Promise<Manifest> {
  return JSON.parse(await readFile(join(folder, 'package.json'), 'utf8')) as Manifest;
}

const root = await manifest('.');
const workspacePackages = await Promise.all(
  (root.workspaces ?? []).map(async (dir) => (await manifest(dir)).name),
);

let outDir: string;
let emitted: string[];

before(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'exposure-api-build-'));
  // `npm run build`, into a temporary folder so that the test leaves dist/ alone.
  const build = spawnSync(
    process.execPath,
    ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json', '--outDir', outDir],
    { encoding: 'utf8' },
  );
  assert.equal(build.status, 0, `the build failed:\n${build.stdout}\n${build.stderr}`);
  emitted = (await readdir(outDir, { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile())
    .map((entry) => relative(outDir, join(entry.parentPath, entry.name)));
});
after(async () => {
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

test('the workspace packages are known (the checks below look for them)', () => {
  assert.ok(workspacePackages.includes('@exposure-api/compute-emulator'), workspacePackages.join(', '));
});

test('the production build emits the service and no sandbox or emulator file', () => {
  assert.ok(emitted.includes('server.js'), 'the entry point is built');
  assert.deepEqual(
    emitted.filter((file) => /(^|\/)sandbox(\/|$)|emulator/i.test(file)),
    [],
  );
});

test('no built module imports the sandbox or a workspace package', async () => {
  const offending: string[] = [];
  for (const file of emitted.filter((name) => name.endsWith('.js'))) {
    const source = await readFile(join(outDir, file), 'utf8');
    for (const [, specifier = ''] of source.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)) {
      const intoSandbox = specifier.startsWith('.') && /(^|\/)sandbox\//.test(specifier);
      const workspace = workspacePackages.some(
        (name) => specifier === name || specifier.startsWith(`${name}/`),
      );
      if (intoSandbox || workspace) offending.push(`${file}: ${specifier}`);
    }
  }
  assert.deepEqual(offending, []);
});

test('no workspace package is a production dependency of the service', async () => {
  // npm leaves workspace links out of `--workspaces=false` installs and listings whatever the manifest
  // says, so the manifest and the lockfile are what would show a workspace package made a dependency.
  const lock = JSON.parse(await readFile('package-lock.json', 'utf8')) as {
    packages: Record<string, Omit<Manifest, 'name'>>;
  };
  for (const declared of [root, lock.packages[''] ?? {}]) {
    const production = [
      ...Object.keys(declared.dependencies ?? {}),
      ...Object.keys(declared.optionalDependencies ?? {}),
      ...Object.keys(declared.peerDependencies ?? {}),
    ];
    assert.deepEqual(
      production.filter((name) => workspacePackages.includes(name)),
      [],
    );
  }
});

test('the production install (npm ls --omit=dev --workspaces=false) lists no workspace package', () => {
  assert.deepEqual(
    [...productionDependencyNames()].filter(
      (name) => name.startsWith('@exposure-api/') || workspacePackages.includes(name),
    ),
    [],
  );
});
