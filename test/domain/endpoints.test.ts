import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ClusterNode, ObservedServicePort, ServiceEndpoint } from '../../src/domain/cluster-objects.ts';
import {
  countEndpoints,
  type Endpoint,
  type EndpointCandidate,
  type EndpointInputs,
  endpointCandidates,
  type HealthState,
  orderEndpoints,
  probeTargetKey,
  probeTargets,
  selectEndpoints,
} from '../../src/domain/endpoints.ts';

function node(name: string, addresses: ClusterNode['addresses'], ready = true): ClusterNode {
  return { name, ready, addresses };
}

const both = node('both', [
  { type: 'Hostname', address: 'both.internal' },
  { type: 'InternalIP', address: '10.128.0.7' },
  { type: 'ExternalIP', address: '34.64.10.7' },
]);
const internalOnly = node('internal-only', [{ type: 'InternalIP', address: '10.128.0.8' }]);
const externalOnly = node('external-only', [{ type: 'ExternalIP', address: '34.64.10.9' }]);
const hostnameOnly = node('hostname-only', [{ type: 'Hostname', address: 'nameless.internal' }]);
const noAddresses = node('no-addresses', []);
const notReady = node('not-ready', [{ type: 'InternalIP', address: '10.128.0.10' }], false);
const ipv6 = node('ipv6', [
  { type: 'InternalIP', address: 'fd00::7' },
  { type: 'ExternalIP', address: '2001:db8::7' },
]);

const http: ObservedServicePort = {
  name: 'http',
  port: 9200,
  targetPort: 9200,
  nodePort: 30920,
  protocol: 'TCP',
};
const admin: ObservedServicePort = {
  name: 'admin',
  port: 8080,
  targetPort: 8080,
  nodePort: 30080,
  protocol: 'TCP',
};
const dns: ObservedServicePort = { name: 'dns', port: 53, targetPort: 53, nodePort: 30053, protocol: 'UDP' };
const unnamed: ObservedServicePort = { port: 80, targetPort: 80, nodePort: 30800, protocol: 'TCP' };

const podOn = (nodeName: string, ready = true): ServiceEndpoint => ({
  nodeName,
  ready,
  addresses: ['10.4.0.1'],
});

function inputs(overrides: Partial<EndpointInputs> = {}): EndpointInputs {
  return {
    ports: [http],
    externalTrafficPolicy: 'Cluster',
    nodes: [both],
    serviceEndpoints: [podOn('both')],
    probeAddressType: 'InternalIP',
    ...overrides,
  };
}

function only(candidates: EndpointCandidate[]): EndpointCandidate {
  assert.equal(candidates.length, 1, JSON.stringify(candidates));
  const [candidate] = candidates;
  assert.ok(candidate);
  return candidate;
}

describe('endpointCandidates: a full endpoint', () => {
  test('a Ready node with both addresses, probed on its InternalIP', () => {
    assert.deepEqual(only(endpointCandidates(inputs())), {
      node: 'both',
      address: '34.64.10.7',
      addressType: 'ExternalIP',
      internalIP: '10.128.0.7',
      externalIP: '34.64.10.7',
      port: 30920,
      portName: 'http',
      protocol: 'TCP',
      url: 'http://34.64.10.7:30920',
      nodeReady: true,
      serving: true,
      probe: { kind: 'tcp', address: '10.128.0.7', port: 30920 },
    });
  });

  test('an unnamed UDP port has no name and no URL', () => {
    const candidates = endpointCandidates(
      inputs({ ports: [unnamed, dns], healthCheck: { type: 'tcp' }, nodes: [internalOnly] }),
    );
    assert.equal(candidates.length, 2);
    assert.equal(Object.hasOwn(candidates[0] ?? {}, 'portName'), false);
    assert.equal(candidates[0]?.url, 'http://10.128.0.8:30800');
    assert.equal(candidates[1]?.portName, 'dns');
    assert.equal(Object.hasOwn(candidates[1] ?? {}, 'url'), false);
  });
});

