// The sandbox's firewall decides as GCE does, from rules in the Compute API's JSON: the rule of
// highest priority that applies wins, a deny beats an allow of equal priority, and with no rule
// the implied deny holds. Clients are loopback addresses standing for public ones.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { publicAddressOf } from '../../src/sandbox/loopback-clients.ts';
import { EmulatedFirewall } from '../../src/sandbox/sandbox-firewall.ts';

const NETWORK = 'https://www.googleapis.com/compute/v1/projects/sandbox-project/global/networks/default';

function rule(overrides: Record<string, unknown>): Record<string, unknown> {
  return {
    name: 'exp-sandbox-a',
    network: NETWORK,
    priority: 1000,
    direction: 'INGRESS',
    sourceRanges: ['203.0.113.0/24'],
    targetTags: ['sandbox-node'],
    allowed: [{ IPProtocol: 'tcp', ports: ['30920'] }],
    disabled: false,
    ...overrides,
  };
}

function firewall(rules: Record<string, unknown>[]): EmulatedFirewall {
  return new EmulatedFirewall({
    rules: () => rules,
    project: 'sandbox-project',
    network: 'default',
    nodeTags: ['sandbox-node'],
    nodeServiceAccounts: ['nodes@sandbox-project.iam.gserviceaccount.com'],
    clusterNetwork: '127.44.6.0/24',
  });
}

describe('loopback clients', () => {
  test('the three loopback blocks stand for the documentation ranges, host by host', () => {
    assert.equal(publicAddressOf('127.203.113.10')?.toString(), '203.0.113.10');
    assert.equal(publicAddressOf('127.198.100.7')?.toString(), '198.51.100.7');
    assert.equal(publicAddressOf('127.192.2.254')?.toString(), '192.0.2.254');
    assert.equal(publicAddressOf('::ffff:127.203.113.9')?.toString(), '203.0.113.9');
  });

  test('any other client is an unknown internet address', () => {
    for (const client of ['127.0.0.1', '127.203.114.10', '127.44.7.1', '::1', 'not an address']) {
      assert.equal(publicAddressOf(client), undefined, client);
    }
  });
});

describe('EmulatedFirewall', () => {
  const cases: {
    name: string;
    rules: Record<string, unknown>[];
    client: string;
    port?: number;
    admitted: boolean;
  }[] = [
    { name: 'a client inside the source range', rules: [rule({})], client: '127.203.113.10', admitted: true },
    { name: 'a client of another range', rules: [rule({})], client: '127.198.100.7', admitted: false },
    { name: 'an internet client', rules: [rule({})], client: '127.0.0.1', admitted: false },
    { name: 'no rule at all: the implied deny', rules: [], client: '127.203.113.10', admitted: false },
    {
      name: 'an internet client under 0.0.0.0/0',
      rules: [rule({ sourceRanges: ['0.0.0.0/0'] })],
      client: '127.0.0.1',
      admitted: true,
    },
    {
      name: 'an internet client under 0.0.0.0/1 (not every address)',
      rules: [rule({ sourceRanges: ['0.0.0.0/1', '128.0.0.0/1'] })],
      client: '127.0.0.1',
      admitted: false,
    },
    { name: 'another port', rules: [rule({})], client: '127.203.113.10', port: 30921, admitted: false },
    {
      name: 'a port range holding the port',
      rules: [rule({ allowed: [{ IPProtocol: 'tcp', ports: ['30000-32767'] }] })],
      client: '127.203.113.10',
      admitted: true,
    },
    {
      name: 'all protocols, no ports: everything',
      rules: [rule({ allowed: [{ IPProtocol: 'all' }] })],
      client: '127.203.113.10',
      admitted: true,
    },
    {
      name: 'udp only',
      rules: [rule({ allowed: [{ IPProtocol: 'udp', ports: ['30920'] }] })],
      client: '127.203.113.10',
      admitted: false,
    },
    { name: 'a disabled rule', rules: [rule({ disabled: true })], client: '127.203.113.10', admitted: false },
    {
      name: 'an EGRESS rule',
      rules: [rule({ direction: 'EGRESS', destinationRanges: ['203.0.113.0/24'] })],
      client: '127.203.113.10',
      admitted: false,
    },
    {
      name: 'a rule of another network',
      rules: [rule({ network: NETWORK.replace('/default', '/other') })],
      client: '127.203.113.10',
      admitted: false,
    },
    {
      name: 'a rule for other tags',
      rules: [rule({ targetTags: ['other-node'] })],
      client: '127.203.113.10',
      admitted: false,
    },
    {
      name: 'a rule without targets applies to every instance',
      rules: [rule({ targetTags: undefined })],
      client: '127.203.113.10',
      admitted: true,
    },
    {
      name: "a rule for the nodes' service account",
      rules: [
        rule({
          targetTags: undefined,
          targetServiceAccounts: ['nodes@sandbox-project.iam.gserviceaccount.com'],
        }),
      ],
      client: '127.203.113.10',
      admitted: true,
    },
    {
      name: 'a deny of higher priority wins',
      rules: [
        rule({}),
        rule({ name: 'deny', priority: 900, allowed: undefined, denied: [{ IPProtocol: 'tcp' }] }),
      ],
      client: '127.203.113.10',
      admitted: false,
    },
    {
      name: 'an allow of higher priority wins over a deny',
      rules: [
        rule({ priority: 500 }),
        rule({ name: 'deny', allowed: undefined, denied: [{ IPProtocol: 'all' }] }),
      ],
      client: '127.203.113.10',
      admitted: true,
    },
    {
      name: 'a deny wins over an allow of equal priority',
      rules: [rule({}), rule({ name: 'deny', allowed: undefined, denied: [{ IPProtocol: 'tcp' }] })],
      client: '127.203.113.10',
      admitted: false,
    },
    {
      name: "the cluster's own network, whatever the rules",
      rules: [
        rule({
          name: 'deny',
          allowed: undefined,
          denied: [{ IPProtocol: 'all' }],
          sourceRanges: ['0.0.0.0/0'],
        }),
      ],
      client: '127.44.6.250',
      admitted: true,
    },
    {
      name: 'an IPv6 range never holds an IPv4 client',
      rules: [rule({ sourceRanges: ['::/0'] })],
      client: '127.0.0.1',
      admitted: false,
    },
  ];
  for (const c of cases) {
    test(`${c.name}: ${c.admitted ? 'admitted' : 'refused'}`, () => {
      const decision = firewall(c.rules).admit(c.client, c.port ?? 30920);
      assert.equal(decision.admitted, c.admitted, decision.reason);
    });
  }

  test('each decision says why, naming the rule or the implied deny', () => {
    assert.equal(
      firewall([rule({})]).admit('127.203.113.10', 30920).reason,
      'allowed 203.0.113.10 (127.203.113.10) to tcp:30920 by rule exp-sandbox-a',
    );
    assert.equal(
      firewall([rule({})]).admit('127.0.0.1', 30920).reason,
      "no rule allows an internet client (127.0.0.1) to tcp:30920 (GCE's implied rule denies ingress)",
    );
  });

  test('the rules are read at each connection, so a changed rule applies to the next one', () => {
    const rules = [rule({})];
    const live = firewall(rules);
    assert.equal(live.admit('127.198.100.7', 30920).admitted, false);
    rules[0] = rule({ sourceRanges: ['203.0.113.0/24', '198.51.100.0/24'] });
    assert.equal(live.admit('127.198.100.7', 30920).admitted, true);
    rules.pop();
    assert.equal(live.admit('127.203.113.10', 30920).admitted, false);
  });
});
