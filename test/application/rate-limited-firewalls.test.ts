// The GCE write rate limit is where writes wait, so fairness must hold there too: writes are
// spaced evenly, and those waiting go by priority, then by flow in turn — not first come, first served.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FirewallRuleSpec, Firewalls } from '../../src/application/ports/firewalls.ts';
import { RateLimitedFirewalls } from '../../src/application/rate-limited-firewalls.ts';
import { inTurn } from '../../src/application/write-turns.ts';

/** Records the names written, in order, with when; reads are not expected. */
function recordingFirewalls(): Firewalls & { written: { name: string; atMs: number }[] } {
  const written: { name: string; atMs: number }[] = [];
  const started = performance.now();
  const write = async (name: string) => {
    written.push({ name, atMs: performance.now() - started });
  };
  return {
    written,
    project: 'p',
    get: async () => undefined,
    listPage: async () => ({ rules: [] }),
    insert: (rule: FirewallRuleSpec) => write(rule.name),
    patch: (name: string) => write(name),
    update: (rule: FirewallRuleSpec) => write(rule.name),
    delete: async (name: string) => {
      await write(name);
      return 'deleted' as const;
    },
  };
}

describe('RateLimitedFirewalls', () => {
  test('writes are spaced by the rate; the waiting ones go by priority, then flows in turn', async () => {
    const inner = recordingFirewalls();
    const limited = new RateLimitedFirewalls(inner, 50); // one write per 20 ms
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < 4; i++) {
      writes.push(inTurn({ flow: 'a', priority: 0 }, () => limited.delete(`a${i}`)));
    }
    writes.push(inTurn({ flow: 'b', priority: 0 }, () => limited.delete('b0')));
    writes.push(inTurn({ flow: 'a', priority: 1 }, () => limited.patch('widened', {})));
    assert.equal(limited.waiting, 5, 'the first write goes at once, the rest wait');
    await Promise.all(writes);
    assert.deepEqual(
      inner.written.map((w) => w.name),
      ['a0', 'widened', 'b0', 'a1', 'a2', 'a3'],
    );
    const gaps = inner.written.slice(1).map((w, i) => w.atMs - (inner.written[i]?.atMs ?? 0));
    assert.ok(
      gaps.every((gap) => gap >= 18),
      `writes at least 20 ms apart: ${gaps.map((g) => g.toFixed(1)).join(', ')}`,
    );
  });

  test('reads do not wait', async () => {
    const inner = recordingFirewalls();
    const limited = new RateLimitedFirewalls(inner, 1);
    const pending = [limited.delete('x'), limited.delete('y')];
    const started = performance.now();
    await limited.get('z');
    await limited.listPage();
    assert.ok(performance.now() - started < 100);
    await Promise.all(pending);
  });
});
