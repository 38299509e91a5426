import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { expiryTime, hasExpired, MAX_EXPIRY_WAIT_MS, nextExpiryCheckMs } from '../../src/domain/expiry.ts';

const EXPIRES_AT = '2026-11-27T10:00:00.000Z';
const EXPIRY_MS = Date.parse(EXPIRES_AT);

describe('expiry', () => {
  const cases: {
    name: string;
    expiresAt: string | undefined;
    nowMs: number;
    expired: boolean;
    nextCheckMs: number | undefined;
  }[] = [
    { name: 'never expires', expiresAt: undefined, nowMs: EXPIRY_MS, expired: false, nextCheckMs: undefined },
    {
      name: 'a minute ahead: looked at again just after the expiry',
      expiresAt: EXPIRES_AT,
      nowMs: EXPIRY_MS - 60_000,
      expired: false,
      nextCheckMs: 60_010,
    },
    {
      name: 'a millisecond ahead',
      expiresAt: EXPIRES_AT,
      nowMs: EXPIRY_MS - 1,
      expired: false,
      nextCheckMs: 11,
    },
    {
      name: 'at the expiry exactly',
      expiresAt: EXPIRES_AT,
      nowMs: EXPIRY_MS,
      expired: true,
      nextCheckMs: 10,
    },
    {
      name: 'past the expiry',
      expiresAt: EXPIRES_AT,
      nowMs: EXPIRY_MS + 5_000,
      expired: true,
      nextCheckMs: -4_990,
    },
    {
      name: 'a day ahead: looked at again within the hour (timers cannot wait for ever)',
      expiresAt: EXPIRES_AT,
      nowMs: EXPIRY_MS - 86_400_000,
      expired: false,
      nextCheckMs: MAX_EXPIRY_WAIT_MS,
    },
    {
      name: 'a year ahead',
      expiresAt: '2027-11-27T10:00:00Z',
      nowMs: EXPIRY_MS,
      expired: false,
      nextCheckMs: MAX_EXPIRY_WAIT_MS,
    },
    {
      name: 'with an offset instead of Z',
      expiresAt: '2026-11-27T11:00:00+01:00',
      nowMs: EXPIRY_MS,
      expired: true,
      nextCheckMs: 10,
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const spec = c.expiresAt === undefined ? {} : { expiresAt: c.expiresAt };
      assert.equal(hasExpired(spec, c.nowMs), c.expired);
      assert.equal(nextExpiryCheckMs(spec, c.nowMs), c.nextCheckMs);
    });
  }

  test('the expiry time is the instant the spec names', () => {
    assert.equal(expiryTime({ expiresAt: EXPIRES_AT }), EXPIRY_MS);
    assert.equal(expiryTime({}), undefined);
  });

  test('the longest wait is an hour', () => {
    assert.equal(MAX_EXPIRY_WAIT_MS, 3_600_000);
  });
});
