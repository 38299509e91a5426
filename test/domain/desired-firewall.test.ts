import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ObservedServicePort } from '../../src/domain/cluster-objects.ts';
import {
  allowedNodePorts,
  desiredFirewallRules,
  type ExposureForFirewall,
  type FirewallSettings,
  ipFamilyOfRuleName,
  networkPath,
  recordFirewallRules,
} from '../../src/domain/desired-firewall.ts';
import type { ExposureId } from '../../src/domain/exposure-id.ts';
import { serviceManifestFor } from '../../src/domain/exposure-record.ts';
import type { PortSpec } from '../../src/domain/exposure-spec.ts';
import { isOwnedBy, parseOwnership } from '../../src/domain/firewall-ownership.ts';
import type { FirewallAllowed } from '../../src/domain/firewall-rule.ts';
import { newExposure } from '../builders/exposure-spec.ts';
import { firewallRuleSpec, firewallSettings } from '../builders/firewall-rule.ts';
import { observedService } from '../builders/service.ts';

const id: ExposureId = 'exp_01jd6y8c3k2v7d9q4r5s6t7v8w';

const settings = firewallSettings();

function exposure(overrides: Partial<ExposureForFirewall> = {}): ExposureForFirewall {
  return {
    id,
    namespace: 'search',
    name: 'elasticsearch',
    sourceRanges: ['203.0.113.0/24'],
    ports: [{ nodePort: 30920, protocol: 'TCP' }],
    ...overrides,
  };
}

describe('desiredFirewallRules', () => {
  test('one IPv4 rule with everything it needs', () => {
    const rules = desiredFirewallRules(exposure(), settings);
    assert.equal(rules.length, 1);
    const [rule] = rules;
    assert.ok(rule);
    assert.deepEqual(
      { ...rule, description: JSON.parse(rule.description) },
      {
        ...firewallRuleSpec(),
        description: {
          'kubernetes.io/service-name': 'search/elasticsearch',
          'exposure-api.io/exposure-id': id,
          'exposure-api.io/cluster-id': 'dev',
        },
      },
    );
    assert.equal(isOwnedBy(rule.description, 'dev', id), true);
  });

  const familyCases: { name: string; ranges: string[]; rules: { name: string; sourceRanges: string[] }[] }[] =
    [
      {
        name: 'IPv4 only',
        ranges: ['203.0.113.0/24', '10.0.0.0/8'],
        rules: [
          { name: 'exp-dev-01jd6y8c3k2v7d9q4r5s6t7v8w', sourceRanges: ['10.0.0.0/8', '203.0.113.0/24'] },
        ],
      },
      {
        name: 'IPv6 only',
        ranges: ['2001:db8::/32'],
        rules: [{ name: 'exp-dev-01jd6y8c3k2v7d9q4r5s6t7v8w-v6', sourceRanges: ['2001:db8::/32'] }],
      },
      {
        name: 'both families, IPv4 rule first',
        ranges: ['2001:db8:2::/48', '203.0.113.0/24', '2001:db8:1::/48', '10.0.0.0/8'],
        rules: [
          { name: 'exp-dev-01jd6y8c3k2v7d9q4r5s6t7v8w', sourceRanges: ['10.0.0.0/8', '203.0.113.0/24'] },
          {
            name: 'exp-dev-01jd6y8c3k2v7d9q4r5s6t7v8w-v6',
            sourceRanges: ['2001:db8:1::/48', '2001:db8:2::/48'],
          },
        ],
      },
      { name: 'no ranges, no rules', ranges: [], rules: [] },
    ];
  for (const c of familyCases) {
    test(`one rule per family present: ${c.name}`, () => {
      const rules = desiredFirewallRules(exposure({ sourceRanges: c.ranges }), settings);
      assert.deepEqual(
        rules.map((rule) => ({ name: rule.name, sourceRanges: rule.sourceRanges })),
        c.rules,
      );
      for (const rule of rules) {
        assert.equal(ipFamilyOfRuleName(rule.name), rule.name.endsWith('-v6') ? 'IPv6' : 'IPv4');
        assert.deepEqual(rule.allowed, [{ protocol: 'tcp', ports: ['30920'] }]);
        assert.equal(rule.description, rules[0]?.description);
      }
    });
  }

  test('source ranges are sorted, so equal specs give equal rules', () => {
    const a = desiredFirewallRules(exposure({ sourceRanges: ['10.2.0.0/16', '10.1.0.0/16'] }), settings);
    const b = desiredFirewallRules(exposure({ sourceRanges: ['10.1.0.0/16', '10.2.0.0/16'] }), settings);
    assert.deepEqual(a, b);
    assert.deepEqual(a[0]?.sourceRanges, ['10.1.0.0/16', '10.2.0.0/16']);
  });

  test('the request is not changed by sorting', () => {
    const sourceRanges = ['10.2.0.0/16', '10.1.0.0/16'];
    desiredFirewallRules(exposure({ sourceRanges }), settings);
    assert.deepEqual(sourceRanges, ['10.2.0.0/16', '10.1.0.0/16']);
  });

  test('target service accounts instead of tags', () => {
    const [rule] = desiredFirewallRules(exposure(), {
      ...settings,
      targets: { targetServiceAccounts: ['gke-nodes@host-project.iam.gserviceaccount.com'] },
    });
    assert.deepEqual(rule?.targetTags, []);
    assert.deepEqual(rule?.targetServiceAccounts, ['gke-nodes@host-project.iam.gserviceaccount.com']);
  });

  test('the targets are copies of the settings', () => {
    const tags = ['gke-dev-pool-node'];
    const [rule] = desiredFirewallRules(exposure(), { ...settings, targets: { targetTags: tags } });
    rule?.targetTags.push('added');
    assert.deepEqual(tags, ['gke-dev-pool-node']);
  });

  const emptyTargets: { name: string; targets: FirewallSettings['targets'] }[] = [
    { name: 'no tags', targets: { targetTags: [] } },
    { name: 'no service accounts', targets: { targetServiceAccounts: [] } },
  ];
  for (const c of emptyTargets) {
    test(`refuses empty targets (${c.name}), which would open every VM`, () => {
      assert.throws(
        () => desiredFirewallRules(exposure(), { ...settings, targets: c.targets }),
        /must not be empty/,
      );
    });
  }

  test('the ownership description names the Service', () => {
    const [rule] = desiredFirewallRules(exposure({ namespace: 'ns', name: 'svc' }), settings);
    assert.deepEqual(parseOwnership(rule?.description ?? ''), {
      exposureId: id,
      clusterId: 'dev',
      service: 'ns/svc',
    });
  });
});