describe('endpointCandidates: addresses', () => {
  const cases: {
    name: string;
    node: ClusterNode;
    probeAddressType: 'InternalIP' | 'ExternalIP';
    address: string;
    addressType: 'InternalIP' | 'ExternalIP';
    probed: string;
    url: string;
  }[] = [
    {
      name: 'ExternalIP shown, InternalIP probed',
      node: both,
      probeAddressType: 'InternalIP',
      address: '34.64.10.7',
      addressType: 'ExternalIP',
      probed: '10.128.0.7',
      url: 'http://34.64.10.7:30920',
    },
    {
      name: 'ExternalIP shown and probed when configured',
      node: both,
      probeAddressType: 'ExternalIP',
      address: '34.64.10.7',
      addressType: 'ExternalIP',
      probed: '34.64.10.7',
      url: 'http://34.64.10.7:30920',
    },
    {
      name: 'InternalIP shown without an ExternalIP',
      node: internalOnly,
      probeAddressType: 'InternalIP',
      address: '10.128.0.8',
      addressType: 'InternalIP',
      probed: '10.128.0.8',
      url: 'http://10.128.0.8:30920',
    },
    {
      name: 'ExternalIP probing falls back to the InternalIP',
      node: internalOnly,
      probeAddressType: 'ExternalIP',
      address: '10.128.0.8',
      addressType: 'InternalIP',
      probed: '10.128.0.8',
      url: 'http://10.128.0.8:30920',
    },
    {
      name: 'InternalIP probing falls back to the ExternalIP',
      node: externalOnly,
      probeAddressType: 'InternalIP',
      address: '34.64.10.9',
      addressType: 'ExternalIP',
      probed: '34.64.10.9',
      url: 'http://34.64.10.9:30920',
    },
    {
      name: 'IPv6 addresses are bracketed in URLs',
      node: ipv6,
      probeAddressType: 'InternalIP',
      address: '2001:db8::7',
      addressType: 'ExternalIP',
      probed: 'fd00::7',
      url: 'http://[2001:db8::7]:30920',
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const candidate = only(
        endpointCandidates(
          inputs({
            nodes: [c.node],
            serviceEndpoints: [podOn(c.node.name)],
            probeAddressType: c.probeAddressType,
          }),
        ),
      );
      assert.equal(candidate.address, c.address);
      assert.equal(candidate.addressType, c.addressType);
      assert.equal(candidate.probe?.address, c.probed);
      assert.equal(candidate.url, c.url);
    });
  }

  test('nodes without an IP address are skipped', () => {
    const candidates = endpointCandidates(inputs({ nodes: [hostnameOnly, noAddresses, internalOnly] }));
    assert.deepEqual(
      candidates.map((c) => c.node),
      ['internal-only'],
    );
  });

  test('one endpoint per node and port, in node then port order', () => {
    const candidates = endpointCandidates(inputs({ nodes: [both, internalOnly], ports: [http, admin] }));
    assert.deepEqual(
      candidates.map((c) => `${c.node}:${c.port}`),
      ['both:30920', 'both:30080', 'internal-only:30920', 'internal-only:30080'],
    );
  });
});

