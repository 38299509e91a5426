import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { EndpointCounts } from '../../src/domain/endpoints.ts';
import type { Condition, Phase } from '../../src/domain/exposure-status.ts';
import type { FirewallStatusRecord } from '../../src/domain/firewall-status.ts';
import { deriveStatus, REASONS_NEEDING_A_PERSON, type StatusInputs } from '../../src/domain/status.ts';

const CREATED = '2026-11-27T10:00:00Z';
const ATTEMPT = '2026-11-27T10:05:00Z';
const SINCE = '2026-11-27T10:03:00Z';

function firewall(overrides: Partial<FirewallStatusRecord> = {}): FirewallStatusRecord {
  return {
    specHash: 'current',
    generation: 2,
    state: 'UpToDate',
    condition: {
      status: 'True',
      reason: 'UpToDate',
      message: 'firewall rule exp-dev-x allows tcp:30920 from 203.0.113.0/24',
      lastTransitionTime: '2026-11-27T10:01:00Z',
    },
    rules: ['exp-dev-x'],
    everReady: true,
    failures: 0,
    lastAttemptTime: ATTEMPT,
    ...overrides,
  };
}

function failed(reason: string, everReady = false): FirewallStatusRecord {
  return firewall({
    state: 'Failed',
    condition: { status: 'False', reason, message: `${reason}: do something`, lastTransitionTime: ATTEMPT },
    everReady,
    failures: 3,
    rules: [],
  });
}

function counts(overrides: Partial<EndpointCounts> = {}): EndpointCounts {
  return { total: 3, serving: 3, healthy: 3, unhealthy: 0, unknown: 0, readyPods: 2, ...overrides };
}

function inputs(overrides: Partial<StatusInputs> = {}): StatusInputs {
  return {
    generation: 2,
    specHash: 'current',
    createdAt: CREATED,
    terminating: false,
    serviceDescription: 'Service search/elasticsearch',
    firewall: firewall(),
    endpoints: counts(),
    selectorText: 'app=elasticsearch',
    reachableSince: () => SINCE,
    ...overrides,
  };
}

type Summary = [status: Condition['status'], reason: string];

function summary(condition: Condition | undefined): Summary {
  assert.ok(condition);
  return [condition.status, condition.reason];
}

interface Case {
  name: string;
  inputs: Partial<StatusInputs>;
  phase: Phase;
  service: Summary;
  firewall: Summary;
  reachable: Summary;
}

