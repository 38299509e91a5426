// Mapping between the port's rules and compute#firewall messages.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  relativeNetwork,
  toFirewallResource,
  toObservedRule,
  toPartialFirewallResource,
} from '../../../src/adapters/gce/firewall-mapping.ts';
import { ruleSpec } from '../../contract/firewalls.contract.ts';

describe('firewall mapping', () => {
  test('network URLs become relative paths, whatever host they name', () => {
    assert.equal(
      relativeNetwork('https://www.googleapis.com/compute/v1/projects/p/global/networks/default'),
      'projects/p/global/networks/default',
    );
    assert.equal(
      relativeNetwork('https://compute.googleapis.com/compute/beta/projects/host/global/networks/shared'),
      'projects/host/global/networks/shared',
    );
    assert.equal(relativeNetwork('projects/p/global/networks/n'), 'projects/p/global/networks/n');
  });

  test('a rule is written with the GCE field names', () => {
    assert.deepEqual(toFirewallResource(ruleSpec('p', 'exp-a')), {
      name: 'exp-a',
      description: ruleSpec('p', 'exp-a').description,
      network: 'projects/p/global/networks/default',
      priority: 1000,
      direction: 'INGRESS',
      sourceRanges: ['203.0.113.0/24'],
      allowed: [{ IPProtocol: 'tcp', ports: ['30920'] }],
      targetTags: ['gke-node'],
      targetServiceAccounts: [],
      disabled: false,
    });
  });

  test('a partial rule carries only the fields given', () => {
    assert.deepEqual(toPartialFirewallResource({ disabled: false, sourceRanges: ['10.0.0.0/8'] }), {
      disabled: false,
      sourceRanges: ['10.0.0.0/8'],
    });
  });

  test('a sparse observed rule gets empty lists and the API defaults, protocols lower case', () => {
    assert.deepEqual(
      toObservedRule({
        name: 'bare',
        network: 'https://www.googleapis.com/compute/v1/projects/p/global/networks/default',
        allowed: [{ IPProtocol: 'UDP' }],
        id: '123',
      }),
      {
        name: 'bare',
        description: '',
        network: 'projects/p/global/networks/default',
        priority: 1000,
        direction: 'INGRESS',
        sourceRanges: [],
        allowed: [{ protocol: 'udp', ports: [] }],
        targetTags: [],
        targetServiceAccounts: [],
        disabled: false,
        sourceTags: [],
        sourceServiceAccounts: [],
        destinationRanges: [],
        denied: [],
        id: '123',
        selfLink: '',
        creationTimestamp: '',
      },
    );
  });

  test('values outside the port types are passed through so comparisons see them', () => {
    const observed = toObservedRule({
      name: 'egress',
      direction: 'EGRESS',
      allowed: [{ IPProtocol: 'icmp' }],
    });
    assert.equal(observed.direction as string, 'EGRESS');
    assert.equal(observed.allowed[0]?.protocol as string, 'icmp');
  });
});