describe('endpointCandidates: who serves', () => {
  const cases: {
    name: string;
    policy: 'Cluster' | 'Local';
    nodes: ClusterNode[];
    pods: ServiceEndpoint[];
    serving: Record<string, boolean>;
    reasons: Record<string, string | undefined>;
  }[] = [
    {
      name: 'Cluster: every Ready node serves',
      policy: 'Cluster',
      nodes: [both, internalOnly],
      pods: [podOn('both')],
      serving: { both: true, 'internal-only': true },
      reasons: { both: undefined, 'internal-only': undefined },
    },
    {
      name: 'a NotReady node does not serve',
      policy: 'Cluster',
      nodes: [both, notReady],
      pods: [podOn('both'), podOn('not-ready')],
      serving: { both: true, 'not-ready': false },
      reasons: { both: undefined, 'not-ready': 'not serving: node is not Ready' },
    },
    {
      name: 'no ready pod: nobody serves',
      policy: 'Cluster',
      nodes: [both, internalOnly],
      pods: [podOn('both', false)],
      serving: { both: false, 'internal-only': false },
      reasons: {
        both: 'not serving: no ready pod matches the selector',
        'internal-only': 'not serving: no ready pod matches the selector',
      },
    },
    {
      name: 'no pod at all: nobody serves',
      policy: 'Local',
      nodes: [both],
      pods: [],
      serving: { both: false },
      reasons: { both: 'not serving: no ready pod matches the selector' },
    },
    {
      name: 'Local: only nodes with a ready local pod serve',
      policy: 'Local',
      nodes: [both, internalOnly, externalOnly],
      pods: [podOn('both'), podOn('internal-only', false)],
      serving: { both: true, 'internal-only': false, 'external-only': false },
      reasons: {
        both: undefined,
        'internal-only': 'not serving: no ready pod on this node (externalTrafficPolicy: Local)',
        'external-only': 'not serving: no ready pod on this node (externalTrafficPolicy: Local)',
      },
    },
    {
      name: 'Local: a ready pod without a node name serves nowhere',
      policy: 'Local',
      nodes: [both],
      pods: [{ ready: true, addresses: ['10.4.0.1'] }],
      serving: { both: false },
      reasons: { both: 'not serving: no ready pod on this node (externalTrafficPolicy: Local)' },
    },
    {
      name: 'Local: a NotReady node with a ready pod does not serve',
      policy: 'Local',
      nodes: [notReady],
      pods: [podOn('not-ready')],
      serving: { 'not-ready': false },
      reasons: { 'not-ready': 'not serving: node is not Ready' },
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const candidates = endpointCandidates(
        inputs({ externalTrafficPolicy: c.policy, nodes: c.nodes, serviceEndpoints: c.pods }),
      );
      assert.deepEqual(Object.fromEntries(candidates.map((e) => [e.node, e.serving])), c.serving);
      assert.deepEqual(Object.fromEntries(candidates.map((e) => [e.node, e.notProbedReason])), c.reasons);
      for (const candidate of candidates) {
        assert.equal(
          candidate.probe !== undefined,
          candidate.serving,
          `${candidate.node} probed only if serving`,
        );
        assert.equal(candidate.nodeReady, c.nodes.find((n) => n.name === candidate.node)?.ready);
      }
    });
  }
});

