// The limits of the HTTP edge: their defaults reach the edge as documented, and settings that
// contradict each other are refused at startup.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError, parseConfig } from '../../src/config/load.ts';
import { edgeLimits } from '../../src/config/settings.ts';

const REQUIRED = { cluster: { id: 'test' }, gce: { project: 'p' }, firewall: { targetTags: ['node'] } };

describe('edge limits in the configuration', () => {
  test('the defaults', () => {
    assert.deepEqual(edgeLimits(parseConfig(REQUIRED)), {
      trustProxy: false,
      requestTimeoutMs: 30_000,
      headersTimeoutMs: 10_000,
      connectionsCheckingIntervalMs: 1_000,
      keepAliveTimeoutMs: 72_000,
      connectionTimeoutMs: 120_000,
      maxConnectionsPerAddress: 128,
      rateLimits: {
        reads: { max: 2000, windowMs: 10_000 },
        writes: { max: 120, windowMs: 60_000 },
        failedAuthentication: { max: 20, windowMs: 60_000 },
      },
    });
  });

  test('trustProxy takes a boolean, a hop count or a list of addresses', () => {
    for (const trustProxy of [true, 2, ['10.0.0.0/8', '130.211.0.0/22']]) {
      assert.deepEqual(
        edgeLimits(parseConfig({ ...REQUIRED, server: { trustProxy } })).trustProxy,
        trustProxy,
      );
    }
    assert.throws(() => parseConfig({ ...REQUIRED, server: { trustProxy: 'everyone' } }), ConfigError);
  });

  const refused: { name: string; server: Record<string, number>; message: RegExp }[] = [
    {
      name: 'headers timeout past the request timeout',
      server: { headersTimeoutMs: 40_000 },
      message: /headersTimeoutMs/,
    },
    {
      name: 'keep-alive past the idle timeout',
      server: { keepAliveTimeoutMs: 130_000 },
      message: /keepAliveTimeoutMs/,
    },
    {
      name: 'an idle timeout within the longest Prefer: wait',
      server: { connectionTimeoutMs: 60_000 },
      message: /connectionTimeoutMs/,
    },
    {
      name: 'no connection per address',
      server: { maxConnectionsPerAddress: 0 },
      message: /maxConnectionsPerAddress/,
    },
  ];
  for (const c of refused) {
    test(`refused: ${c.name}`, () => {
      assert.throws(() => parseConfig({ ...REQUIRED, server: c.server }), c.message);
    });
  }

  test('a rate limit needs at least one request per window', () => {
    assert.throws(
      () => parseConfig({ ...REQUIRED, rateLimit: { reads: { max: 0 } } }),
      /rateLimit\/reads\/max/,
    );
  });
});
