// The drift sweep and the resync list with a field mask (GCE's `fields`, sent as X-Goog-FieldMask):
// every field a comparison reads comes back, and nothing else.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { firewallDifferences } from '../../../src/domain/firewall-comparison.ts';
import { ruleSpec } from '../../contract/firewalls.contract.ts';
import { type EmulatedGce, emulatedGce } from '../../support/emulated-gce.ts';

describe('GCE adapter: lists of the compared fields only', () => {
  let gce: EmulatedGce;
  before(async () => {
    gce = await emulatedGce();
  });
  after(() => gce.close());

  test('a partial list compares equal to the rule written, and drops ids and links', async () => {
    const spec = ruleSpec(gce.firewalls.project, 'exp-partial-a');
    await gce.firewalls.insert(spec);
    await gce.firewalls.patch(spec.name, { sourceRanges: ['0.0.0.0/0'] });
    const full = await gce.firewalls.listPage({ namePrefix: 'exp-partial-' });
    const partial = await gce.firewalls.listPage({ namePrefix: 'exp-partial-', comparedFieldsOnly: true });
    const [fullRule] = full.rules;
    const [partialRule] = partial.rules;
    assert.ok(fullRule && partialRule);
    assert.deepEqual(
      {
        ...partialRule,
        id: fullRule.id,
        selfLink: fullRule.selfLink,
        creationTimestamp: fullRule.creationTimestamp,
      },
      fullRule,
    );
    assert.equal(partialRule.id, '');
    assert.deepEqual(firewallDifferences(spec, partialRule), ['sourceRanges']);
  });
});
