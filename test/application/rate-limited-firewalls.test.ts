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
    // Each write is released at least 20 ms after the one before; when it starts also depends on
    // the event loop, so a late start (even of the first) can make the next gap look short. What
    // must hold is the schedule: the first is released at once, no earlier than the writes were
    // asked for (the recorder's time 0), so the i-th starts no earlier than i × 20 ms after that.
    const offsets = inner.written.map((w) => w.atMs);
    assert.ok(
      offsets.every((offset, i) => offset >= i * 20),
      `write i starts at least i × 20 ms after they were asked for: ${offsets.map((o) => o.toFixed(1)).join(', ')}`,
    );
  });

  test('reads do not wait', async () => {
    const inner = recordingFirewalls();
    const limited = new RateLimitedFirewalls(inner, 0.5); // the second write waits 2 s
    const pending = [limited.delete('x'), limited.delete('y')];
    const started = performance.now();
    await limited.get('z');
    await limited.listPage();
    assert.ok(performance.now() - started < 1000, 'the reads did not wait behind the second write');
    await Promise.all(pending);
  });
});
