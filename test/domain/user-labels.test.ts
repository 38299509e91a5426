import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  labelsFromSelector,
  MAX_USER_LABEL_BYTES,
  MAX_USER_LABELS,
  reservedDomainOf,
  userLabelViolations,
} from '../../src/domain/user-labels.ts';

describe('label keys a caller may not set', () => {
  const cases: { key: string; refused: boolean; because?: RegExp }[] = [
    { key: 'team', refused: false },
    { key: 'example.com/team', refused: false },
    { key: 'kubernetes.io.example.com/team', refused: false },
    { key: 'notkubernetes.io/team', refused: false },
    { key: 'app.kubernetes.io/name', refused: false },
    { key: 'app.kubernetes.io/instance', refused: false },
    { key: 'app.kubernetes.io/part-of', refused: false },
    { key: 'app.kubernetes.io/managed-by', refused: true, because: /managed by exposure-api/ },
    { key: 'kubernetes.io/foo', refused: true, because: /reserved for Kubernetes/ },
    { key: 'service.kubernetes.io/service-proxy-name', refused: true, because: /reserved for Kubernetes/ },
    { key: 'service.kubernetes.io/headless', refused: true, because: /reserved for Kubernetes/ },
    { key: 'node-role.kubernetes.io/control-plane', refused: true, because: /reserved/ },
    { key: 'k8s.io/foo', refused: true, because: /reserved for Kubernetes/ },
    { key: 'node.k8s.io/foo', refused: true, because: /reserved for Kubernetes/ },
    { key: 'sub.app.kubernetes.io/name', refused: true, because: /reserved for Kubernetes/ },
    { key: 'exposure-api.io/id', refused: true, because: /managed by exposure-api/ },
    { key: 'exposure-api.io/anything', refused: true, because: /managed by exposure-api/ },
    { key: 'team.exposure-api.io/x', refused: true, because: /reserved for exposure-api/ },
  ];
  for (const c of cases) {
    test(`${c.key} is ${c.refused ? 'refused' : 'accepted'}`, () => {
      const violations = userLabelViolations({ [c.key]: 'v' });
      assert.equal(violations.length, c.refused ? 1 : 0, JSON.stringify(violations));
      if (c.refused) {
        assert.equal(violations[0]?.kind, 'invalid');
        assert.equal(violations[0]?.pointer, `/labels/${c.key.replaceAll('/', '~1')}`);
        assert.match(violations[0]?.detail ?? '', c.because as RegExp);
      }
    });
  }

  test('reservedDomainOf names the reserved domain, for keys without a prefix nothing', () => {
    assert.equal(reservedDomainOf('service.kubernetes.io/headless'), 'kubernetes.io');
    assert.equal(reservedDomainOf('node.k8s.io/x'), 'k8s.io');
    assert.equal(reservedDomainOf('a.exposure-api.io/x'), 'exposure-api.io');
    assert.equal(reservedDomainOf('kubernetes.io'), undefined);
    assert.equal(reservedDomainOf('app.kubernetes.io/name'), undefined);
  });
});

describe('how many labels, and how large', () => {
  const many = (count: number, valueLength = 1) =>
    Object.fromEntries(Array.from({ length: count }, (_, i) => [`label-${i}`, 'v'.repeat(valueLength)]));
  const cases: { name: string; labels: Record<string, string>; detail?: RegExp }[] = [
    { name: 'none', labels: {} },
    { name: `${MAX_USER_LABELS} labels`, labels: many(MAX_USER_LABELS) },
    {
      name: `${MAX_USER_LABELS + 1} labels`,
      labels: many(MAX_USER_LABELS + 1),
      detail: /at most 32 labels.*33/,
    },
    // 30 labels: keys 'label-0'..'label-29' (7-8 bytes) and 63-byte values come to about 2,100 bytes.
    { name: 'long values within the byte budget', labels: many(30, 63) },
    {
      name: `more than ${MAX_USER_LABEL_BYTES} bytes`,
      labels: Object.fromEntries(
        Array.from({ length: 30 }, (_, i) => [
          `example.com/${'k'.repeat(60)}${String(i).padStart(3, '0')}`,
          'v'.repeat(63),
        ]),
      ),
      detail: /at most 4096 bytes/,
    },
  ];
  for (const c of cases) {
    test(`${c.name}: ${c.detail ? 'refused' : 'accepted'}`, () => {
      const violations = userLabelViolations(c.labels);
      if (!c.detail) {
        assert.deepEqual(violations, []);
        return;
      }
      assert.equal(violations.length, 1, JSON.stringify(violations));
      assert.equal(violations[0]?.pointer, '/labels');
      assert.match(violations[0]?.detail ?? '', c.detail);
    });
  }
});

describe("an exposure without labels gets its selector's, as kubectl expose does", () => {
  test('keys a caller may set are copied with their values', () => {
    assert.deepEqual(
      labelsFromSelector({ app: 'elasticsearch', 'app.kubernetes.io/name': 'es', 'example.com/tier': 'db' }),
      { app: 'elasticsearch', 'app.kubernetes.io/name': 'es', 'example.com/tier': 'db' },
    );
  });

  test('managed and reserved keys are left out', () => {
    assert.deepEqual(
      labelsFromSelector({
        app: 'web',
        'app.kubernetes.io/managed-by': 'helm',
        'exposure-api.io/id': 'x',
        'kubernetes.io/os': 'linux',
        'service.kubernetes.io/headless': '',
        'node.k8s.io/pool': 'a',
      }),
      { app: 'web' },
    );
  });
});
