import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type ExposureId,
  exposureIdSuffix,
  isExposureId,
  newExposureId,
} from '../../src/domain/exposure-id.ts';

describe('isExposureId', () => {
  const cases: { name: string; value: string; valid: boolean }[] = [
    { name: 'a lower-case ULID', value: 'exp_01jd6y8c3k2v7d9q4r5s6t7v8w', valid: true },
    { name: 'all zeros', value: `exp_${'0'.repeat(26)}`, valid: true },
    { name: 'an upper-case ULID', value: 'exp_01JD6Y8C3K2V7D9Q4R5S6T7V8W', valid: false },
    { name: 'a missing prefix', value: '01jd6y8c3k2v7d9q4r5s6t7v8w', valid: false },
    { name: 'another prefix', value: 'svc_01jd6y8c3k2v7d9q4r5s6t7v8w', valid: false },
    { name: 'a dash instead of the underscore', value: 'exp-01jd6y8c3k2v7d9q4r5s6t7v8w', valid: false },
    { name: '25 characters', value: 'exp_01jd6y8c3k2v7d9q4r5s6t7v8', valid: false },
    { name: '27 characters', value: 'exp_01jd6y8c3k2v7d9q4r5s6t7v8ww', valid: false },
    {
      name: "the letter 'i' (not in Crockford base 32)",
      value: 'exp_01jd6y8c3k2v7d9q4r5s6t7v8i',
      valid: false,
    },
    { name: "the letter 'l'", value: 'exp_01jd6y8c3k2v7d9q4r5s6t7v8l', valid: false },
    { name: "the letter 'o'", value: 'exp_01jd6y8c3k2v7d9q4r5s6t7v8o', valid: false },
    { name: "the letter 'u'", value: 'exp_01jd6y8c3k2v7d9q4r5s6t7v8u', valid: false },
    { name: 'a path', value: 'exp_01jd6y8c3k2v7d9q4r5s6t7v8w/x', valid: false },
    { name: 'a trailing newline', value: 'exp_01jd6y8c3k2v7d9q4r5s6t7v8w\n', valid: false },
    { name: 'empty', value: '', valid: false },
  ];
  for (const c of cases) {
    test(`${c.name} ${c.valid ? 'is' : 'is not'} an exposure id`, () => {
      assert.equal(isExposureId(c.value), c.valid);
    });
  }
});

describe('newExposureId', () => {
  test('makes valid ids', () => {
    for (const ms of [1, Date.UTC(2026, 10, 27, 10), 2 ** 48 - 1]) {
      const id = newExposureId(ms);
      assert.ok(isExposureId(id), `${id} from ${ms}`);
      assert.equal(id, id.toLowerCase());
    }
  });
  test('sorts by creation time', () => {
    const times = [
      Date.UTC(2024, 0, 1),
      Date.UTC(2025, 5, 1),
      Date.UTC(2026, 10, 27),
      Date.UTC(2026, 10, 27) + 1,
    ];
    const ids = times.map((ms) => newExposureId(ms));
    assert.deepEqual([...ids].reverse().sort(), ids);
  });
  test('is unique within one millisecond', () => {
    const ms = Date.UTC(2026, 10, 27);
    const ids = new Set(Array.from({ length: 200 }, () => newExposureId(ms)));
    assert.equal(ids.size, 200);
  });
  test('starts with the time in the ULID encoding', () => {
    assert.equal(newExposureId(1).slice(0, 14), 'exp_0000000001');
    assert.equal(newExposureId(2 ** 48 - 1).slice(0, 14), 'exp_7zzzzzzzzz');
  });
});

describe('exposureIdSuffix', () => {
  test('is the ULID without the prefix', () => {
    const id: ExposureId = 'exp_01jd6y8c3k2v7d9q4r5s6t7v8w';
    assert.equal(exposureIdSuffix(id), '01jd6y8c3k2v7d9q4r5s6t7v8w');
    assert.equal(exposureIdSuffix(id).length, 26);
  });
});
