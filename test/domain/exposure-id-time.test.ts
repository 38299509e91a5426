// Every string the documented id pattern admits decodes to a time: none can make a read throw.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeTime } from 'ulid';
import {
  type ExposureId,
  exposureIdTime,
  isExposureId,
  newExposureId,
} from '../../src/domain/exposure-id.ts';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

describe('exposureIdTime', () => {
  test('is the time the id was made, as the ulid package decodes it', () => {
    for (const ms of [1, Date.UTC(2026, 10, 27, 10), 2 ** 48 - 1]) {
      const id = newExposureId(ms);
      assert.equal(exposureIdTime(id), ms, id);
      assert.equal(exposureIdTime(id), decodeTime(id.slice(4).toUpperCase()));
    }
  });

  const cases: { name: string; id: ExposureId; time: number }[] = [
    { name: 'the smallest id', id: `exp_${'0'.repeat(26)}`, time: 0 },
    { name: 'the largest ULID time', id: `exp_7${'z'.repeat(25)}`, time: 2 ** 48 - 1 },
    {
      name: 'the first time past ULID (the id that once answered 500)',
      id: `exp_8${'0'.repeat(25)}`,
      time: 2 ** 48,
    },
    { name: 'the largest id the pattern admits', id: `exp_${'z'.repeat(26)}`, time: 2 ** 50 - 1 },
  ];
  for (const c of cases) {
    test(`${c.name} decodes to ${c.time}`, () => {
      assert.ok(isExposureId(c.id), 'the pattern admits it');
      assert.equal(exposureIdTime(c.id), c.time);
    });
  }

  test('every first character and every digit position the pattern admits decodes to a finite time', () => {
    for (const first of ALPHABET) {
      for (const digit of ALPHABET) {
        for (let position = 1; position < 26; position += 3) {
          const suffix = `${first}${'0'.repeat(position - 1)}${digit}`.padEnd(26, 'z');
          const id = `exp_${suffix}` as ExposureId;
          assert.ok(isExposureId(id), id);
          const time = exposureIdTime(id);
          assert.ok(Number.isSafeInteger(time) && time >= 0, `${id} → ${time}`);
        }
      }
    }
  });
});
