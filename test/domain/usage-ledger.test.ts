import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { NO_USAGE, type UsageLimits } from '../../src/domain/usage.ts';
import {
  applyChange,
  type CountedExposure,
  EMPTY_LEDGER,
  type LedgerState,
  parseLedger,
  prunePending,
  recount,
  reserve,
  revertChange,
  serializeLedger,
  type UsageChange,
} from '../../src/domain/usage-ledger.ts';

const LIMITS: UsageLimits = {
  perNamespace: { exposures: 2, nodePorts: 10 },
  perSubject: { exposures: 10, nodePorts: 10 },
  installation: { firewallRules: 10 },
};
const ONE = { exposures: 1, nodePorts: 1, firewallRules: 1 };
const GRACE = 120_000;
const NOW = 1_800_000_000_000;

function create(id: string, namespace = 'search', subject = 'bot'): UsageChange {
  return { id, namespace, subject, before: NO_USAGE, after: ONE, generation: 1 };
}

function exposure(id: string, overrides: Partial<CountedExposure> = {}): CountedExposure {
  return {
    id,
    namespace: 'search',
    subject: 'bot',
    usage: ONE,
    generation: 1,
    terminating: false,
    ...overrides,
  };
}

describe('reserve, revert, release', () => {
  test('reserving counts the change in for the namespace, the subject and the installation', () => {
    const outcome = reserve(EMPTY_LEDGER, create('a'), LIMITS, 'dev', NOW);
    assert.ok(outcome.ok);
    assert.deepEqual(outcome.state.namespaces.search, ONE);
    assert.deepEqual(outcome.state.subjects.bot, ONE);
    assert.deepEqual(outcome.state.installation, ONE);
    assert.equal(outcome.state.pending.a?.atMs, NOW);
  });

  test('a reservation beyond a limit is refused and changes nothing', () => {
    let state: LedgerState = EMPTY_LEDGER;
    for (const id of ['a', 'b']) {
      const outcome = reserve(state, create(id), LIMITS, 'dev', NOW);
      assert.ok(outcome.ok);
      state = outcome.state;
    }
    const refused = reserve(state, create('c'), LIMITS, 'dev', NOW);
    assert.deepEqual(refused, {
      ok: false,
      exceeded: {
        scope: 'namespace',
        holder: 'search',
        resource: 'exposures',
        requested: 1,
        used: 2,
        limit: 2,
      },
    });
    const elsewhere = reserve(state, create('c', 'shop'), LIMITS, 'dev', NOW);
    assert.ok(elsewhere.ok, 'another namespace still has room');
  });

  test('reverting takes a reservation back entirely', () => {
    const reserved = reserve(EMPTY_LEDGER, create('a'), LIMITS, 'dev', NOW);
    assert.ok(reserved.ok);
    assert.deepEqual(revertChange(reserved.state, create('a')), EMPTY_LEDGER);
  });

  test('a change moves the count from before to after; a delete releases all and leaves a tombstone', () => {
    const created = applyChange(EMPTY_LEDGER, create('a'), NOW);
    const grown = applyChange(
      created,
      { ...create('a'), before: ONE, after: { exposures: 1, nodePorts: 3, firewallRules: 2 }, generation: 2 },
      NOW,
    );
    assert.deepEqual(grown.installation, { exposures: 1, nodePorts: 3, firewallRules: 2 });
    const deleted = applyChange(
      grown,
      { ...create('a'), before: grown.installation, after: NO_USAGE, generation: 2, deleted: true },
      NOW,
    );
    assert.deepEqual(deleted.installation, NO_USAGE);
    assert.deepEqual(deleted.namespaces, {}, 'holders with nothing are left out');
    assert.equal(deleted.pending.a?.deleted, true);
  });

  test('counts never go below zero, whatever is released twice', () => {
    const once = applyChange(
      EMPTY_LEDGER,
      { ...create('a'), before: ONE, after: NO_USAGE, deleted: true },
      NOW,
    );
    assert.deepEqual(once.installation, NO_USAGE);
  });
});

