import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ExposureId } from '../../src/domain/exposure-id.ts';
import {
  isOwnedBy,
  ownershipDescription,
  parseOwnership,
  type RuleOwnership,
} from '../../src/domain/firewall-ownership.ts';

const mine: ExposureId = 'exp_01jd6y8c3k2v7d9q4r5s6t7v8w';
const other: ExposureId = 'exp_01jd6y8c3k2v7d9q4r5s6t7v8x';
const owner: RuleOwnership = { exposureId: mine, clusterId: 'dev', service: 'search/elasticsearch' };
const description = ownershipDescription(owner);

describe('ownershipDescription', () => {
  test('is JSON naming the Service, the exposure and the cluster', () => {
    assert.deepEqual(JSON.parse(description), {
      'kubernetes.io/service-name': 'search/elasticsearch',
      'exposure-api.io/exposure-id': mine,
      'exposure-api.io/cluster-id': 'dev',
    });
  });

  test('fits the 2048 characters of a GCE description for long names', () => {
    const long = ownershipDescription({
      exposureId: mine,
      clusterId: 'z'.repeat(20),
      service: `${'n'.repeat(63)}/${'s'.repeat(63)}`,
    });
    assert.ok(long.length <= 2048, `${long.length} characters`);
  });
});

describe('parseOwnership', () => {
  test('round trip', () => {
    assert.deepEqual(parseOwnership(description), owner);
  });

  test('ignores extra keys someone added', () => {
    const extended = JSON.stringify({ ...JSON.parse(description), note: 'edited by hand' });
    assert.deepEqual(parseOwnership(extended), owner);
  });

  const garbage: { name: string; description: string }[] = [
    { name: 'an empty description', description: '' },
    { name: 'free text', description: 'opened by hand for the demo' },
    { name: 'truncated JSON', description: description.slice(0, -1) },
    { name: 'JSON null', description: 'null' },
    { name: 'a JSON string', description: '"exp_01jd6y8c3k2v7d9q4r5s6t7v8w"' },
    { name: 'a JSON array', description: JSON.stringify([mine, 'dev']) },
    {
      name: 'a missing cluster id',
      description: JSON.stringify({
        'kubernetes.io/service-name': 'search/elasticsearch',
        'exposure-api.io/exposure-id': mine,
      }),
    },
    {
      name: 'a numeric cluster id',
      description: JSON.stringify({
        'kubernetes.io/service-name': 'search/elasticsearch',
        'exposure-api.io/exposure-id': mine,
        'exposure-api.io/cluster-id': 7,
      }),
    },
    {
      name: "the GCE cloud provider's own description",
      description: JSON.stringify({ 'kubernetes.io/service-name': 'search/elasticsearch' }),
    },
  ];
  for (const c of garbage) {
    test(`gives nothing for ${c.name}`, () => {
      assert.equal(parseOwnership(c.description), undefined);
    });
  }
});

describe('isOwnedBy', () => {
  const cases: {
    name: string;
    description: string;
    clusterId: string;
    exposureId?: ExposureId;
    owned: boolean;
  }[] = [
    { name: 'same cluster, any exposure', description, clusterId: 'dev', owned: true },
    { name: 'same cluster, same exposure', description, clusterId: 'dev', exposureId: mine, owned: true },
    { name: 'same cluster, other exposure', description, clusterId: 'dev', exposureId: other, owned: false },
    { name: 'other cluster, any exposure', description, clusterId: 'prod', owned: false },
    { name: 'other cluster, same exposure', description, clusterId: 'prod', exposureId: mine, owned: false },
    { name: 'a cluster id that is a prefix of ours', description, clusterId: 'de', owned: false },
    { name: 'a cluster id that extends ours', description, clusterId: 'dev-2', owned: false },
    { name: 'garbage', description: 'not json', clusterId: 'dev', owned: false },
    {
      name: 'garbage, with an exposure',
      description: '{}',
      clusterId: 'dev',
      exposureId: mine,
      owned: false,
    },
    { name: 'an empty description and an empty cluster id', description: '', clusterId: '', owned: false },
  ];
  for (const c of cases) {
    test(`${c.name}: ${c.owned ? 'owned' : 'not owned'}`, () => {
      assert.equal(isOwnedBy(c.description, c.clusterId, c.exposureId), c.owned);
    });
  }
});