describe('endpointCandidates: what is probed', () => {
  const cases: {
    name: string;
    ports: ObservedServicePort[];
    healthCheck?: EndpointInputs['healthCheck'];
    probes: Record<number, { probe?: EndpointCandidate['probe']; reason?: RegExp }>;
  }[] = [
    {
      name: 'TCP ports: a connect to their own node port',
      ports: [http, admin],
      probes: {
        30920: { probe: { kind: 'tcp', address: '10.128.0.8', port: 30920 } },
        30080: { probe: { kind: 'tcp', address: '10.128.0.8', port: 30080 } },
      },
    },
    {
      name: 'UDP without a health check: not probed, with a reason',
      ports: [http, dns],
      probes: {
        30920: { probe: { kind: 'tcp', address: '10.128.0.8', port: 30920 } },
        30053: { reason: /UDP ports cannot be probed with a TCP connect; set healthCheck\.port/ },
      },
    },
    {
      name: 'a tcp health check on a port: every endpoint probes that port',
      ports: [http, admin, dns],
      healthCheck: { type: 'tcp', port: 8080 },
      probes: {
        30920: { probe: { kind: 'tcp', address: '10.128.0.8', port: 30080 } },
        30080: { probe: { kind: 'tcp', address: '10.128.0.8', port: 30080 } },
        30053: { probe: { kind: 'tcp', address: '10.128.0.8', port: 30080 } },
      },
    },
    {
      name: 'an http health check on a port, with a path',
      ports: [http, dns],
      healthCheck: { type: 'http', port: 9200, path: '/_cluster/health' },
      probes: {
        30920: { probe: { kind: 'http', address: '10.128.0.8', port: 30920, path: '/_cluster/health' } },
        30053: { probe: { kind: 'http', address: '10.128.0.8', port: 30920, path: '/_cluster/health' } },
      },
    },
    {
      name: 'an http health check without a path probes /',
      ports: [http],
      healthCheck: { type: 'http' },
      probes: { 30920: { probe: { kind: 'http', address: '10.128.0.8', port: 30920, path: '/' } } },
    },
    {
      name: 'a health check without a port: TCP ports probe themselves, UDP ports the first TCP port',
      ports: [dns, admin, http],
      healthCheck: { type: 'tcp' },
      probes: {
        30053: { probe: { kind: 'tcp', address: '10.128.0.8', port: 30080 } },
        30080: { probe: { kind: 'tcp', address: '10.128.0.8', port: 30080 } },
        30920: { probe: { kind: 'tcp', address: '10.128.0.8', port: 30920 } },
      },
    },
    {
      name: 'a health check without any TCP port: not probed, with a reason',
      ports: [dns],
      healthCheck: { type: 'tcp' },
      probes: { 30053: { reason: /no TCP port to run the health check on/ } },
    },
    {
      name: 'a health check on a port that is not one of the TCP ports: not probed',
      ports: [http, dns],
      healthCheck: { type: 'tcp', port: 53 },
      probes: {
        30920: { reason: /no TCP port to run the health check on/ },
        30053: { reason: /no TCP port to run the health check on/ },
      },
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const candidates = endpointCandidates(
        inputs({
          ports: c.ports,
          nodes: [internalOnly],
          ...(c.healthCheck && { healthCheck: c.healthCheck }),
        }),
      );
      assert.equal(candidates.length, c.ports.length);
      for (const candidate of candidates) {
        const expected = c.probes[candidate.port];
        assert.ok(expected, `unexpected endpoint on ${candidate.port}`);
        assert.equal(candidate.serving, true);
        assert.deepEqual(candidate.probe, expected.probe);
        if (expected.reason) assert.match(candidate.notProbedReason ?? '', expected.reason);
        else assert.equal(candidate.notProbedReason, undefined);
      }
    });
  }

  test('the health check probes the configured address type too', () => {
    const candidate = only(
      endpointCandidates(
        inputs({ healthCheck: { type: 'http', path: '/ready' }, probeAddressType: 'ExternalIP' }),
      ),
    );
    assert.deepEqual(candidate.probe, { kind: 'http', address: '34.64.10.7', port: 30920, path: '/ready' });
  });
});

describe('probeTargetKey', () => {
  test('distinguishes kind, address, port and path', () => {
    const keys = new Set([
      probeTargetKey({ kind: 'tcp', address: '10.0.0.1', port: 30920 }),
      probeTargetKey({ kind: 'http', address: '10.0.0.1', port: 30920 }),
      probeTargetKey({ kind: 'http', address: '10.0.0.1', port: 30920, path: '/' }),
      probeTargetKey({ kind: 'http', address: '10.0.0.1', port: 30920, path: '/ready' }),
      probeTargetKey({ kind: 'tcp', address: '10.0.0.2', port: 30920 }),
      probeTargetKey({ kind: 'tcp', address: '10.0.0.1', port: 30921 }),
    ]);
    assert.equal(keys.size, 6);
    assert.equal(
      probeTargetKey({ kind: 'tcp', address: '10.0.0.1', port: 30920 }),
      probeTargetKey({ kind: 'tcp', address: '10.0.0.1', port: 30920 }),
    );
  });
});

