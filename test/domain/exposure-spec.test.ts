import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  acceptCreateRequest,
  type ExposureRequest,
  type ExposureSpec,
  type SpecRules,
} from '../../src/domain/exposure-spec.ts';
import { assertViolations, type ExpectedViolation } from '../support/expected-violations.ts';

const rules: SpecRules = {
  sourceRanges: {
    allowedSupernets: ['10.0.0.0/8', '203.0.113.0/24', '2001:db8::/32'],
    minPrefixLength: { ipv4: 8, ipv6: 32 },
    allowPublic: false,
  },
  nodePortRange: { min: 30000, max: 32767 },
};

function request(overrides: Partial<ExposureRequest> = {}): ExposureRequest {
  return {
    namespace: 'search',
    name: 'elasticsearch',
    selector: { app: 'elasticsearch' },
    ports: [{ port: 9200 }],
    sourceRanges: ['203.0.113.0/24'],
    ...overrides,
  };
}

function accepted(req: ExposureRequest): ExposureSpec {
  const decision = acceptCreateRequest(req, rules);
  assert.ok(decision.ok, decision.ok ? '' : JSON.stringify(decision.violations));
  return decision.spec;
}

describe('acceptCreateRequest normalises', () => {
  test('a minimal request gets the defaults', () => {
    assert.deepEqual(accepted(request()), {
      namespace: 'search',
      name: 'elasticsearch',
      selector: { app: 'elasticsearch' },
      ports: [{ port: 9200, targetPort: 9200, protocol: 'TCP' }],
      externalTrafficPolicy: 'Cluster',
      sourceRanges: ['203.0.113.0/24'],
      labels: { app: 'elasticsearch' },
    });
  });

  test('what the caller gave is kept', () => {
    const spec = accepted(
      request({
        ports: [
          { name: 'http', port: 9200, targetPort: 'es-http', nodePort: 30920, protocol: 'TCP' },
          { name: 'dns', port: 53, targetPort: 5353, protocol: 'UDP' },
        ],
        externalTrafficPolicy: 'Local',
        labels: { team: 'search' },
        healthCheck: { type: 'http', port: 9200, path: '/_cluster/health' },
      }),
    );
    assert.deepEqual(spec.ports, [
      { name: 'http', port: 9200, targetPort: 'es-http', nodePort: 30920, protocol: 'TCP' },
      { name: 'dns', port: 53, targetPort: 5353, protocol: 'UDP' },
    ]);
    assert.equal(spec.externalTrafficPolicy, 'Local');
    assert.deepEqual(spec.labels, { team: 'search' });
    assert.deepEqual(spec.healthCheck, { type: 'http', port: 9200, path: '/_cluster/health' });
  });

  test("without labels the selector's are copied; explicit labels, even none, are kept as given", () => {
    assert.deepEqual(accepted(request({ selector: { app: 'es', 'kubernetes.io/os': 'linux' } })).labels, {
      app: 'es',
    });
    assert.deepEqual(accepted(request({ labels: {} })).labels, {});
    assert.deepEqual(accepted(request({ labels: { team: 'search' } })).labels, { team: 'search' });
  });

  test('copied labels count toward the byte limit, said of the selector with the way out', () => {
    const selector = Object.fromEntries(
      Array.from({ length: 30 }, (_, i) => [`example.com/${'k'.repeat(60)}${i}`, 'v'.repeat(63)]),
    );
    const decision = acceptCreateRequest(request({ selector }), rules);
    assert.equal(decision.ok, false);
    const violations = decision.ok ? [] : decision.violations;
    assert.deepEqual(
      violations.map((v) => v.pointer),
      ['/selector'],
    );
    assert.match(violations[0]?.detail ?? '', /copied to the Service.*4096 bytes.*`\{\}` for none/);
    assert.equal(acceptCreateRequest(request({ selector, labels: {} }), rules).ok, true);
  });

  test('no node port is invented when none was requested', () => {
    const spec = accepted(request());
    assert.equal(Object.hasOwn(spec.ports[0] ?? {}, 'nodePort'), false);
    assert.equal(Object.hasOwn(spec.ports[0] ?? {}, 'name'), false);
    assert.equal(Object.hasOwn(spec, 'healthCheck'), false);
  });

  test('source ranges are canonical, IPv4 first, each family in request order', () => {
    const spec = accepted(
      request({ sourceRanges: ['2001:DB8:1::/48', '203.0.113.0/24', '2001:db8::/32', '10.0.0.0/8'] }),
    );
    assert.deepEqual(spec.sourceRanges, ['203.0.113.0/24', '10.0.0.0/8', '2001:db8:1::/48', '2001:db8::/32']);
  });

  test('the spec does not share objects with the request', () => {
    const req = request({ labels: { team: 'search' }, healthCheck: { type: 'tcp' } });
    const spec = accepted(req);
    req.selector.app = 'changed';
    if (req.labels) req.labels.team = 'changed';
    if (req.healthCheck) req.healthCheck.type = 'http';
    assert.deepEqual(spec.selector, { app: 'elasticsearch' });
    assert.deepEqual(spec.labels, { team: 'search' });
    assert.deepEqual(spec.healthCheck, { type: 'tcp' });
  });
});

