import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  exceededLimit,
  hasAnyLimit,
  NO_USAGE,
  type Usage,
  type UsageLimits,
  type UsageTotals,
  usageOfSpec,
} from '../../src/domain/usage.ts';

const port = (n: number) => ({ port: n, targetPort: n, protocol: 'TCP' as const });

describe('usageOfSpec: one exposure, a node port per port, a rule per IP family', () => {
  const cases: { name: string; ports: number; ranges: string[]; expected: Usage }[] = [
    {
      name: 'one port, IPv4',
      ports: 1,
      ranges: ['203.0.113.0/24'],
      expected: { exposures: 1, nodePorts: 1, firewallRules: 1 },
    },
    {
      name: 'three ports, two IPv4 ranges: still one rule',
      ports: 3,
      ranges: ['203.0.113.0/24', '198.51.100.0/24'],
      expected: { exposures: 1, nodePorts: 3, firewallRules: 1 },
    },
    {
      name: 'IPv4 and IPv6: two rules',
      ports: 2,
      ranges: ['203.0.113.0/24', '2001:db8::/48'],
      expected: { exposures: 1, nodePorts: 2, firewallRules: 2 },
    },
    {
      name: 'IPv6 only',
      ports: 1,
      ranges: ['2001:db8::/48'],
      expected: { exposures: 1, nodePorts: 1, firewallRules: 1 },
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const spec = { ports: Array.from({ length: c.ports }, (_, i) => port(80 + i)), sourceRanges: c.ranges };
      assert.deepEqual(usageOfSpec(spec), c.expected);
    });
  }
});

describe('exceededLimit', () => {
  const limits: UsageLimits = {
    perNamespace: { exposures: 3, nodePorts: 4 },
    perSubject: { exposures: 5, nodePorts: 0 },
    installation: { firewallRules: 6 },
  };
  const totals: UsageTotals = {
    namespaces: { search: { exposures: 2, nodePorts: 4, firewallRules: 2 } },
    subjects: { bot: { exposures: 5, nodePorts: 9, firewallRules: 5 } },
    installation: { exposures: 6, nodePorts: 12, firewallRules: 6 },
  };
  const holders = (namespace: string, subject: string) => ({ namespace, subject, installation: 'dev' });
  const cases: { name: string; who: ReturnType<typeof holders>; delta: Usage; expected: unknown }[] = [
    {
      name: "the namespace's node ports first",
      who: holders('search', 'bot'),
      delta: { exposures: 1, nodePorts: 1, firewallRules: 1 },
      expected: {
        scope: 'namespace',
        holder: 'search',
        resource: 'nodePorts',
        requested: 1,
        used: 4,
        limit: 4,
      },
    },
    {
      name: 'then the subject (another namespace)',
      who: holders('shop', 'bot'),
      delta: { exposures: 1, nodePorts: 1, firewallRules: 0 },
      expected: { scope: 'subject', holder: 'bot', resource: 'exposures', requested: 1, used: 5, limit: 5 },
    },
    {
      name: 'then the installation',
      who: holders('shop', 'other'),
      delta: { exposures: 1, nodePorts: 1, firewallRules: 1 },
      expected: {
        scope: 'installation',
        holder: 'dev',
        resource: 'firewallRules',
        requested: 1,
        used: 6,
        limit: 6,
      },
    },
    {
      name: 'a limit of 0 is unlimited (the subject, already at 9 node ports)',
      who: holders('shop', 'bot'),
      delta: { exposures: 0, nodePorts: 4, firewallRules: 0 },
      expected: undefined,
    },
    {
      name: 'holding less is never refused, even above a limit',
      who: holders('search', 'bot'),
      delta: { exposures: 0, nodePorts: -1, firewallRules: -1 },
      expected: undefined,
    },
    {
      name: 'a holder with nothing counted yet starts from zero',
      who: holders('fresh', 'newcomer'),
      delta: { exposures: 1, nodePorts: 4, firewallRules: 0 },
      expected: undefined,
    },
  ];
  for (const c of cases) {
    test(c.name, () => assert.deepEqual(exceededLimit(totals, c.who, c.delta, limits), c.expected));
  }

  test('hasAnyLimit: only all zeros means no limits at all', () => {
    assert.equal(hasAnyLimit(limits), true);
    const none = {
      perNamespace: { ...NO_USAGE },
      perSubject: { ...NO_USAGE },
      installation: { firewallRules: 0 },
    };
    assert.equal(hasAnyLimit(none), false);
  });
});