function endpoint(
  nodeName: string,
  port: number,
  serving: boolean,
  state: HealthState,
  protocol: 'TCP' | 'UDP' = 'TCP',
): Endpoint {
  return {
    node: nodeName,
    address: '10.0.0.1',
    addressType: 'InternalIP',
    port,
    protocol,
    nodeReady: serving,
    serving,
    health: { state },
  };
}

const label = (e: Endpoint) =>
  `${e.node}:${e.port}/${e.protocol}:${e.serving ? 'serving' : 'idle'}:${e.health.state}`;

describe('orderEndpoints', () => {
  const cases: { name: string; input: Endpoint[]; order: string[] }[] = [
    {
      name: 'serving before not serving, whatever the health',
      input: [endpoint('a', 30000, false, 'Healthy'), endpoint('b', 30000, true, 'Unhealthy')],
      order: ['b:30000/TCP:serving:Unhealthy', 'a:30000/TCP:idle:Healthy'],
    },
    {
      name: 'Healthy, then Unknown, then Unhealthy',
      input: [
        endpoint('a', 30000, true, 'Unhealthy'),
        endpoint('b', 30000, true, 'Unknown'),
        endpoint('c', 30000, true, 'Healthy'),
      ],
      order: ['c:30000/TCP:serving:Healthy', 'b:30000/TCP:serving:Unknown', 'a:30000/TCP:serving:Unhealthy'],
    },
    {
      name: 'then by node name, then by port',
      input: [
        endpoint('node-b', 30001, true, 'Healthy'),
        endpoint('node-a', 30002, true, 'Healthy'),
        endpoint('node-b', 30000, true, 'Healthy'),
        endpoint('node-a', 30001, true, 'Healthy'),
      ],
      order: [
        'node-a:30001/TCP:serving:Healthy',
        'node-a:30002/TCP:serving:Healthy',
        'node-b:30000/TCP:serving:Healthy',
        'node-b:30001/TCP:serving:Healthy',
      ],
    },
    {
      name: 'ports compared as numbers',
      input: [endpoint('a', 31000, true, 'Healthy'), endpoint('a', 30999, true, 'Healthy')],
      order: ['a:30999/TCP:serving:Healthy', 'a:31000/TCP:serving:Healthy'],
    },
    {
      name: 'TCP before UDP on the same node port',
      input: [endpoint('a', 30053, true, 'Unknown', 'UDP'), endpoint('a', 30053, true, 'Unknown', 'TCP')],
      order: ['a:30053/TCP:serving:Unknown', 'a:30053/UDP:serving:Unknown'],
    },
    {
      name: 'a mix',
      input: [
        endpoint('c', 30000, false, 'Unknown'),
        endpoint('a', 30000, true, 'Unhealthy'),
        endpoint('b', 30000, true, 'Healthy'),
        endpoint('a', 30001, true, 'Healthy'),
        endpoint('b', 30001, false, 'Healthy'),
      ],
      order: [
        'a:30001/TCP:serving:Healthy',
        'b:30000/TCP:serving:Healthy',
        'a:30000/TCP:serving:Unhealthy',
        'b:30001/TCP:idle:Healthy',
        'c:30000/TCP:idle:Unknown',
      ],
    },
    { name: 'nothing', input: [], order: [] },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.deepEqual(orderEndpoints([...c.input]).map(label), c.order);
      assert.deepEqual(orderEndpoints([...c.input].reverse()).map(label), c.order);
    });
  }
});