describe('recount', () => {
  const cases: {
    name: string;
    cache: CountedExposure[];
    pending: LedgerState['pending'];
    exposures: number;
    kept: string[];
  }[] = [
    {
      name: 'counts what the cache holds',
      cache: [exposure('a'), exposure('b')],
      pending: {},
      exposures: 2,
      kept: [],
    },
    {
      name: 'leaves out Services being deleted (released already)',
      cache: [exposure('a'), exposure('b', { terminating: true })],
      pending: {},
      exposures: 1,
      kept: [],
    },
    {
      name: 'keeps a young create the cache does not show yet',
      cache: [exposure('a')],
      pending: { b: { namespace: 'search', subject: 'bot', usage: ONE, generation: 1, atMs: NOW - 1_000 } },
      exposures: 2,
      kept: ['b'],
    },
    {
      name: 'forgets an old one (a create that failed without being reverted, say)',
      cache: [exposure('a')],
      pending: {
        b: { namespace: 'search', subject: 'bot', usage: ONE, generation: 1, atMs: NOW - GRACE - 1 },
      },
      exposures: 1,
      kept: [],
    },
    {
      name: 'takes a young delete over a cache that still shows the Service alive',
      cache: [exposure('a'), exposure('b')],
      pending: {
        b: {
          namespace: 'search',
          subject: 'bot',
          usage: NO_USAGE,
          generation: 1,
          deleted: true,
          atMs: NOW - 1_000,
        },
      },
      exposures: 1,
      kept: ['b'],
    },
    {
      name: 'drops a pending change once the cache shows it',
      cache: [exposure('a', { generation: 2 })],
      pending: { a: { namespace: 'search', subject: 'bot', usage: ONE, generation: 2, atMs: NOW - 1_000 } },
      exposures: 1,
      kept: [],
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const state = recount(c.cache, { ...EMPTY_LEDGER, pending: c.pending }, NOW, GRACE);
      assert.equal(state.installation.exposures, c.exposures);
      assert.deepEqual(Object.keys(state.pending).sort(), c.kept);
      assert.equal(state.recountedAt, new Date(NOW).toISOString());
    });
  }

  test('a newer generation in the ledger wins over the cached one, per namespace and subject', () => {
    const state = recount(
      [exposure('a', { usage: ONE, generation: 1 }), exposure('b', { namespace: 'shop', subject: 'other' })],
      {
        ...EMPTY_LEDGER,
        pending: {
          a: {
            namespace: 'search',
            subject: 'bot',
            usage: { exposures: 1, nodePorts: 4, firewallRules: 2 },
            generation: 2,
            atMs: NOW - 5_000,
          },
        },
      },
      NOW,
      GRACE,
    );
    assert.deepEqual(state.namespaces, {
      search: { exposures: 1, nodePorts: 4, firewallRules: 2 },
      shop: ONE,
    });
    assert.deepEqual(state.subjects, { bot: { exposures: 1, nodePorts: 4, firewallRules: 2 }, other: ONE });
    assert.deepEqual(state.installation, { exposures: 2, nodePorts: 5, firewallRules: 3 });
  });

  test('prunePending forgets only what is older than the grace period', () => {
    const state = {
      ...EMPTY_LEDGER,
      pending: {
        young: { namespace: 's', subject: 'b', usage: ONE, generation: 1, atMs: NOW - 10 },
        old: { namespace: 's', subject: 'b', usage: ONE, generation: 1, atMs: NOW - GRACE - 10 },
      },
    };
    assert.deepEqual(Object.keys(prunePending(state, NOW, GRACE).pending), ['young']);
    const clean = { ...EMPTY_LEDGER, pending: { young: state.pending.young } };
    assert.equal(prunePending(clean, NOW, GRACE), clean, 'unchanged: the same object');
  });
});

describe('parseLedger', () => {
  test('round trip', () => {
    const state = applyChange(EMPTY_LEDGER, create('a'), NOW);
    assert.deepEqual(parseLedger(serializeLedger(state)), state);
  });

  const unreadable = [
    'not JSON',
    'null',
    '[]',
    '{}',
    '{"namespaces":{},"subjects":{},"installation":{"exposures":-1}}',
    '{"namespaces":{"a":{"nodePorts":1.5}},"subjects":{},"installation":{}}',
    '{"namespaces":{},"subjects":{},"installation":{},"pending":{"x":{"namespace":"a"}}}',
  ];
  for (const text of unreadable) {
    test(`unreadable: ${text}`, () => assert.equal(parseLedger(text), undefined));
  }

  test('figures left out read as zero; pending may be absent', () => {
    assert.deepEqual(parseLedger('{"namespaces":{"a":{"exposures":1}},"subjects":{},"installation":{}}'), {
      namespaces: { a: { exposures: 1, nodePorts: 0, firewallRules: 0 } },
      subjects: {},
      installation: NO_USAGE,
      pending: {},
    });
  });
});