const cases: Case[] = [
  {
    name: 'all in place and every serving endpoint healthy',
    inputs: {},
    phase: 'Ready',
    service: ['True', 'Created'],
    firewall: ['True', 'UpToDate'],
    reachable: ['True', 'AllHealthy'],
  },
  {
    name: 'some serving endpoints healthy',
    inputs: { endpoints: counts({ healthy: 2, unhealthy: 1 }) },
    phase: 'Ready',
    service: ['True', 'Created'],
    firewall: ['True', 'UpToDate'],
    reachable: ['True', 'PartiallyHealthy'],
  },
  {
    name: 'one healthy among unknown ones',
    inputs: { endpoints: counts({ healthy: 1, unknown: 2 }) },
    phase: 'Ready',
    service: ['True', 'Created'],
    firewall: ['True', 'UpToDate'],
    reachable: ['True', 'PartiallyHealthy'],
  },
  {
    name: 'no serving endpoint healthy',
    inputs: { endpoints: counts({ healthy: 0, unhealthy: 3 }) },
    phase: 'Degraded',
    service: ['True', 'Created'],
    firewall: ['True', 'UpToDate'],
    reachable: ['False', 'NoHealthyEndpoints'],
  },
  {
    name: 'no serving endpoint healthy, some unknown',
    inputs: { endpoints: counts({ healthy: 0, unhealthy: 1, unknown: 2 }) },
    phase: 'Degraded',
    service: ['True', 'Created'],
    firewall: ['True', 'UpToDate'],
    reachable: ['False', 'NoHealthyEndpoints'],
  },
  {
    name: 'no ready pods',
    inputs: { endpoints: counts({ serving: 0, healthy: 0, readyPods: 0 }) },
    phase: 'Degraded',
    service: ['True', 'Created'],
    firewall: ['True', 'UpToDate'],
    reachable: ['False', 'NoReadyPods'],
  },
  {
    name: 'ready pods but no node serves',
    inputs: { endpoints: counts({ serving: 0, healthy: 0 }) },
    phase: 'Degraded',
    service: ['True', 'Created'],
    firewall: ['True', 'UpToDate'],
    reachable: ['False', 'NoServingEndpoints'],
  },
  {
    name: 'serving endpoints not probed',
    inputs: { endpoints: counts({ healthy: 0, unknown: 3 }) },
    phase: 'Ready',
    service: ['True', 'Created'],
    firewall: ['True', 'UpToDate'],
    reachable: ['Unknown', 'NotProbed'],
  },
  {
    name: 'no firewall record yet',
    inputs: { firewall: undefined },
    phase: 'Provisioning',
    service: ['True', 'Created'],
    firewall: ['Unknown', 'Pending'],
    reachable: ['True', 'AllHealthy'],
  },
  {
    name: 'firewall pending',
    inputs: {
      firewall: firewall({
        state: 'Pending',
        everReady: false,
        condition: {
          status: 'Unknown',
          reason: 'Creating',
          message: 'creating',
          lastTransitionTime: ATTEMPT,
        },
      }),
    },
    phase: 'Provisioning',
    service: ['True', 'Created'],
    firewall: ['Unknown', 'Creating'],
    reachable: ['True', 'AllHealthy'],
  },
  {
    name: 'a newer spec than the firewall record',
    inputs: { specHash: 'newer', generation: 3 },
    phase: 'Provisioning',
    service: ['True', 'Created'],
    firewall: ['Unknown', 'Updating'],
    reachable: ['True', 'AllHealthy'],
  },
  {
    name: 'a newer spec than a failed firewall record that needed a person',
    inputs: { specHash: 'newer', generation: 3, firewall: failed('QuotaExceeded', true) },
    phase: 'Provisioning',
    service: ['True', 'Created'],
    firewall: ['Unknown', 'Updating'],
    reachable: ['True', 'AllHealthy'],
  },
  ...['QuotaExceeded', 'PermissionDenied', 'RuleNameTaken', 'InvalidRule'].flatMap((reason): Case[] => [
    {
      name: `${reason} needs a person`,
      inputs: { firewall: failed(reason) },
      phase: 'Failed',
      service: ['True', 'Created'],
      firewall: ['False', reason],
      reachable: ['True', 'AllHealthy'],
    },
    {
      name: `${reason} needs a person even after the rules were once in place`,
      inputs: { firewall: failed(reason, true) },
      phase: 'Failed',
      service: ['True', 'Created'],
      firewall: ['False', reason],
      reachable: ['True', 'AllHealthy'],
    },
  ]),
  {
    name: 'a transient failure before the rules were ever in place',
    inputs: { firewall: failed('GceUnavailable') },
    phase: 'Provisioning',
    service: ['True', 'Created'],
    firewall: ['False', 'GceUnavailable'],
    reachable: ['True', 'AllHealthy'],
  },
  {
    name: 'a transient failure after the rules were in place (drift being repaired)',
    inputs: { firewall: failed('RateLimited', true) },
    phase: 'Degraded',
    service: ['True', 'Created'],
    firewall: ['False', 'RateLimited'],
    reachable: ['True', 'AllHealthy'],
  },
  {
    name: 'being deleted',
    inputs: { terminating: true },
    phase: 'Deleting',
    service: ['False', 'Terminating'],
    firewall: ['True', 'UpToDate'],
    reachable: ['True', 'AllHealthy'],
  },
  {
    name: 'being deleted after a failure that needs a person',
    inputs: { terminating: true, firewall: failed('PermissionDenied', true) },
    phase: 'Deleting',
    service: ['False', 'Terminating'],
    firewall: ['False', 'PermissionDenied'],
    reachable: ['True', 'AllHealthy'],
  },
  {
    name: 'being deleted with the rules being deleted for an older spec',
    inputs: {
      terminating: true,
      specHash: 'newer',
      firewall: firewall({
        state: 'Deleting',
        condition: { status: 'False', reason: 'Deleting', message: 'deleting', lastTransitionTime: ATTEMPT },
      }),
    },
    phase: 'Deleting',
    service: ['False', 'Terminating'],
    firewall: ['False', 'Deleting'],
    reachable: ['True', 'AllHealthy'],
  },
];

describe('deriveStatus', () => {
  for (const c of cases) {
    test(c.name, () => {
      const status = deriveStatus(inputs(c.inputs));
      assert.equal(status.phase, c.phase);
      assert.deepEqual(
        status.conditions.map((condition) => condition.type),
        ['ServiceReady', 'FirewallReady', 'Reachable'],
      );
      assert.deepEqual(summary(status.conditions[0]), c.service);
      assert.deepEqual(summary(status.conditions[1]), c.firewall);
      assert.deepEqual(summary(status.conditions[2]), c.reachable);
      for (const condition of status.conditions) {
        assert.match(condition.reason, /^[A-Z][A-Za-z]*$/, 'reasons are CamelCase words');
        assert.ok(condition.message.length > 0, `${condition.type} has a message`);
      }
    });
  }

  test('the reasons that need a person', () => {
    assert.deepEqual([...REASONS_NEEDING_A_PERSON].sort(), [
      'InvalidRule',
      'PermissionDenied',
      'PolicyViolation',
      'QuotaExceeded',
      'RuleNameTaken',
    ]);
  });
});