describe('countEndpoints', () => {
  const cases: {
    name: string;
    endpoints: Endpoint[];
    readyPods: number;
    counts: ReturnType<typeof countEndpoints>;
  }[] = [
    {
      name: 'nothing',
      endpoints: [],
      readyPods: 0,
      counts: { total: 0, serving: 0, healthy: 0, unhealthy: 0, unknown: 0, readyPods: 0 },
    },
    {
      name: 'health is counted over serving endpoints only',
      endpoints: [
        endpoint('a', 30000, true, 'Healthy'),
        endpoint('b', 30000, true, 'Healthy'),
        endpoint('c', 30000, true, 'Unhealthy'),
        endpoint('d', 30000, true, 'Unknown'),
        endpoint('e', 30000, false, 'Healthy'),
        endpoint('f', 30000, false, 'Unhealthy'),
        endpoint('g', 30000, false, 'Unknown'),
      ],
      readyPods: 3,
      counts: { total: 7, serving: 4, healthy: 2, unhealthy: 1, unknown: 1, readyPods: 3 },
    },
    {
      name: 'none serving',
      endpoints: [endpoint('a', 30000, false, 'Unknown'), endpoint('b', 30000, false, 'Unknown')],
      readyPods: 0,
      counts: { total: 2, serving: 0, healthy: 0, unhealthy: 0, unknown: 0, readyPods: 0 },
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.deepEqual(countEndpoints(c.endpoints, c.readyPods), c.counts);
    });
  }
});

describe('selectEndpoints with limit 0: the counts a list item shows', () => {
  // What a list item shows must be what the full read would count: the same function of the same
  // inputs, without the endpoint objects. Checked over every combination of the cases above.
  const stateOf = (target: { address: string; port: number }) =>
    target.address.endsWith('7') ? 'Healthy' : target.port === 30080 ? 'Unhealthy' : undefined;
  const countsOf = (given: EndpointInputs, readyPods: number) => {
    const { selected, counts } = selectEndpoints(
      given,
      (target) => {
        const state = stateOf(target);
        return state === undefined ? undefined : { ok: state === 'Healthy' };
      },
      0,
      readyPods,
    );
    assert.deepEqual(selected, []);
    return counts;
  };
  const reference = (given: EndpointInputs, readyPods: number) =>
    countEndpoints(
      endpointCandidates(given).map(({ probe, notProbedReason, ...candidate }) => {
        const state = probe ? stateOf(probe) : undefined;
        return { ...candidate, health: { state: state ?? 'Unknown' } };
      }),
      readyPods,
    );
  const allNodes = [both, internalOnly, externalOnly, hostnameOnly, noAddresses, notReady, ipv6];
  const portSets = [[http], [http, dns], [dns], [unnamed, admin], []];
  const endpointSets = [[], [podOn('both')], [podOn('ipv6'), podOn('internal-only', false)]];
  const checks: (EndpointInputs['healthCheck'] | undefined)[] = [
    undefined,
    { type: 'http', path: '/health' },
    { type: 'tcp', port: 8080 },
    { type: 'tcp', port: 9200 },
  ];

  test('agrees with countEndpoints over endpointCandidates in every combination', () => {
    let compared = 0;
    for (const ports of portSets)
      for (const externalTrafficPolicy of ['Cluster', 'Local'] as const)
        for (const serviceEndpoints of endpointSets)
          for (const healthCheck of checks)
            for (const probeAddressType of ['InternalIP', 'ExternalIP'] as const) {
              const given = inputs({
                nodes: allNodes,
                ports,
                externalTrafficPolicy,
                serviceEndpoints,
                probeAddressType,
                probeScope: 'uid-1',
                ...(healthCheck && { healthCheck }),
              });
              const readyPods = serviceEndpoints.filter((e) => e.ready).length;
              assert.deepEqual(
                countsOf(given, readyPods),
                reference(given, readyPods),
                JSON.stringify({
                  ports,
                  externalTrafficPolicy,
                  serviceEndpoints,
                  healthCheck,
                  probeAddressType,
                }),
              );
              compared++;
            }
    assert.equal(compared, 5 * 2 * 3 * 4 * 2);
  });

  test('counts healthy, unhealthy and unknown serving endpoints', () => {
    const counts = countsOf(inputs({ nodes: [both, internalOnly, notReady], ports: [http, admin] }), 1);
    // both: 30920 Healthy (10.128.0.7), 30080 Healthy; internal-only: 30920 unknown, 30080 Unhealthy
    assert.deepEqual(counts, { total: 6, serving: 4, healthy: 2, unhealthy: 1, unknown: 1, readyPods: 1 });
  });
});

