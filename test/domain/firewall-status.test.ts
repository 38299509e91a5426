import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type FirewallStatusRecord,
  parseFirewallStatus,
  sameFirewallStatus,
} from '../../src/domain/firewall-status.ts';

function record(overrides: Partial<FirewallStatusRecord> = {}): FirewallStatusRecord {
  return {
    specHash: 'hash-1',
    generation: 2,
    state: 'UpToDate',
    condition: {
      status: 'True',
      reason: 'UpToDate',
      message: 'firewall rule exp-dev-x allows tcp:30920 from 203.0.113.0/24',
      lastTransitionTime: '2026-11-27T10:00:00Z',
    },
    rules: ['exp-dev-x', 'exp-dev-x-v6'],
    everReady: true,
    failures: 0,
    lastAttemptTime: '2026-11-27T10:00:00Z',
    ...overrides,
  };
}

describe('parseFirewallStatus', () => {
  test('round trip', () => {
    assert.deepEqual(parseFirewallStatus(JSON.stringify(record())), record());
  });

  const garbage: { name: string; text: string | undefined }[] = [
    { name: 'no annotation', text: undefined },
    { name: 'an empty annotation', text: '' },
    { name: 'not JSON', text: 'UpToDate' },
    { name: 'truncated JSON', text: JSON.stringify(record()).slice(0, 40) },
    { name: 'JSON null', text: 'null' },
    { name: 'a JSON number', text: '42' },
    { name: 'a JSON array', text: '[]' },
    { name: 'no spec hash', text: JSON.stringify({ ...record(), specHash: undefined }) },
    { name: 'a numeric spec hash', text: JSON.stringify({ ...record(), specHash: 1 }) },
    { name: 'no state', text: JSON.stringify({ ...record(), state: undefined }) },
    { name: 'no condition', text: JSON.stringify({ ...record(), condition: undefined }) },
    { name: 'a condition that is a string', text: JSON.stringify({ ...record(), condition: 'True' }) },
    { name: 'a condition that is a list', text: JSON.stringify({ ...record(), condition: ['True'] }) },
    {
      name: 'a condition without a status',
      text: JSON.stringify({ ...record(), condition: { ...record().condition, status: undefined } }),
    },
    {
      name: 'a condition status outside True/False/Unknown',
      text: JSON.stringify({ ...record(), condition: { ...record().condition, status: 'Maybe' } }),
    },
    {
      name: 'a condition with a numeric reason',
      text: JSON.stringify({ ...record(), condition: { ...record().condition, reason: 1 } }),
    },
    {
      name: 'a condition without a message',
      text: JSON.stringify({ ...record(), condition: { ...record().condition, message: undefined } }),
    },
    {
      name: 'a condition without a transition time',
      text: JSON.stringify({
        ...record(),
        condition: { ...record().condition, lastTransitionTime: undefined },
      }),
    },
  ];
  for (const c of garbage) {
    test(`gives nothing for ${c.name}`, () => {
      assert.equal(parseFirewallStatus(c.text), undefined);
    });
  }

  test('fills in defaults for missing or mistyped optional fields', () => {
    const text = JSON.stringify({
      specHash: 'h',
      state: 'Pending',
      condition: record().condition,
      generation: 'two',
      rules: ['exp-dev-x', 7, null],
      everReady: 'yes',
      failures: '3',
      lastAttemptTime: 12,
    });
    assert.deepEqual(parseFirewallStatus(text), {
      specHash: 'h',
      generation: 0,
      state: 'Pending',
      condition: record().condition,
      rules: ['exp-dev-x'],
      everReady: false,
      failures: 0,
      lastAttemptTime: '',
    });
  });

  test('a list of rules that is not a list reads as none', () => {
    const parsed = parseFirewallStatus(JSON.stringify({ ...record(), rules: 'exp-dev-x' }));
    assert.deepEqual(parsed?.rules, []);
  });
});

describe('sameFirewallStatus', () => {
  test('nothing recorded yet is never the same', () => {
    assert.equal(sameFirewallStatus(undefined, record()), false);
  });

  const same: { name: string; changes: Partial<FirewallStatusRecord> }[] = [
    { name: 'identical', changes: {} },
    { name: 'only the attempt time differs', changes: { lastAttemptTime: '2026-11-27T11:00:00Z' } },
    {
      name: 'only the transition time differs',
      changes: { condition: { ...record().condition, lastTransitionTime: '2026-11-27T11:00:00Z' } },
    },
  ];
  for (const c of same) {
    test(`same: ${c.name}`, () => {
      assert.equal(sameFirewallStatus(record(), record(c.changes)), true);
    });
  }

  const different: { name: string; changes: Partial<FirewallStatusRecord> }[] = [
    { name: 'spec hash', changes: { specHash: 'hash-2' } },
    { name: 'generation', changes: { generation: 3 } },
    { name: 'state', changes: { state: 'Failed' } },
    { name: 'condition status', changes: { condition: { ...record().condition, status: 'False' } } },
    { name: 'condition reason', changes: { condition: { ...record().condition, reason: 'Repaired' } } },
    { name: 'condition message', changes: { condition: { ...record().condition, message: 'other' } } },
    { name: 'everReady', changes: { everReady: false } },
    { name: 'failures', changes: { failures: 1 } },
    { name: 'rules', changes: { rules: ['exp-dev-x'] } },
  ];
  for (const c of different) {
    test(`different: ${c.name}`, () => {
      assert.equal(sameFirewallStatus(record(), record(c.changes)), false);
      assert.equal(sameFirewallStatus(record(c.changes), record()), false);
    });
  }
});
