// How the Kubernetes adapter classifies what runs out: a ResourceQuota's refusal (the figures read
// from the message quota admission writes) and a full node-port range. The bodies are the
// apiserver's real answers, recorded from the test control plane, wrapped as client-node 2.x does.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ApiException } from '@kubernetes/client-node';
import { toClusterError } from '../../../src/adapters/kubernetes/kubernetes-errors.ts';
import { parseQuotaRefusal, wholeQuantity } from '../../../src/adapters/kubernetes/quota-message.ts';

function answer(code: number, reason: string, message: string, details: object): ApiException<string> {
  const body = JSON.stringify({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    details,
    code,
  });
  return new ApiException(code, 'Unknown API Status Code!', body, {});
}

const exceeded = (message: string) =>
  answer(403, 'Forbidden', `services "c" is forbidden: ${message}`, { name: 'c', kind: 'services' });

describe('toClusterError: quotas and capacity', () => {
  test('exceeded quota (403) is QuotaExceeded, with the quota and its figures', () => {
    const error = toClusterError(
      exceeded(
        'exceeded quota: tenant-quota, requested: services.nodeports=1, used: services.nodeports=2, limited: services.nodeports=2',
      ),
    );
    assert.equal(error.kind, 'QuotaExceeded');
    assert.deepEqual(error.quota, {
      name: 'tenant-quota',
      exceeded: [{ resource: 'services.nodeports', requested: 1, used: 2, limit: 2 }],
    });
  });

  test('several resources exceeded at once are all listed', () => {
    const error = toClusterError(
      exceeded(
        'exceeded quota: q, requested: count/services=1,services.nodeports=3, used: count/services=5,services.nodeports=9, limited: count/services=5,services.nodeports=10',
      ),
    );
    assert.deepEqual(error.quota?.exceeded, [
      { resource: 'count/services', requested: 1, used: 5, limit: 5 },
      { resource: 'services.nodeports', requested: 3, used: 9, limit: 10 },
    ]);
  });

  test('quota admission waiting for the quota controller (status unknown) is Unavailable: retry shortly', () => {
    const error = toClusterError(
      exceeded('status unknown for quota: tenant-quota, resource: services.nodeports'),
    );
    assert.equal(error.kind, 'Unavailable');
    assert.equal(error.retryAfterSeconds, 5);
  });

  test("any other 403 is still exposure-api's own missing permission", () => {
    const error = toClusterError(
      answer(
        403,
        'Forbidden',
        'services is forbidden: User "exposure-api" cannot create resource "services"',
        {
          kind: 'services',
        },
      ),
    );
    assert.equal(error.kind, 'Forbidden');
  });

  test('a full node-port range (500 InternalError) is NodePortRangeFull, not an outage', () => {
    const error = toClusterError(
      answer(500, 'InternalError', 'Internal error occurred: failed to allocate a nodePort: range is full', {
        causes: [{ message: 'failed to allocate a nodePort: range is full' }],
      }),
    );
    assert.equal(error.kind, 'NodePortRangeFull');
  });

  test('any other 500 is still Unavailable', () => {
    const error = toClusterError(
      answer(500, 'InternalError', 'Internal error occurred: etcdserver: leader changed', {}),
    );
    assert.equal(error.kind, 'Unavailable');
  });
});

describe('quota figures', () => {
  test('whole quantities with suffixes are read; fractions are not', () => {
    assert.equal(wholeQuantity('2'), 2);
    assert.equal(wholeQuantity('1k'), 1000);
    assert.equal(wholeQuantity('4Ki'), 4096);
    assert.equal(wholeQuantity('500m'), undefined);
    assert.equal(wholeQuantity('1e3'), undefined);
  });

  test('a figure that is not a whole number leaves that resource out, the quota still named', () => {
    assert.deepEqual(
      parseQuotaRefusal(
        'exceeded quota: mixed, requested: requests.cpu=500m,services=1, used: requests.cpu=1500m,services=4, limited: requests.cpu=2,services=4',
      ),
      { name: 'mixed', exceeded: [{ resource: 'services', requested: 1, used: 4, limit: 4 }] },
    );
  });

  test('a message that is not a quota refusal is not read as one', () => {
    assert.equal(
      parseQuotaRefusal('services is forbidden: User "x" cannot create resource "services"'),
      undefined,
    );
  });
});
