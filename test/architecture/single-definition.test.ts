// Every name and id pattern, and the TTL limits, are defined once in src/ and imported everywhere
// else: a second copy is a rule that can drift from the first (a schema that accepts what the
// domain refuses, a configuration check that differs from the naming it protects).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { Config } from '../../src/config/schema.ts';
import { MAX_TTL_SECONDS, MIN_TTL_SECONDS } from '../../src/domain/exposure-spec.ts';
import * as patterns from '../../src/domain/patterns.ts';
import { CreateExposureRequest, exposureSchemas, PatchExposureRequest } from '../../src/schemas/exposure.ts';

const PATTERNS_HOME = 'src/domain/patterns.ts';
const TTL_HOME = 'src/domain/exposure-spec.ts';

const sources = readdirSync('src', { recursive: true, encoding: 'utf8' })
  .filter((name) => name.endsWith('.ts'))
  .map((name) => {
    const path = join('src', name).split('\\').join('/');
    return { path, text: readFileSync(path, 'utf8') };
  });

/**
 * How a pattern's body (without its anchors, so that a copy inside a larger expression counts
 * too) reads in source code: inside a string literal backslashes are doubled, inside a regular
 * expression literal slashes are escaped.
 */
function spellings(pattern: string): string[] {
  const body = pattern.replace(/^\^/, '').replace(/\$$/, '');
  return [...new Set([body, body.replaceAll('\\', '\\\\'), body.replaceAll('/', '\\/')])];
}

/** Files other than `home` whose text holds one of the spellings of `pattern`. */
function copiesOf(pattern: string, home: string): string[] {
  const wanted = spellings(pattern);
  return sources
    .filter((source) => source.path !== home && wanted.some((spelling) => source.text.includes(spelling)))
    .map((source) => source.path);
}

describe('name and id patterns', () => {
  const entries = Object.entries(patterns);

  test('the patterns module exports the patterns this test looks for', () => {
    assert.deepEqual(entries.map(([name]) => name).sort(), [
      'CLUSTER_ID',
      'DNS1035_LABEL',
      'DNS1123_LABEL',
      'DNS1123_SUBDOMAIN',
      'EXPOSURE_ID',
      'IANA_SVC_NAME',
      'LABEL_KEY',
      'LABEL_NAME',
      'LABEL_VALUE',
    ]);
    for (const [name, pattern] of entries) {
      assert.equal(typeof pattern, 'string', name);
      assert.doesNotThrow(() => new RegExp(pattern), name);
    }
  });

  test('the scan recognises copies as they were once written in src/', () => {
    const copies: [pattern: string, line: string][] = [
      [
        patterns.LABEL_VALUE,
        String.raw`const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;`,
      ],
      [patterns.CLUSTER_ID, String.raw`pattern: '^[a-z]([-a-z0-9]{0,18}[a-z0-9])?$',`],
      [
        patterns.DNS1123_SUBDOMAIN,
        String.raw`export const DNS1123_SUBDOMAIN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';`,
      ],
      [
        patterns.DNS1123_SUBDOMAIN,
        String.raw`/^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$/;`,
      ],
    ];
    for (const [pattern, line] of copies) {
      assert.ok(
        spellings(pattern).some((spelling) => line.includes(spelling)),
        `${line} not seen as a copy of ${pattern}`,
      );
    }
  });

  for (const [name, pattern] of entries) {
    test(`${name} is written out nowhere but ${PATTERNS_HOME}`, () => {
      assert.deepEqual(
        copiesOf(pattern, PATTERNS_HOME),
        [],
        `${name} (${pattern}) is copied; import it instead`,
      );
    });
  }

  test('every pattern of the API and configuration schemas that names something comes from the patterns module', () => {
    const known = new Set<string>(Object.values(patterns));
    /** Patterns that are not names or ids, each used once. */
    const notNames = new Set([
      '^/[\\x21-\\x7e]*$', // a health check's HTTP path
      '^[0-9a-f]{64}$', // the SHA-256 of a token in the configuration
    ]);
    const found: string[] = [];
    const walk = (node: unknown): void => {
      if (node === null || typeof node !== 'object') return;
      const pattern = (node as { pattern?: unknown }).pattern;
      if (typeof pattern === 'string') found.push(pattern);
      for (const child of Object.values(node)) walk(child);
    };
    for (const schema of [...exposureSchemas, Config]) walk(schema);
    assert.ok(found.length >= 8, `only ${found.length} patterns found: the walk missed the schemas`);
    assert.deepEqual(
      found.filter((pattern) => !known.has(pattern) && !notNames.has(pattern)),
      [],
      'a schema spells out a name pattern of its own',
    );
  });
});

describe('TTL limits', () => {
  for (const name of ['MIN_TTL_SECONDS', 'MAX_TTL_SECONDS']) {
    test(`${name} is declared only in ${TTL_HOME}`, () => {
      const declaration = new RegExp(`\\b(const|let|var)\\s+${name}\\b`);
      assert.deepEqual(
        sources.filter((source) => declaration.test(source.text)).map((source) => source.path),
        [TTL_HOME],
      );
    });
  }

  test('the request schemas bound ttlSeconds by the domain limits', () => {
    const ttlOf = (schema: unknown) =>
      (schema as { properties: { ttlSeconds: { minimum?: number; maximum?: number; anyOf?: unknown[] } } })
        .properties.ttlSeconds;
    const create = ttlOf(CreateExposureRequest);
    assert.equal(create.minimum, MIN_TTL_SECONDS);
    assert.equal(create.maximum, MAX_TTL_SECONDS);
    const patch = ttlOf(PatchExposureRequest).anyOf?.[0] as { minimum?: number; maximum?: number };
    assert.equal(patch.minimum, MIN_TTL_SECONDS);
    assert.equal(patch.maximum, MAX_TTL_SECONDS);
  });
});
