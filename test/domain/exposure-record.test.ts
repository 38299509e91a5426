import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ObservedService } from '../../src/domain/cluster-objects.ts';
import type { ExposureId } from '../../src/domain/exposure-id.ts';
import {
  isTerminating,
  type NewExposure,
  readExposureRecord,
  serviceManifestFor,
} from '../../src/domain/exposure-record.ts';
import type { ExposureSpec } from '../../src/domain/exposure-spec.ts';
import type { FirewallStatusRecord } from '../../src/domain/firewall-status.ts';
import {
  CLUSTER_ID_ANNOTATION,
  CREATED_BY_ANNOTATION,
  EXPOSURE_ID_LABEL,
  FIREWALL_FINALIZER,
  FIREWALL_STATUS_ANNOTATION,
  GENERATION_ANNOTATION,
  MANAGED_BY_LABEL,
  SPEC_ANNOTATION,
} from '../../src/domain/naming.ts';
import { specHash } from '../../src/domain/spec-hash.ts';
import { exposureSpec, newExposure } from '../builders/exposure-spec.ts';
import { observedService } from '../builders/service.ts';

const id: ExposureId = 'exp_01jd6y8c3k2v7d9q4r5s6t7v8w';

function spec(overrides: Partial<ExposureSpec> = {}): ExposureSpec {
  return exposureSpec({
    ports: [
      { name: 'http', port: 9200, targetPort: 9200, nodePort: 30920, protocol: 'TCP' },
      { name: 'transport', port: 9300, targetPort: 'transport', protocol: 'TCP' },
    ],
    sourceRanges: ['203.0.113.0/24', '2001:db8::/32'],
    labels: { app: 'elasticsearch', team: 'search' },
    healthCheck: { type: 'http', port: 9200, path: '/_cluster/health' },
    ...overrides,
  });
}

function exposure(overrides: Partial<ExposureSpec> = {}): NewExposure {
  return newExposure(spec(overrides), { id, clusterId: 'dev', createdBy: 'team-search-bot' });
}

const observe = observedService;

function withAnnotations(changes: Record<string, string | undefined>): ObservedService {
  const service = observe(serviceManifestFor(exposure()));
  const annotations = { ...service.annotations };
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) delete annotations[key];
    else annotations[key] = value;
  }
  return { ...service, annotations };
}

function withLabels(changes: Record<string, string | undefined>): ObservedService {
  const service = observe(serviceManifestFor(exposure()));
  const labels = { ...service.labels };
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) delete labels[key];
    else labels[key] = value;
  }
  return { ...service, labels };
}

describe('serviceManifestFor', () => {
  test('is a NodePort Service that records the exposure', () => {
    const manifest = serviceManifestFor(exposure());
    assert.deepEqual(manifest, {
      namespace: 'search',
      name: 'elasticsearch',
      labels: {
        app: 'elasticsearch',
        team: 'search',
        'app.kubernetes.io/managed-by': 'exposure-api',
        'exposure-api.io/id': id,
      },
      annotations: {
        [SPEC_ANNOTATION]: JSON.stringify(spec()),
        [CREATED_BY_ANNOTATION]: 'team-search-bot',
        [GENERATION_ANNOTATION]: '1',
        [CLUSTER_ID_ANNOTATION]: 'dev',
      },
      finalizers: [FIREWALL_FINALIZER],
      selector: { app: 'elasticsearch' },
      ports: [
        { name: 'http', port: 9200, targetPort: 9200, nodePort: 30920, protocol: 'TCP' },
        { name: 'transport', port: 9300, targetPort: 'transport', protocol: 'TCP' },
      ],
      externalTrafficPolicy: 'Cluster',
    });
  });

  test('the managed labels win over user labels of the same key', () => {
    const manifest = serviceManifestFor(
      exposure({ labels: { [MANAGED_BY_LABEL]: 'helm', [EXPOSURE_ID_LABEL]: 'exp_other', team: 'x' } }),
    );
    assert.equal(manifest.labels[MANAGED_BY_LABEL], 'exposure-api');
    assert.equal(manifest.labels[EXPOSURE_ID_LABEL], id);
    assert.equal(manifest.labels.team, 'x');
  });

  test('an unnamed port without a node port carries neither', () => {
    const manifest = serviceManifestFor(
      exposure({ ports: [{ port: 80, targetPort: 8080, protocol: 'UDP' }] }),
    );
    assert.deepEqual(manifest.ports, [{ port: 80, targetPort: 8080, protocol: 'UDP' }]);
  });

  test('the selector is a copy', () => {
    const input = exposure();
    const manifest = serviceManifestFor(input);
    manifest.selector.app = 'changed';
    assert.equal(input.spec.selector.app, 'elasticsearch');
  });
});

