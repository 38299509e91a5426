import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ExposureSpec } from '../../src/domain/exposure-spec.ts';
import { canonicalJson, etagOf, specHash } from '../../src/domain/spec-hash.ts';
import { exposureSpec } from '../builders/exposure-spec.ts';

function spec(overrides: Partial<ExposureSpec> = {}): ExposureSpec {
  return exposureSpec({
    selector: { app: 'elasticsearch', tier: 'data' },
    ports: [{ name: 'http', port: 9200, targetPort: 9200, nodePort: 30920, protocol: 'TCP' }],
    labels: { team: 'search' },
    ...overrides,
  });
}

describe('canonicalJson', () => {
  const cases: { name: string; value: unknown; json: string }[] = [
    { name: 'a string', value: 'a"b', json: '"a\\"b"' },
    { name: 'a number', value: 42, json: '42' },
    { name: 'null', value: null, json: 'null' },
    { name: 'a boolean', value: false, json: 'false' },
    { name: 'an empty object', value: {}, json: '{}' },
    { name: 'an empty array', value: [], json: '[]' },
    { name: 'keys sorted', value: { b: 1, a: 2, c: 3 }, json: '{"a":2,"b":1,"c":3}' },
    {
      name: 'nested keys sorted',
      value: { z: { y: 1, x: [{ b: 1, a: 2 }] } },
      json: '{"z":{"x":[{"a":2,"b":1}],"y":1}}',
    },
    { name: 'array order kept', value: [3, 1, 2], json: '[3,1,2]' },
    { name: 'undefined members left out', value: { a: undefined, b: 1 }, json: '{"b":1}' },
    {
      name: 'keys sorted by code unit, upper case first',
      value: { b: 1, B: 2, a: 3 },
      json: '{"B":2,"a":3,"b":1}',
    },
    { name: 'keys that need escaping', value: { 'a"b': 1 }, json: '{"a\\"b":1}' },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.equal(canonicalJson(c.value), c.json);
    });
  }

  test('is valid JSON that means the same value', () => {
    const value = spec();
    assert.deepEqual(JSON.parse(canonicalJson(value)), value);
  });

  test('does not depend on key order', () => {
    const a = { namespace: 'n', selector: { a: '1', b: '2' }, ports: [{ port: 1, protocol: 'TCP' }] };
    const b = { ports: [{ protocol: 'TCP', port: 1 }], selector: { b: '2', a: '1' }, namespace: 'n' };
    assert.equal(canonicalJson(a), canonicalJson(b));
  });
});

describe('specHash', () => {
  const base = specHash(spec());

  test('is a short base64url string', () => {
    assert.match(base, /^[A-Za-z0-9_-]{22}$/);
  });

  test('is stable for equal specs, whatever the key order', () => {
    const reordered: ExposureSpec = {
      labels: { team: 'search' },
      sourceRanges: ['203.0.113.0/24'],
      externalTrafficPolicy: 'Cluster',
      ports: [{ protocol: 'TCP', nodePort: 30920, targetPort: 9200, port: 9200, name: 'http' }],
      selector: { tier: 'data', app: 'elasticsearch' },
      name: 'elasticsearch',
      namespace: 'search',
    };
    assert.equal(specHash(reordered), base);
    assert.equal(specHash(JSON.parse(JSON.stringify(spec())) as ExposureSpec), base);
  });

  test('ignores an absent optional field written as undefined', () => {
    assert.equal(specHash(spec({ healthCheck: undefined })), base);
  });

  const changes: { name: string; overrides: Partial<ExposureSpec> }[] = [
    { name: 'the namespace', overrides: { namespace: 'other' } },
    { name: 'the name', overrides: { name: 'other' } },
    { name: 'a selector value', overrides: { selector: { app: 'elasticsearch', tier: 'master' } } },
    {
      name: 'the node port',
      overrides: {
        ports: [{ name: 'http', port: 9200, targetPort: 9200, nodePort: 30921, protocol: 'TCP' }],
      },
    },
    {
      name: 'the protocol',
      overrides: {
        ports: [{ name: 'http', port: 9200, targetPort: 9200, nodePort: 30920, protocol: 'UDP' }],
      },
    },
    {
      name: 'a target port number to a name',
      overrides: {
        ports: [{ name: 'http', port: 9200, targetPort: '9200', nodePort: 30920, protocol: 'TCP' }],
      },
    },
    { name: 'the traffic policy', overrides: { externalTrafficPolicy: 'Local' } },
    { name: 'a source range', overrides: { sourceRanges: ['203.0.113.0/25'] } },
    { name: 'an added source range', overrides: { sourceRanges: ['203.0.113.0/24', '10.0.0.0/8'] } },
    { name: 'a label', overrides: { labels: { team: 'other' } } },
    { name: 'a health check', overrides: { healthCheck: { type: 'tcp' } } },
  ];
  for (const c of changes) {
    test(`changes when ${c.name} changes`, () => {
      assert.notEqual(specHash(spec(c.overrides)), base);
    });
  }

  test('changes when the order of source ranges changes (it is part of the spec)', () => {
    const two = specHash(spec({ sourceRanges: ['10.0.0.0/8', '203.0.113.0/24'] }));
    const swapped = specHash(spec({ sourceRanges: ['203.0.113.0/24', '10.0.0.0/8'] }));
    assert.notEqual(two, swapped);
  });
});

describe('etagOf', () => {
  test('is a strong ETag of the hash', () => {
    assert.equal(etagOf('abc'), '"abc"');
  });
});
