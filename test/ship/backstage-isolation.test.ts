// The Backstage packages (backstage/) are a project of their own: the service's install — the
// production image's above all — never brings Backstage in, and a newcomer's `npm ci` does not
// download it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { productionDependencyNames } from '../support/production-dependencies.ts';

const isBackstage = (name: string) =>
  name.startsWith('@backstage/') || name.startsWith('@exposure-api/backstage');

test("the service's production dependency tree (npm ls --omit=dev --workspaces=false) holds no Backstage package", () => {
  assert.deepEqual([...productionDependencyNames()].filter(isBackstage), []);
});

test("backstage/ is no workspace of the service, and the service's lockfile names no Backstage package", () => {
  const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as { workspaces?: string[] };
  assert.deepEqual(
    (manifest.workspaces ?? []).filter((workspace) => workspace.startsWith('backstage')),
    [],
  );
  const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as { packages: Record<string, unknown> };
  assert.deepEqual(
    Object.keys(lock.packages).filter(
      (path) => path.startsWith('backstage') || isBackstage(path.replace(/^.*node_modules\//, '')),
    ),
    [],
  );
});

test('the Dockerfile installs the service alone: no workspace, no dev dependency, nothing from backstage/', () => {
  const dockerfile = readFileSync('Dockerfile', 'utf8');
  const installs = dockerfile.split('\n').filter((line) => /^RUN npm ci\b/.test(line.trim()));
  const production = installs.filter((line) => line.includes('--omit=dev'));
  assert.equal(production.length, 1, installs.join('\n'));
  assert.match(production[0] ?? '', /--workspaces=false/);
  assert.doesNotMatch(dockerfile, /backstage/i);
  const admitted = readFileSync('.dockerignore', 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('!'));
  assert.deepEqual(
    admitted.filter((line) => line.includes('backstage')),
    [],
  );
});