describe('readExposureRecord', () => {
  test('reads back what serviceManifestFor wrote', () => {
    const service = observe(serviceManifestFor(exposure()));
    const read = readExposureRecord(service);
    assert.ok(read.ok, read.ok ? '' : read.problem);
    assert.deepEqual(read.record, {
      id,
      clusterId: 'dev',
      spec: spec(),
      specHash: specHash(spec()),
      generation: 1,
      createdBy: 'team-search-bot',
      createdAt: '2026-11-27T10:00:00Z',
      service,
      firewallStatus: undefined,
      idempotency: undefined,
    });
  });

  test('round trip keeps the idempotency record, the generation and the expiry', () => {
    const withKey = {
      ...exposure({ expiresAt: '2030-01-01T00:00:00Z' }),
      generation: 4,
      idempotency: { keyHash: 'k', requestHash: 'r' },
    };
    const manifest = serviceManifestFor(withKey);
    assert.equal(manifest.annotations['exposure-api.io/expires-at'], '2030-01-01T00:00:00Z');
    const read = readExposureRecord(observe(manifest));
    assert.ok(read.ok);
    assert.deepEqual(read.record.idempotency, { keyHash: 'k', requestHash: 'r' });
    assert.equal(read.record.generation, 4);
    assert.equal(read.record.spec.expiresAt, '2030-01-01T00:00:00Z');
  });

  const roundTrips: { name: string; overrides: Partial<ExposureSpec> }[] = [
    {
      name: 'a minimal spec',
      overrides: { ports: [{ port: 80, targetPort: 80, protocol: 'TCP' }], labels: {} },
    },
    { name: 'a spec without a health check', overrides: { healthCheck: undefined } },
    { name: 'Local traffic policy', overrides: { externalTrafficPolicy: 'Local' } },
    { name: 'UDP ports', overrides: { ports: [{ name: 'dns', port: 53, targetPort: 53, protocol: 'UDP' }] } },
  ];
  for (const c of roundTrips) {
    test(`round trip keeps the spec and its hash: ${c.name}`, () => {
      const input = exposure(c.overrides);
      const read = readExposureRecord(observe(serviceManifestFor(input)));
      assert.ok(read.ok, read.ok ? '' : read.problem);
      assert.deepEqual(read.record.spec, JSON.parse(JSON.stringify(input.spec)));
      assert.equal(read.record.specHash, specHash(input.spec));
    });
  }

  test('the firewall status annotation is read', () => {
    const status: FirewallStatusRecord = {
      specHash: specHash(spec()),
      generation: 1,
      state: 'UpToDate',
      condition: {
        status: 'True',
        reason: 'UpToDate',
        message: 'ok',
        lastTransitionTime: '2026-11-27T10:00:01Z',
      },
      rules: ['exp-dev-01jd6y8c3k2v7d9q4r5s6t7v8w'],
      everReady: true,
      failures: 0,
      lastAttemptTime: '2026-11-27T10:00:01Z',
    };
    const read = readExposureRecord(
      withAnnotations({ [FIREWALL_STATUS_ANNOTATION]: JSON.stringify(status) }),
    );
    assert.ok(read.ok);
    assert.deepEqual(read.record.firewallStatus, status);
  });

  test('a corrupt firewall status is no status, not a failure', () => {
    const read = readExposureRecord(withAnnotations({ [FIREWALL_STATUS_ANNOTATION]: '{not json' }));
    assert.ok(read.ok);
    assert.equal(read.record.firewallStatus, undefined);
  });

  const generations: { annotation: string | undefined; generation: number }[] = [
    { annotation: '1', generation: 1 },
    { annotation: '7', generation: 7 },
    { annotation: undefined, generation: 1 },
    { annotation: '0', generation: 1 },
    { annotation: '-3', generation: 1 },
    { annotation: '2.5', generation: 1 },
    { annotation: 'seven', generation: 1 },
  ];
  for (const c of generations) {
    test(`generation annotation ${JSON.stringify(c.annotation)} reads as ${c.generation}`, () => {
      const read = readExposureRecord(withAnnotations({ [GENERATION_ANNOTATION]: c.annotation }));
      assert.ok(read.ok);
      assert.equal(read.record.generation, c.generation);
    });
  }

  test('missing cluster id and creator annotations read as empty', () => {
    const read = readExposureRecord(
      withAnnotations({ [CLUSTER_ID_ANNOTATION]: undefined, [CREATED_BY_ANNOTATION]: undefined }),
    );
    assert.ok(read.ok);
    assert.equal(read.record.clusterId, '');
    assert.equal(read.record.createdBy, '');
  });

  const problems: { name: string; service: ObservedService; problem: RegExp }[] = [
    {
      name: 'a missing id label',
      service: withLabels({ [EXPOSURE_ID_LABEL]: undefined }),
      problem: /label exposure-api\.io\/id is missing or invalid/,
    },
    {
      name: 'an invalid id label',
      service: withLabels({ [EXPOSURE_ID_LABEL]: 'exp_NOT-AN-ID' }),
      problem: /label exposure-api\.io\/id is missing or invalid/,
    },
    {
      name: 'a missing spec annotation',
      service: withAnnotations({ [SPEC_ANNOTATION]: undefined }),
      problem: /annotation exposure-api\.io\/spec is missing/,
    },
    {
      name: 'an empty spec annotation',
      service: withAnnotations({ [SPEC_ANNOTATION]: '' }),
      problem: /annotation exposure-api\.io\/spec is missing/,
    },
    {
      name: 'a spec annotation that is not JSON',
      service: withAnnotations({ [SPEC_ANNOTATION]: '{"namespace":' }),
      problem: /is not JSON/,
    },
    {
      name: 'a spec annotation holding JSON null',
      service: withAnnotations({ [SPEC_ANNOTATION]: 'null' }),
      problem: /does not hold an exposure spec/,
    },
    {
      name: 'a spec annotation holding an array',
      service: withAnnotations({ [SPEC_ANNOTATION]: '[]' }),
      problem: /does not hold an exposure spec/,
    },
    {
      name: 'a spec without ports',
      service: withAnnotations({ [SPEC_ANNOTATION]: JSON.stringify({ ...spec(), ports: undefined }) }),
      problem: /does not hold an exposure spec/,
    },
    {
      name: 'a spec with source ranges that are not a list',
      service: withAnnotations({
        [SPEC_ANNOTATION]: JSON.stringify({ ...spec(), sourceRanges: '10.0.0.0/8' }),
      }),
      problem: /does not hold an exposure spec/,
    },
    {
      name: 'a spec with an unknown traffic policy',
      service: withAnnotations({
        [SPEC_ANNOTATION]: JSON.stringify({ ...spec(), externalTrafficPolicy: 'Node' }),
      }),
      problem: /does not hold an exposure spec/,
    },
    {
      name: 'a spec with a null selector',
      service: withAnnotations({ [SPEC_ANNOTATION]: JSON.stringify({ ...spec(), selector: null }) }),
      problem: /does not hold an exposure spec/,
    },
    {
      name: 'a spec with a selector that is a list',
      service: withAnnotations({ [SPEC_ANNOTATION]: JSON.stringify({ ...spec(), selector: ['app'] }) }),
      problem: /does not hold an exposure spec/,
    },
    {
      // A date nothing can parse would make the reconciler look again at once, in a tight loop.
      name: 'a spec whose expiry is not a date',
      service: withAnnotations({
        [SPEC_ANNOTATION]: JSON.stringify({ ...spec(), expiresAt: 'next tuesday' }),
      }),
      problem: /does not hold an exposure spec/,
    },
    {
      name: 'a spec whose expiry is not a string',
      service: withAnnotations({ [SPEC_ANNOTATION]: JSON.stringify({ ...spec(), expiresAt: 1893456000 }) }),
      problem: /does not hold an exposure spec/,
    },
  ];
  for (const c of problems) {
    test(`reports ${c.name}`, () => {
      const read = readExposureRecord(c.service);
      assert.equal(read.ok, false, 'expected the Service to be reported');
      if (read.ok) return;
      assert.match(read.problem, c.problem);
    });
  }
});

describe('isTerminating', () => {
  test('is true once a deletion timestamp is set', () => {
    const service = observe(serviceManifestFor(exposure()));
    assert.equal(isTerminating({ service }), false);
    assert.equal(isTerminating({ service: { ...service, deletionTimestamp: '2026-11-27T11:00:00Z' } }), true);
  });
});
