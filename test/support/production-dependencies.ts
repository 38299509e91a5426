// The names of every package in the service's production install, as npm lists it for the image's
// `npm ci --omit=dev --workspaces=false`.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

export function productionDependencyNames(): Set<string> {
  const listing = spawnSync('npm', ['ls', '--omit=dev', '--workspaces=false', '--all', '--json'], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  assert.equal(listing.status, 0, listing.stderr);
  type Tree = { dependencies?: Record<string, Tree> };
  const names = new Set<string>();
  const walk = (tree: Tree): void => {
    for (const [name, child] of Object.entries(tree.dependencies ?? {})) {
      names.add(name);
      walk(child);
    }
  };
  walk(JSON.parse(listing.stdout) as Tree);
  assert.ok(names.has('fastify'), 'the listing holds the production dependencies');
  return names;
}
