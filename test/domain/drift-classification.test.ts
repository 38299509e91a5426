// Which out-of-band changes open more than the spec (widened: repaired first), which close
// (narrowed, deleted: repaired next), and which do neither (edited) — one row per change.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { desiredFirewallRules } from '../../src/domain/desired-firewall.ts';
import { classifyDrift, type DriftKind } from '../../src/domain/drift-classification.ts';
import type { ExposureId } from '../../src/domain/exposure-id.ts';
import type { FirewallRuleSpec, ObservedFirewallRule } from '../../src/domain/firewall-rule.ts';

const id: ExposureId = 'exp_01jd6y8c3k2v7d9q4r5s6t7v8w';
const [desired] = desiredFirewallRules(
  {
    id,
    namespace: 'search',
    name: 'elasticsearch',
    sourceRanges: ['203.0.113.0/24', '198.51.100.0/24'],
    ports: [
      { nodePort: 30920, protocol: 'TCP' },
      { nodePort: 30921, protocol: 'TCP' },
    ],
  },
  {
    clusterId: 'dev',
    project: 'p',
    network: 'default',
    priority: 1000,
    targets: { targetTags: ['gke-node'] },
  },
) as [FirewallRuleSpec];

function held(changes: Partial<ObservedFirewallRule>): ObservedFirewallRule {
  return {
    ...desired,
    sourceTags: [],
    sourceServiceAccounts: [],
    destinationRanges: [],
    denied: [],
    id: '1',
    selfLink: '',
    creationTimestamp: '',
    ...changes,
  };
}

const rows: {
  change: string;
  observed: ObservedFirewallRule | undefined;
  /** `none`: not drift at all. */
  kind: DriftKind | 'none';
  words?: RegExp;
}[] = [
  { change: 'rule deleted', observed: undefined, kind: 'deleted', words: /^deleted out of band$/ },
  {
    change: 'source ranges opened to the internet',
    observed: held({ sourceRanges: ['0.0.0.0/0'] }),
    kind: 'widened',
    words: /^source ranges widened out of band to 0\.0\.0\.0\/0$/,
  },
  {
    change: 'a source range added',
    observed: held({ sourceRanges: ['203.0.113.0/24', '198.51.100.0/24', '192.0.2.0/24'] }),
    kind: 'widened',
    words: /widened out of band to 203\.0\.113\.0\/24, 198\.51\.100\.0\/24, 192\.0\.2\.0\/24/,
  },
  {
    change: 'a source range made wider',
    observed: held({ sourceRanges: ['203.0.0.0/16', '198.51.100.0/24'] }),
    kind: 'widened',
    words: /source ranges widened/,
  },
  {
    change: 'a source range removed',
    observed: held({ sourceRanges: ['203.0.113.0/24'] }),
    kind: 'narrowed',
    words: /^source ranges narrowed out of band to 203\.0\.113\.0\/24$/,
  },
  {
    change: 'a source range made narrower',
    observed: held({ sourceRanges: ['203.0.113.0/25', '198.51.100.0/24'] }),
    kind: 'narrowed',
    words: /source ranges narrowed/,
  },
  {
    change: 'the same ranges in another order',
    observed: held({ sourceRanges: ['198.51.100.0/24', '203.0.113.0/24'] }),
    kind: 'none',
  },
  {
    change: 'a port added',
    observed: held({ allowed: [{ protocol: 'tcp', ports: ['30920', '30921', '22'] }] }),
    kind: 'widened',
    words: /allowed ports widened out of band to tcp:30920, tcp:30921, tcp:22/,
  },
  {
    change: 'a port range covering the ports',
    observed: held({ allowed: [{ protocol: 'tcp', ports: ['30000-32767'] }] }),
    kind: 'widened',
    words: /allowed ports widened/,
  },
  {
    change: 'every protocol allowed',
    observed: held({ allowed: [{ protocol: 'all', ports: [] }] }),
    kind: 'widened',
    words: /all \(every port\)/,
  },
  {
    change: 'a port removed',
    observed: held({ allowed: [{ protocol: 'tcp', ports: ['30920'] }] }),
    kind: 'narrowed',
    words: /allowed ports narrowed out of band to tcp:30920/,
  },
  {
    change: 'target tags removed',
    observed: held({ targetTags: [] }),
    kind: 'widened',
    words: /applies to every instance in the network/,
  },
  {
    change: 'a target tag added',
    observed: held({ targetTags: ['gke-node', 'bastion'] }),
    kind: 'widened',
    words: /target tags changed out of band to gke-node, bastion/,
  },
  {
    change: 'target tags swapped for service accounts',
    observed: held({ targetTags: [], targetServiceAccounts: ['vm@p.iam.gserviceaccount.com'] }),
    kind: 'widened',
    words: /target service accounts changed/,
  },
  {
    change: 'a source tag added',
    observed: held({ sourceTags: ['office'] }),
    kind: 'widened',
    words: /source tags added out of band: office/,
  },
  {
    change: 'a source service account added',
    observed: held({ sourceServiceAccounts: ['ci@p.iam.gserviceaccount.com'] }),
    kind: 'widened',
    words: /source service accounts added/,
  },
  {
    change: 'a lower priority number (overrides more rules)',
    observed: held({ priority: 10 }),
    kind: 'widened',
    words: /priority raised out of band from 1000 to 10/,
  },
  {
    change: 'a higher priority number (yields to more rules)',
    observed: held({ priority: 65000 }),
    kind: 'narrowed',
    words: /priority lowered out of band from 1000 to 65000/,
  },
  {
    change: 'moved to another network',
    observed: held({ network: 'projects/p/global/networks/other' }),
    kind: 'widened',
    words: /moved out of band to network projects\/p\/global\/networks\/other/,
  },
  {
    change: 'disabled',
    observed: held({ disabled: true }),
    kind: 'narrowed',
    words: /^disabled out of band$/,
  },
  {
    change: 'turned into an EGRESS rule',
    observed: held({ direction: 'EGRESS' }),
    kind: 'narrowed',
    words: /direction changed out of band to EGRESS/,
  },
  {
    change: 'turned into a deny rule',
    observed: held({ allowed: [], denied: [{ protocol: 'tcp', ports: ['30920', '30921'] }] }),
    kind: 'narrowed',
    words: /turned into a deny rule out of band \(tcp:30920, tcp:30921\)/,
  },
  {
    change: 'destination ranges added',
    observed: held({ destinationRanges: ['10.0.0.0/8'] }),
    kind: 'narrowed',
    words: /destination ranges added out of band: 10\.0\.0\.0\/8/,
  },
  {
    change: 'description edited',
    observed: held({ description: 'mine now' }),
    kind: 'edited',
    words: /^description edited out of band$/,
  },
  {
    change: 'widened and narrowed at once: widened wins',
    observed: held({ sourceRanges: ['0.0.0.0/0'], disabled: true }),
    kind: 'widened',
    words: /source ranges widened out of band to 0\.0\.0\.0\/0; disabled out of band/,
  },
];

describe('classifyDrift', () => {
  for (const row of rows) {
    test(`${row.change}: ${row.kind}`, () => {
      const finding = classifyDrift(desired, row.observed);
      if (row.kind === 'none') {
        assert.equal(finding, undefined);
        return;
      }
      assert.equal(finding?.kind, row.kind);
      assert.match(finding?.description ?? '', row.words ?? /./);
    });
  }

  test('an unchanged rule has no finding', () => {
    assert.equal(classifyDrift(desired, held({})), undefined);
  });
});