describe('recordFirewallRules', () => {
  function record(specPorts: PortSpec[], servicePorts: ObservedServicePort[], sourceRanges: string[]) {
    const exposure = newExposure({ ports: specPorts, sourceRanges }, { id, clusterId: 'dev' });
    const service = observedService(serviceManifestFor(exposure), {
      uid: 'uid-1',
      resourceVersion: '1',
      ports: servicePorts,
    });
    return { id, spec: exposure.spec, service };
  }
  const http: PortSpec = { name: 'http', port: 9200, targetPort: 9200, protocol: 'TCP' };
  const dns: PortSpec = { name: 'dns', port: 53, targetPort: 53, protocol: 'UDP' };
  /** The one rule the http port gets from 203.0.113.0/24 at node port 30920. */
  const httpRule: { name: string; sourceRanges: string[]; allowed: FirewallAllowed[] } = {
    name: 'exp-dev-01jd6y8c3k2v7d9q4r5s6t7v8w',
    sourceRanges: ['203.0.113.0/24'],
    allowed: [{ protocol: 'tcp', ports: ['30920'] }],
  };
  const cases: {
    name: string;
    specPorts: PortSpec[];
    servicePorts: ObservedServicePort[];
    sourceRanges: string[];
    rules: { name: string; sourceRanges: string[]; allowed: FirewallAllowed[] }[];
  }[] = [
    {
      name: "the Service's node port for the port the spec asked for",
      specPorts: [http],
      servicePorts: [{ ...http, nodePort: 30920 }],
      sourceRanges: ['203.0.113.0/24'],
      rules: [httpRule],
    },
    {
      name: 'a port added to the Service by hand is not opened',
      specPorts: [http],
      servicePorts: [
        { ...http, nodePort: 30920 },
        { name: 'admin', port: 9300, targetPort: 9300, protocol: 'TCP', nodePort: 30930 },
      ],
      sourceRanges: ['203.0.113.0/24'],
      rules: [httpRule],
    },
    {
      name: 'a port matched by number and protocol both',
      specPorts: [http, dns],
      servicePorts: [
        { ...http, nodePort: 30920 },
        { ...dns, protocol: 'TCP', nodePort: 30053 },
      ],
      sourceRanges: ['203.0.113.0/24'],
      rules: [httpRule],
    },
    {
      name: 'both families, with TCP and UDP ports',
      specPorts: [http, dns],
      servicePorts: [
        { ...dns, nodePort: 30053 },
        { ...http, nodePort: 30920 },
      ],
      sourceRanges: ['2001:db8::/32', '203.0.113.0/24'],
      rules: [
        {
          name: 'exp-dev-01jd6y8c3k2v7d9q4r5s6t7v8w',
          sourceRanges: ['203.0.113.0/24'],
          allowed: [
            { protocol: 'tcp', ports: ['30920'] },
            { protocol: 'udp', ports: ['30053'] },
          ],
        },
        {
          name: 'exp-dev-01jd6y8c3k2v7d9q4r5s6t7v8w-v6',
          sourceRanges: ['2001:db8::/32'],
          allowed: [
            { protocol: 'tcp', ports: ['30920'] },
            { protocol: 'udp', ports: ['30053'] },
          ],
        },
      ],
    },
    {
      name: 'no port of the spec on the Service: the rules allow nothing',
      specPorts: [http],
      servicePorts: [],
      sourceRanges: ['203.0.113.0/24'],
      rules: [{ name: 'exp-dev-01jd6y8c3k2v7d9q4r5s6t7v8w', sourceRanges: ['203.0.113.0/24'], allowed: [] }],
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const rules = recordFirewallRules(record(c.specPorts, c.servicePorts, c.sourceRanges), settings);
      assert.deepEqual(
        rules.map((rule) => ({ name: rule.name, sourceRanges: rule.sourceRanges, allowed: rule.allowed })),
        c.rules,
      );
    });
  }

  test('is the spec mapped by desiredFirewallRules, owned by the Service the spec names', () => {
    const input = record([http], [{ ...http, nodePort: 30920 }], ['203.0.113.0/24']);
    assert.deepEqual(
      recordFirewallRules(input, settings),
      desiredFirewallRules(exposure({ namespace: 'search', name: 'elasticsearch' }), settings),
    );
  });
});

