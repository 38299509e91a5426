// The README's configuration table is checked against the configuration schema: every setting is
// documented, nothing documented is missing from the schema, and documented defaults are the real ones.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { Config } from '../../src/config/schema.ts';

interface SchemaNode {
  type?: string;
  properties?: Record<string, SchemaNode>;
  default?: unknown;
}

function leaves(schema: SchemaNode, prefix = ''): Map<string, unknown> {
  const result = new Map<string, unknown>();
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (child.type === 'object' && child.properties) {
      for (const [leaf, value] of leaves(child, path)) result.set(leaf, value);
    } else {
      result.set(path, child.default);
    }
  }
  return result;
}

/** Rows of the table under "## Configuration": setting names (with `/ .x` shorthands expanded) and defaults. */
function documented(): Map<string, string> {
  const readme = readFileSync('README.md', 'utf8');
  const section = readme.slice(
    readme.indexOf('## Configuration'),
    readme.indexOf('\n## ', readme.indexOf('## Configuration') + 5),
  );
  const rows = new Map<string, string>();
  for (const line of section.split('\n')) {
    const cells = line.split(/(?<!\\)\|/).map((c) => c.trim());
    const names = [...(cells[1] ?? '').matchAll(/`([^`]+)`/g)].map((m) => m[1] as string);
    if (names.length === 0 || !line.startsWith('| `')) continue;
    const defaults = [...(cells[2] ?? '').matchAll(/`([^`]+)`/g)].map((m) => m[1] as string);
    const first = names[0] as string;
    const base = first.slice(0, first.lastIndexOf('.'));
    names.forEach((name, index) => {
      const full = name.startsWith('.') ? `${base}${name}` : name;
      rows.set(full, defaults[index] ?? cells[2] ?? '');
    });
  }
  return rows;
}

test('every setting of the configuration schema is documented in the README, and only those', () => {
  const schema = leaves(Config as unknown as SchemaNode);
  const readme = documented();
  assert.deepEqual([...readme.keys()].sort(), [...schema.keys()].sort());
});

test('the defaults in the README are the schema defaults', () => {
  const schema = leaves(Config as unknown as SchemaNode);
  for (const [name, shown] of documented()) {
    const actual = schema.get(name);
    if (actual === undefined) continue; // required or without default: described in words
    const expected = Array.isArray(actual) ? `[${actual.join(', ')}]` : String(actual);
    assert.equal(shown, expected, `default of ${name}`);
  }
});
