import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError, parseConfig } from '../../src/config/load.ts';
import { type ExposureId, newExposureId } from '../../src/domain/exposure-id.ts';
import {
  EXPOSURE_ID_LABEL,
  FIREWALL_FINALIZER,
  firewallRuleName,
  firewallRulePrefix,
  type IpFamily,
  isManagedLabelKey,
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  MANAGED_SELECTOR,
} from '../../src/domain/naming.ts';
import { CLUSTER_ID } from '../../src/domain/patterns.ts';

/** GCE resource names: RFC 1035 labels of at most 63 characters. */
const GCE_NAME = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

const longestClusterId = `a${'-b'.repeat(9)}9`;
const families: IpFamily[] = ['IPv4', 'IPv6'];

const clusterIdPattern = new RegExp(CLUSTER_ID);

/** Whether the service starts with this cluster id: the configuration is where ids are checked. */
function configurationAccepts(clusterId: string): boolean {
  try {
    parseConfig({ cluster: { id: clusterId }, gce: { project: 'p' }, firewall: { targetTags: ['nodes'] } });
    return true;
  } catch (error) {
    if (error instanceof ConfigError && error.message.includes('/cluster/id')) return false;
    throw error;
  }
}

describe('cluster id', () => {
  const cases: { id: string; valid: boolean }[] = [
    { id: 'a', valid: true },
    { id: 'prod', valid: true },
    { id: 'prod-eu-west1', valid: true },
    { id: 'a1', valid: true },
    { id: longestClusterId, valid: true },
    { id: 'z'.repeat(20), valid: true },
    { id: 'z'.repeat(21), valid: false },
    { id: '', valid: false },
    { id: '1prod', valid: false },
    { id: '-prod', valid: false },
    { id: 'prod-', valid: false },
    { id: 'Prod', valid: false },
    { id: 'prod_eu', valid: false },
    { id: 'prod.eu', valid: false },
    { id: 'prod eu', valid: false },
  ];
  for (const c of cases) {
    test(`'${c.id}' is ${c.valid ? 'a valid' : 'not a valid'} cluster id`, () => {
      assert.equal(clusterIdPattern.test(c.id), c.valid);
      assert.equal(configurationAccepts(c.id), c.valid);
    });
  }
  test('the longest cluster id used below is as long as the configuration allows', () => {
    assert.equal(longestClusterId.length, 20);
    assert.ok(configurationAccepts(longestClusterId));
    assert.equal(configurationAccepts(`${longestClusterId}x`), false);
  });
});

describe('firewallRuleName', () => {
  const ids: ExposureId[] = [
    newExposureId(1),
    newExposureId(Date.UTC(2026, 10, 27)),
    newExposureId(2 ** 48 - 1),
    'exp_7zzzzzzzzzzzzzzzzzzzzzzzzz',
  ];
  const clusterIds = ['a', 'prod', longestClusterId, 'z'.repeat(20)];
  for (const clusterId of clusterIds) {
    for (const family of families) {
      test(`fits GCE's name syntax and 63 characters for cluster '${clusterId}', ${family}`, () => {
        for (const id of ids) {
          const name = firewallRuleName(clusterId, id, family);
          assert.match(name, GCE_NAME);
          assert.ok(name.length <= 63, `${name} is ${name.length} characters`);
          assert.ok(name.startsWith(firewallRulePrefix(clusterId)));
        }
      });
    }
  }

  const id: ExposureId = 'exp_01jd6y8c3k2v7d9q4r5s6t7v8w';
  const cases: { name: string; clusterId: string; family: IpFamily; expected: string }[] = [
    { name: 'IPv4', clusterId: 'dev', family: 'IPv4', expected: 'exp-dev-01jd6y8c3k2v7d9q4r5s6t7v8w' },
    {
      name: 'IPv6 gets a suffix',
      clusterId: 'dev',
      family: 'IPv6',
      expected: 'exp-dev-01jd6y8c3k2v7d9q4r5s6t7v8w-v6',
    },
    {
      name: 'the longest cluster id, IPv6',
      clusterId: longestClusterId,
      family: 'IPv6',
      expected: `exp-${longestClusterId}-01jd6y8c3k2v7d9q4r5s6t7v8w-v6`,
    },
  ];
  for (const c of cases) {
    test(`is exactly the expected name: ${c.name}`, () => {
      assert.equal(firewallRuleName(c.clusterId, id, c.family), c.expected);
    });
  }

  test('differs between the families, the cluster ids and the exposures', () => {
    const other: ExposureId = 'exp_01jd6y8c3k2v7d9q4r5s6t7v8x';
    const names = new Set([
      firewallRuleName('dev', id, 'IPv4'),
      firewallRuleName('dev', id, 'IPv6'),
      firewallRuleName('prod', id, 'IPv4'),
      firewallRuleName('prod', id, 'IPv6'),
      firewallRuleName('dev', other, 'IPv4'),
      firewallRuleName('dev', other, 'IPv6'),
    ]);
    assert.equal(names.size, 6);
  });

  test('the prefix names the cluster id', () => {
    assert.equal(firewallRulePrefix('dev'), 'exp-dev-');
  });
});

describe('isManagedLabelKey', () => {
  const cases: { key: string; managed: boolean }[] = [
    { key: MANAGED_BY_LABEL, managed: true },
    { key: 'app.kubernetes.io/managed-by', managed: true },
    { key: EXPOSURE_ID_LABEL, managed: true },
    { key: 'exposure-api.io/id', managed: true },
    { key: 'exposure-api.io/anything-else', managed: true },
    { key: 'app', managed: false },
    { key: 'team', managed: false },
    { key: 'app.kubernetes.io/name', managed: false },
    { key: 'managed-by', managed: false },
    { key: 'exposure-api.io', managed: false },
    { key: 'sub.exposure-api.io/id', managed: false },
    { key: 'exposure-api.iox/id', managed: false },
  ];
  for (const c of cases) {
    test(`'${c.key}' ${c.managed ? 'is' : 'is not'} managed`, () => {
      assert.equal(isManagedLabelKey(c.key), c.managed);
    });
  }
});

describe('managed names', () => {
  test('the managed selector selects on the managed-by label', () => {
    assert.equal(MANAGED_SELECTOR, `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}`);
    assert.equal(MANAGED_SELECTOR, 'app.kubernetes.io/managed-by=exposure-api');
  });
  test('the finalizer is a qualified name under the service prefix', () => {
    assert.equal(FIREWALL_FINALIZER, 'exposure-api.io/firewall-cleanup');
  });
});
