// The Backstage packages type-check with their own compiler settings and their own Backstage types
// (the tests run them with Node's type stripping, which checks nothing).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';

test('tsc -p backstage/tsconfig.json finds no error', () => {
  const project = join(import.meta.dirname, '..');
  const tsc = spawnSync(
    process.execPath,
    [join(project, 'node_modules/typescript/bin/tsc'), '-p', join(project, 'tsconfig.json')],
    { encoding: 'utf8' },
  );
  assert.equal(tsc.status, 0, `${tsc.stdout}${tsc.stderr}`);
});