const refusals: { name: string; request: ExposureRequest; violations: ExpectedViolation[] }[] = [
  {
    name: 'an empty selector',
    request: request({ selector: {} }),
    violations: [{ kind: 'invalid', pointer: '/selector', detail: /must not be empty/ }],
  },
  {
    name: 'a selector key that is not a label key (pointer escaped)',
    request: request({ selector: { 'Bad.Prefix/app': 'x' } }),
    violations: [
      { kind: 'invalid', pointer: '/selector/Bad.Prefix~1app', detail: /prefix must be a DNS subdomain/ },
    ],
  },
  {
    name: 'a selector key with a bad name',
    request: request({ selector: { app: 'x', '-tier': 'y' } }),
    violations: [{ kind: 'invalid', pointer: '/selector/-tier', detail: /the name must be/ }],
  },
  {
    name: 'the managed-by label',
    request: request({ labels: { 'app.kubernetes.io/managed-by': 'me' } }),
    violations: [
      {
        kind: 'invalid',
        pointer: '/labels/app.kubernetes.io~1managed-by',
        detail: /'app\.kubernetes\.io\/managed-by' is managed by exposure-api/,
      },
    ],
  },
  {
    name: 'a label under the managed prefix',
    request: request({ labels: { team: 'a', 'exposure-api.io/id': 'exp_x' } }),
    violations: [
      { kind: 'invalid', pointer: '/labels/exposure-api.io~1id', detail: /managed by exposure-api/ },
    ],
  },
  {
    name: 'a label key that is not a label key',
    request: request({ labels: { 'team~x': 'a' } }),
    violations: [{ kind: 'invalid', pointer: '/labels/team~0x', detail: /the name must be/ }],
  },
  {
    name: 'two ports without names',
    request: request({ ports: [{ port: 80 }, { port: 443 }] }),
    violations: [
      { kind: 'invalid', pointer: '/ports/0/name', detail: /every port needs a name/ },
      { kind: 'invalid', pointer: '/ports/1/name', detail: /every port needs a name/ },
    ],
  },
  {
    name: 'one unnamed port among several',
    request: request({ ports: [{ name: 'http', port: 80 }, { port: 443 }] }),
    violations: [{ kind: 'invalid', pointer: '/ports/1/name', detail: /every port needs a name/ }],
  },
  {
    name: 'duplicate port names',
    request: request({
      ports: [
        { name: 'http', port: 80 },
        { name: 'https', port: 443 },
        { name: 'http', port: 8080 },
      ],
    }),
    violations: [
      { kind: 'invalid', pointer: '/ports/2/name', detail: /name 'http' repeats \/ports\/0\/name/ },
    ],
  },
  {
    name: 'the same port and protocol twice (protocol defaulted)',
    request: request({
      ports: [
        { name: 'a', port: 80 },
        { name: 'b', port: 80, protocol: 'TCP' },
      ],
    }),
    violations: [{ kind: 'invalid', pointer: '/ports/1/port', detail: /80\/TCP repeats \/ports\/0/ }],
  },
  {
    name: 'a node port below the range',
    request: request({ ports: [{ port: 80, nodePort: 29999 }] }),
    violations: [
      { kind: 'invalid', pointer: '/ports/0/nodePort', detail: /node port 29999 is outside .* 30000-32767/ },
    ],
  },
  {
    name: 'a node port above the range',
    request: request({ ports: [{ port: 80, nodePort: 32768 }] }),
    violations: [{ kind: 'invalid', pointer: '/ports/0/nodePort', detail: /32768 is outside/ }],
  },
  {
    name: 'the same node port twice for one protocol',
    request: request({
      ports: [
        { name: 'a', port: 80, nodePort: 30080 },
        { name: 'b', port: 81, nodePort: 30080 },
      ],
    }),
    violations: [
      {
        kind: 'invalid',
        pointer: '/ports/1/nodePort',
        detail: /node port 30080\/TCP repeats \/ports\/0\/nodePort/,
      },
    ],
  },
  {
    name: 'a health check port that is not a port of the exposure',
    request: request({ healthCheck: { type: 'tcp', port: 9300 } }),
    violations: [
      {
        kind: 'invalid',
        pointer: '/healthCheck/port',
        detail: /port 9300 is not one of this exposure's TCP ports/,
      },
    ],
  },
  {
    name: 'a health check port that is a UDP port',
    request: request({
      ports: [
        { name: 'http', port: 80 },
        { name: 'dns', port: 53, protocol: 'UDP' },
      ],
      healthCheck: { type: 'tcp', port: 53 },
    }),
    violations: [
      { kind: 'invalid', pointer: '/healthCheck/port', detail: /port 53 is not one of this exposure's TCP/ },
    ],
  },
  {
    name: 'a health check of an exposure with UDP ports only',
    request: request({ ports: [{ port: 53, protocol: 'UDP' }], healthCheck: { type: 'tcp' } }),
    violations: [
      { kind: 'invalid', pointer: '/healthCheck/port', detail: /no TCP port to run the health check on/ },
    ],
  },
  {
    name: 'a path on a tcp health check',
    request: request({ healthCheck: { type: 'tcp', path: '/healthz' } }),
    violations: [{ kind: 'invalid', pointer: '/healthCheck/path', detail: /only to an http health check/ }],
  },
  {
    name: 'no source range',
    request: request({ sourceRanges: [] }),
    violations: [{ kind: 'invalid', pointer: '/sourceRanges', detail: /at least one source range/ }],
  },
  {
    name: 'a source range with host bits',
    request: request({ sourceRanges: ['203.0.113.0/24', '10.0.0.1/8'] }),
    violations: [{ kind: 'invalid', pointer: '/sourceRanges/1', detail: /did you mean '10\.0\.0\.0\/8'/ }],
  },
  {
    name: 'the whole internet',
    request: request({ sourceRanges: ['0.0.0.0/0'] }),
    violations: [{ kind: 'policy', pointer: '/sourceRanges/0', detail: /whole internet/ }],
  },
  {
    name: 'a source range outside the allowed ones',
    request: request({ sourceRanges: ['198.51.100.0/24'] }),
    violations: [{ kind: 'policy', pointer: '/sourceRanges/0', detail: /outside the ranges/ }],
  },
  {
    name: 'several problems at once, all reported',
    request: request({
      selector: {},
      labels: { 'app.kubernetes.io/managed-by': 'x' },
      ports: [{ port: 80, nodePort: 80 }, { port: 80 }],
      healthCheck: { type: 'tcp', path: '/' },
      sourceRanges: ['0.0.0.0/0'],
    }),
    violations: [
      { kind: 'invalid', pointer: '/selector', detail: /must not be empty/ },
      { kind: 'invalid', pointer: '/labels/app.kubernetes.io~1managed-by', detail: /managed/ },
      { kind: 'invalid', pointer: '/ports/0/name', detail: /needs a name/ },
      { kind: 'invalid', pointer: '/ports/0/nodePort', detail: /outside/ },
      { kind: 'invalid', pointer: '/ports/1/name', detail: /needs a name/ },
      { kind: 'invalid', pointer: '/ports/1/port', detail: /repeats/ },
      { kind: 'invalid', pointer: '/healthCheck/path', detail: /only to an http/ },
      { kind: 'policy', pointer: '/sourceRanges/0', detail: /whole internet/ },
    ],
  },
];

describe('acceptCreateRequest refuses', () => {
  for (const c of refusals) {
    test(c.name, () => {
      const decision = acceptCreateRequest(c.request, rules);
      assert.equal(decision.ok, false, 'expected the request to be refused');
      if (decision.ok) return;
      assertViolations(decision.violations, c.violations);
    });
  }
});

describe('acceptCreateRequest allows', () => {
  const cases: { name: string; request: ExposureRequest }[] = [
    {
      name: 'the same node port for TCP and UDP',
      request: request({
        ports: [
          { name: 'dns-tcp', port: 53, nodePort: 30053, protocol: 'TCP' },
          { name: 'dns-udp', port: 53, nodePort: 30053, protocol: 'UDP' },
        ],
      }),
    },
    {
      name: 'node ports at both ends of the range',
      request: request({
        ports: [
          { name: 'low', port: 80, nodePort: 30000 },
          { name: 'high', port: 81, nodePort: 32767 },
        ],
      }),
    },
    { name: 'one port without a name', request: request({ ports: [{ port: 80 }] }) },
    {
      name: 'a health check port that is a TCP port, for an exposure with UDP ports too',
      request: request({
        ports: [
          { name: 'dns', port: 53, protocol: 'UDP' },
          { name: 'admin', port: 8080 },
        ],
        healthCheck: { type: 'http', port: 8080, path: '/ready' },
      }),
    },
    {
      name: 'an http health check without a port or path',
      request: request({ healthCheck: { type: 'http' } }),
    },
    {
      name: 'labels like a hand-written Service',
      request: request({ labels: { app: 'elasticsearch', 'app.kubernetes.io/name': 'es', team: 'search' } }),
    },
    { name: 'a qualified selector key', request: request({ selector: { 'app.kubernetes.io/name': 'es' } }) },
    {
      name: 'IPv4 and IPv6 ranges together',
      request: request({ sourceRanges: ['10.0.0.0/8', '2001:db8::/32'] }),
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const decision = acceptCreateRequest(c.request, rules);
      assert.deepEqual(decision.ok ? [] : decision.violations, []);
      assert.equal(decision.ok, true);
    });
  }
});