describe('deriveStatus details', () => {
  test('the firewall condition is the recorded one', () => {
    const status = deriveStatus(inputs({ firewall: failed('QuotaExceeded') }));
    assert.deepEqual(status.conditions[1], {
      type: 'FirewallReady',
      status: 'False',
      reason: 'QuotaExceeded',
      message: 'QuotaExceeded: do something',
      lastTransitionTime: ATTEMPT,
      observedGeneration: 2,
    });
  });

  test('the service condition', () => {
    const status = deriveStatus(inputs());
    assert.deepEqual(status.conditions[0], {
      type: 'ServiceReady',
      status: 'True',
      reason: 'Created',
      message: 'Service search/elasticsearch is in place',
      lastTransitionTime: CREATED,
      observedGeneration: 2,
    });
    const deleting = deriveStatus(inputs({ terminating: true }));
    assert.match(deleting.conditions[0]?.message ?? '', /Service search\/elasticsearch is being deleted/);
  });

  test('pending since creation when there is no record', () => {
    const status = deriveStatus(inputs({ firewall: undefined, generation: 1 }));
    assert.deepEqual(status.conditions[1], {
      type: 'FirewallReady',
      status: 'Unknown',
      reason: 'Pending',
      message: 'waiting for the firewall rules to be created',
      lastTransitionTime: CREATED,
      observedGeneration: 1,
    });
    assert.equal(status.observedGeneration, 0);
  });

  test('updating since the last attempt, at the generation of the record', () => {
    const status = deriveStatus(inputs({ specHash: 'newer', generation: 3 }));
    assert.equal(status.conditions[1]?.lastTransitionTime, ATTEMPT);
    assert.equal(status.conditions[1]?.observedGeneration, 2);
    assert.equal(status.observedGeneration, 2);
  });

  test('updating since creation when the record has no attempt time', () => {
    const status = deriveStatus(inputs({ specHash: 'newer', firewall: firewall({ lastAttemptTime: '' }) }));
    assert.equal(status.conditions[1]?.lastTransitionTime, CREATED);
  });

  test('observed generation is the record’s when it is current', () => {
    const status = deriveStatus(inputs({ generation: 5, firewall: firewall({ generation: 5 }) }));
    assert.equal(status.observedGeneration, 5);
  });

  const messages: { name: string; endpoints: EndpointCounts; message: RegExp }[] = [
    { name: 'all healthy', endpoints: counts(), message: /^3 of 3 serving endpoints healthy$/ },
    {
      name: 'partially healthy',
      endpoints: counts({ healthy: 2, unhealthy: 1 }),
      message: /^2 of 3 serving endpoints healthy$/,
    },
    { name: 'none healthy', endpoints: counts({ healthy: 0, unhealthy: 3 }), message: /^0 of 3 serving/ },
    {
      name: 'no ready pods names the selector',
      endpoints: counts({ readyPods: 0, serving: 0, healthy: 0 }),
      message: /app=elasticsearch/,
    },
    {
      name: 'no node with an address',
      endpoints: counts({ total: 0, serving: 0, healthy: 0 }),
      message: /no node with an address/,
    },
    {
      name: 'nodes but none serving',
      endpoints: counts({ serving: 0, healthy: 0 }),
      message: /no Ready node serves/,
    },
    {
      name: 'not probed',
      endpoints: counts({ healthy: 0, unknown: 3 }),
      message: /health of 3 serving endpoints is unknown/,
    },
  ];
  for (const c of messages) {
    test(`reachable message: ${c.name}`, () => {
      const status = deriveStatus(inputs({ endpoints: c.endpoints }));
      assert.match(status.conditions[2]?.message ?? '', c.message);
    });
  }

  test('the reachable transition time comes from the callback, asked with the new status and reason', () => {
    const asked: [Condition['status'], string][] = [];
    const status = deriveStatus(
      inputs({
        endpoints: counts({ healthy: 1, unhealthy: 2 }),
        reachableSince: (s, reason) => {
          asked.push([s, reason]);
          return '2030-01-01T00:00:00Z';
        },
      }),
    );
    assert.deepEqual(asked, [['True', 'PartiallyHealthy']]);
    assert.equal(status.conditions[2]?.lastTransitionTime, '2030-01-01T00:00:00Z');
    assert.equal(status.conditions[2]?.observedGeneration, 2);
  });
});
