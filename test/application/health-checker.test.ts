// The bounds on probing: results are reused for a TTL, a probe in flight is shared, at most
// `concurrency` run at once, and a read probes at most `maxProbesPerRead` endpoints.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { NetworkProber } from '../../src/adapters/prober/network-prober.ts';
import { HealthChecker, healthFromOutcome } from '../../src/application/health-checker.ts';
import type { Clock } from '../../src/application/ports/clock.ts';
import type { Prober } from '../../src/application/ports/prober.ts';
import type { ProbeTarget } from '../../src/domain/endpoints.ts';

/** The real prober, counting what it does (how many probes, how many at once). */
function counted(inner: Prober) {
  const stats = { probes: 0, running: 0, maxRunning: 0 };
  const prober: Prober = {
    async probe(target, timeoutMs) {
      stats.probes++;
      stats.running++;
      stats.maxRunning = Math.max(stats.maxRunning, stats.running);
      try {
        return await inner.probe(target, timeoutMs);
      } finally {
        stats.running--;
      }
    },
  };
  return { prober, stats };
}

describe('HealthChecker', () => {
  let server: http.Server;
  let port: number;
  before(async () => {
    // Answers after 50 ms, so that probes overlap.
    server = http.createServer((_request, response) => {
      setTimeout(() => response.end('ok'), 50);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  const target = (path: string): ProbeTarget => ({ kind: 'http', address: '127.0.0.1', port, path });
  const settings = {
    timeoutMs: 1000,
    cacheTtlMs: 10_000,
    concurrency: 3,
    maxProbesPerRead: 100,
    cacheEntries: 1000,
  };

  /** A checker on the system clock over a real prober whose probes are counted. */
  function countingChecker(overrides: Partial<typeof settings> = {}) {
    const { prober, stats } = counted(new NetworkProber());
    return {
      checker: new HealthChecker(prober, { now: () => Date.now() }, { ...settings, ...overrides }),
      stats,
    };
  }

  test('a fresh result is reused; a refresh probes again; a stale one is probed again', async () => {
    let now = 1_000_000;
    const clock: Clock = { now: () => now };
    const { prober, stats } = counted(new NetworkProber());
    const checker = new HealthChecker(prober, clock, settings);
    const first = await checker.check([target('/a')]);
    assert.equal(stats.probes, 1);
    assert.equal([...first.values()][0]?.ok, true);
    await checker.check([target('/a')]);
    assert.equal(stats.probes, 1, 'fresh: reused');
    await checker.check([target('/a')], { refresh: true });
    assert.equal(stats.probes, 2, 'refresh: probed');
    now += 10_001;
    assert.equal(checker.freshResults([...first.keys()]), undefined, 'stale: no synchronous answer');
    await checker.check([target('/a')]);
    assert.equal(stats.probes, 3, 'stale: probed');
  });

  test('concurrent reads share a probe in flight', async () => {
    const { checker, stats } = countingChecker();
    await Promise.all([
      checker.check([target('/shared')]),
      checker.check([target('/shared')]),
      checker.check([target('/shared')]),
    ]);
    assert.equal(stats.probes, 1);
  });

  test('no more than `concurrency` probes run at once, across reads', async () => {
    const { checker, stats } = countingChecker();
    const targets = Array.from({ length: 12 }, (_, i) => target(`/c${i}`));
    await Promise.all([checker.check(targets.slice(0, 6)), checker.check(targets.slice(6))]);
    assert.equal(stats.probes, 12);
    assert.equal(stats.maxRunning, 3);
  });

  test('one read probes at most `maxProbesPerRead`; the rest keep their last result or none', async () => {
    const { checker, stats } = countingChecker({ maxProbesPerRead: 4 });
    const targets = Array.from({ length: 10 }, (_, i) => target(`/m${i}`));
    const results = await checker.check(targets);
    assert.equal(stats.probes, 4);
    assert.equal(results.size, 4);
    assert.deepEqual(healthFromOutcome(undefined, 'not probed: this read reached its cap on probes'), {
      state: 'Unknown',
      reason: 'not probed: this read reached its cap on probes',
    });
  });

  test('staleTargets picks what check would probe from a stream: stale or missing, once each, up to the cap', async () => {
    let now = 1_000_000;
    const { prober } = counted(new NetworkProber());
    const checker = new HealthChecker(prober, { now: () => now }, { ...settings, maxProbesPerRead: 3 });
    await checker.check([target('/s0'), target('/s1')]);
    now += 1000; // both still fresh
    const stream = function* () {
      for (const path of ['/s0', '/s1', '/s2', '/s2', '/s3', '/s4', '/s5']) yield target(path);
    };
    assert.deepEqual(
      checker.staleTargets(stream()).map((t) => t.path),
      ['/s2', '/s3', '/s4'],
      'fresh ones skipped, a duplicate taken once, no more than the cap',
    );
    assert.deepEqual(
      checker.staleTargets(stream(), { refresh: true }).map((t) => t.path),
      ['/s0', '/s1', '/s2'],
    );
    now += settings.cacheTtlMs;
    assert.deepEqual(
      checker.staleTargets(stream()).map((t) => t.path),
      ['/s0', '/s1', '/s2'],
      'results past their TTL are stale',
    );
  });

  test('a target listed several times takes one place in the per-read cap, even while its probe runs', async () => {
    const { checker, stats } = countingChecker({ maxProbesPerRead: 4 });
    // Three ports of one node checked on the same health-check port: the same target, three times.
    const targets = Array.from({ length: 4 }, (_, i) => target(`/d${i}`)).flatMap((t) => [t, t, t]);
    const results = await checker.check(targets);
    assert.equal(stats.probes, 4);
    assert.equal(results.size, 4, 'all four distinct targets probed, none left out by the repeats');
  });

  test('freshResults answers synchronously only when every result is fresh', async () => {
    const { prober } = counted(new NetworkProber());
    const checker = new HealthChecker(prober, { now: () => Date.now() }, settings);
    const results = await checker.check([target('/f1'), target('/f2')]);
    const keys = [...results.keys()];
    assert.equal(checker.freshResults(keys)?.length, 2);
    assert.equal(checker.freshResults([...keys, 'never-probed']), undefined);
  });
});

test('hasResults follows the cached results of a scope, through evictions and overwrites', async () => {
  const prober: Prober = { probe: async () => ({ ok: true, latencyMs: 1 }) };
  const health = new HealthChecker(
    prober,
    { now: () => 0 },
    { timeoutMs: 100, cacheTtlMs: 0, concurrency: 4, maxProbesPerRead: 10, cacheEntries: 2 },
  );
  const target = (scope: string, port: number): ProbeTarget => ({
    kind: 'tcp',
    address: '127.0.0.1',
    port,
    scope,
  });
  assert.equal(health.hasResults('a'), false);
  await health.check([target('a', 1), target('a', 2)]);
  assert.equal(health.hasResults('a'), true);
  // Probed again (TTL 0): overwritten, still two results of a.
  await health.check([target('a', 1)]);
  assert.equal(health.hasResults('a'), true);
  // Two of b evict both of a.
  await health.check([target('b', 1), target('b', 2)]);
  assert.equal(health.hasResults('a'), false);
  assert.equal(health.hasResults('b'), true);
});