describe('allowedNodePorts', () => {
  const cases: {
    name: string;
    ports: { nodePort: number; protocol: 'TCP' | 'UDP' }[];
    allowed: FirewallAllowed[];
  }[] = [
    {
      name: 'one TCP port',
      ports: [{ nodePort: 30920, protocol: 'TCP' }],
      allowed: [{ protocol: 'tcp', ports: ['30920'] }],
    },
    {
      name: 'one UDP port',
      ports: [{ nodePort: 30053, protocol: 'UDP' }],
      allowed: [{ protocol: 'udp', ports: ['30053'] }],
    },
    {
      name: 'numerically sorted, not as strings',
      ports: [
        { nodePort: 32000, protocol: 'TCP' },
        { nodePort: 30100, protocol: 'TCP' },
        { nodePort: 30920, protocol: 'TCP' },
      ],
      allowed: [{ protocol: 'tcp', ports: ['30100', '30920', '32000'] }],
    },
    {
      name: 'numerically sorted across digit counts (a custom NodePort range)',
      ports: [
        { nodePort: 30100, protocol: 'TCP' },
        { nodePort: 9000, protocol: 'TCP' },
        { nodePort: 10000, protocol: 'TCP' },
      ],
      allowed: [{ protocol: 'tcp', ports: ['9000', '10000', '30100'] }],
    },
    {
      name: 'grouped per protocol, tcp first',
      ports: [
        { nodePort: 30053, protocol: 'UDP' },
        { nodePort: 30920, protocol: 'TCP' },
        { nodePort: 30054, protocol: 'UDP' },
        { nodePort: 30053, protocol: 'TCP' },
      ],
      allowed: [
        { protocol: 'tcp', ports: ['30053', '30920'] },
        { protocol: 'udp', ports: ['30053', '30054'] },
      ],
    },
    {
      name: 'a port listed once',
      ports: [
        { nodePort: 30920, protocol: 'TCP' },
        { nodePort: 30920, protocol: 'TCP' },
      ],
      allowed: [{ protocol: 'tcp', ports: ['30920'] }],
    },
    { name: 'no ports', ports: [], allowed: [] },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.deepEqual(allowedNodePorts(c.ports), c.allowed);
    });
  }
});

describe('networkPath', () => {
  test('is the relative path of the network in its project', () => {
    assert.equal(networkPath({ project: 'p', network: 'default' }), 'projects/p/global/networks/default');
  });
});

describe('ipFamilyOfRuleName', () => {
  const cases: { name: string; family: 'IPv4' | 'IPv6' }[] = [
    { name: 'exp-dev-01jd6y8c3k2v7d9q4r5s6t7v8w', family: 'IPv4' },
    { name: 'exp-dev-01jd6y8c3k2v7d9q4r5s6t7v8w-v6', family: 'IPv6' },
  ];
  for (const c of cases) {
    test(`${c.name} is ${c.family}`, () => {
      assert.equal(ipFamilyOfRuleName(c.name), c.family);
    });
  }
});