describe('selectEndpoints and probeTargets (reads too large to build whole)', () => {
  // Both must agree with the whole-list path in every combination: same endpoints in the same
  // order for any limit, same counts, same probe targets in the same order.
  const outcomeOf = (target: { address: string; port: number }) =>
    target.address.endsWith('7') ? { ok: true } : target.port === 30080 ? { ok: false } : undefined;
  const stateOf = (outcome: { ok: boolean } | undefined) =>
    outcome === undefined ? 'Unknown' : outcome.ok ? 'Healthy' : 'Unhealthy';
  const wholeList = (given: EndpointInputs) =>
    orderEndpoints(
      endpointCandidates(given).map((candidate) => ({
        ...candidate,
        health: { state: stateOf(candidate.probe ? outcomeOf(candidate.probe) : undefined) },
      })),
    );
  const line = (e: { node: string; port: number; protocol: string; serving: boolean }, state: string) =>
    `${e.node}:${e.port}/${e.protocol} serving=${e.serving} ${state}`;
  // Shuffled node order and port order: the selection must not depend on them.
  const allNodes = [ipv6, notReady, both, noAddresses, externalOnly, internalOnly, hostnameOnly];
  const dnsTcp: ObservedServicePort = {
    name: 'dns-tcp',
    port: 53,
    targetPort: 53,
    nodePort: 30053,
    protocol: 'TCP',
  };
  const portSets = [[http], [admin, http, dns], [dns, dnsTcp], [unnamed, admin]];
  const endpointSets = [
    [],
    [podOn('both')],
    [podOn('ipv6'), podOn('external-only'), podOn('internal-only', false)],
  ];
  const checks: (EndpointInputs['healthCheck'] | undefined)[] = [undefined, { type: 'tcp', port: 8080 }];

  test('the first `limit` of the ordered whole list, and its counts, for every limit', () => {
    let compared = 0;
    for (const ports of portSets)
      for (const externalTrafficPolicy of ['Cluster', 'Local'] as const)
        for (const serviceEndpoints of endpointSets)
          for (const healthCheck of checks) {
            const given = inputs({
              nodes: allNodes,
              ports,
              externalTrafficPolicy,
              serviceEndpoints,
              probeScope: 'uid-1',
              ...(healthCheck && { healthCheck }),
            });
            const whole = wholeList(given);
            for (let limit = 0; limit <= whole.length + 1; limit++) {
              const { selected, counts } = selectEndpoints(given, outcomeOf, limit, 2);
              const context = JSON.stringify({
                ports,
                externalTrafficPolicy,
                serviceEndpoints,
                healthCheck,
                limit,
              });
              assert.deepEqual(
                selected.map(({ candidate, outcome }) =>
                  line(candidate, stateOf(candidate.probe ? outcome : undefined)),
                ),
                whole.slice(0, limit).map((e) => line(e, e.health.state)),
                context,
              );
              assert.deepEqual(counts, countEndpoints(whole, 2), context);
              compared++;
            }
            assert.deepEqual(
              [...probeTargets(given)],
              endpointCandidates(given).flatMap((c) => (c.probe ? [c.probe] : [])),
            );
          }
    assert.ok(compared > 300, `compared ${compared}`);
  });

  test('a selected endpoint is the same as the candidate built for the whole list', () => {
    const given = inputs({ nodes: allNodes, ports: [http, dns] });
    const byKey = new Map(endpointCandidates(given).map((c) => [`${c.node}:${c.port}/${c.protocol}`, c]));
    for (const { candidate } of selectEndpoints(given, outcomeOf, 100, 1).selected) {
      assert.deepEqual(candidate, byKey.get(`${candidate.node}:${candidate.port}/${candidate.protocol}`));
    }
  });
});
