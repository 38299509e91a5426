// The contract of the UsageLedger port: one stored document, created once, replaced only from the
// version it was read at (a stale or a second first write is a Conflict and changes nothing), read
// back whole; something unreadable stored there reads as "recount me". Run against the in-memory
// ledger and against the ConfigMap of the Kubernetes adapter on a real kube-apiserver.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ClusterError } from '../../src/application/ports/cluster.ts';
import type { UsageLedger } from '../../src/application/ports/usage-ledger.ts';
import { EMPTY_LEDGER, type LedgerState } from '../../src/domain/usage-ledger.ts';

export interface LedgerUnderTest {
  /** A ledger of its own (nothing stored yet) for each call. */
  ledger(): UsageLedger;
  /** Replaces what `ledger` stores with `text`, as a person with kubectl could. */
  overwrite(ledger: UsageLedger, text: string): Promise<void>;
  close(): Promise<void>;
}

const SAMPLE: LedgerState = {
  namespaces: { search: { exposures: 2, nodePorts: 3, firewallRules: 2 } },
  subjects: { 'team-search-bot': { exposures: 2, nodePorts: 3, firewallRules: 2 } },
  installation: { exposures: 2, nodePorts: 3, firewallRules: 2 },
  pending: {
    exp_01jd6y8c3k2v7d9q4r5s6t7u8w: {
      namespace: 'search',
      subject: 'team-search-bot',
      usage: { exposures: 1, nodePorts: 2, firewallRules: 1 },
      generation: 1,
      atMs: 1_700_000_000_000,
    },
  },
  recountedAt: '2026-11-27T10:00:00.000Z',
};

function isConflict(error: unknown): boolean {
  assert.ok(error instanceof ClusterError, String(error));
  assert.equal(error.kind, 'Conflict', error.message);
  return true;
}

export function usageLedgerContract(name: string, make: () => Promise<LedgerUnderTest | undefined>): void {
  describe(`UsageLedger contract: ${name}`, () => {
    let subject: LedgerUnderTest | undefined;
    before(async () => {
      subject = await make();
    });
    after(async () => {
      await subject?.close();
    });
    function under(t: { skip(message?: string): void }): LedgerUnderTest | undefined {
      if (!subject) t.skip('this backend is not available');
      return subject;
    }

    test('nothing is stored before the first write; the first write creates it and reads back whole', async (t) => {
      const s = under(t);
      if (!s) return;
      const ledger = s.ledger();
      assert.equal(await ledger.read(), undefined);
      const version = await ledger.write(SAMPLE, undefined);
      assert.ok(version.length > 0);
      assert.deepEqual(await ledger.read(), { state: SAMPLE, version });
    });

    test('a write from the current version replaces it; from a stale one it is a Conflict and changes nothing', async (t) => {
      const s = under(t);
      if (!s) return;
      const ledger = s.ledger();
      const first = await ledger.write(EMPTY_LEDGER, undefined);
      const second = await ledger.write(SAMPLE, first);
      assert.notEqual(second, first);
      await assert.rejects(ledger.write(EMPTY_LEDGER, first), isConflict);
      await assert.rejects(ledger.write(EMPTY_LEDGER, undefined), isConflict, 'a second first write');
      assert.deepEqual(await ledger.read(), { state: SAMPLE, version: second });
    });

    test('of writers racing from the same version, exactly one wins', async (t) => {
      const s = under(t);
      if (!s) return;
      const ledger = s.ledger();
      const base = await ledger.write(EMPTY_LEDGER, undefined);
      const attempts = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) =>
          ledger.write(
            { ...EMPTY_LEDGER, installation: { exposures: i + 1, nodePorts: 0, firewallRules: 0 } },
            base,
          ),
        ),
      );
      const won = attempts.filter((a) => a.status === 'fulfilled');
      assert.equal(won.length, 1, JSON.stringify(attempts.map((a) => a.status)));
      for (const lost of attempts.filter((a) => a.status === 'rejected')) isConflict(lost.reason);
      const stored = await ledger.read();
      assert.equal(stored?.version, won[0]?.value);
    });

    test('a write that changes nothing keeps the version (as a no-op update does)', async (t) => {
      const s = under(t);
      if (!s) return;
      const ledger = s.ledger();
      const version = await ledger.write(SAMPLE, undefined);
      assert.equal(await ledger.write(structuredClone(SAMPLE), version), version);
      assert.notEqual(await ledger.write(EMPTY_LEDGER, version), version);
    });

    test('something unreadable stored there reads as no state (to be recounted), with its version', async (t) => {
      const s = under(t);
      if (!s) return;
      const ledger = s.ledger();
      await ledger.write(SAMPLE, undefined);
      await s.overwrite(ledger, '{"namespaces": "edited by hand"}');
      const stored = await ledger.read();
      assert.equal(stored?.state, undefined);
      assert.ok(stored?.version);
      const repaired = await ledger.write(EMPTY_LEDGER, stored?.version);
      assert.deepEqual(await ledger.read(), { state: EMPTY_LEDGER, version: repaired });
    });
  });
}
