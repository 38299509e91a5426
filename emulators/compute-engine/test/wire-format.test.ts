// The emulator against the recorded exchanges of the real Compute Engine API: error envelopes,
// operations that start RUNNING and end DONE, server-side defaults, writes, and quota failures
// that arrive inside a DONE operation.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type ComputeEmulator, startComputeEmulator } from '../src/index.ts';
import { computeWire, ruleBody, type WireResponse } from './wire.ts';

const jsonContentType = 'application/json; charset=UTF-8';

/** The keys of an operation in the recording, RUNNING (DONE adds `endTime`). */
const recordedOperationKeys = [
  'id',
  'insertTime',
  'kind',
  'name',
  'operationType',
  'progress',
  'selfLink',
  'startTime',
  'status',
  'targetId',
  'targetLink',
  'user',
];

function operationName(response: WireResponse): string {
  return (response.json as { name: string }).name;
}

describe('compute emulator wire format', () => {
  let emulator: ComputeEmulator;
  let api: ReturnType<typeof computeWire>;

  before(async () => {
    emulator = await startComputeEmulator({ operationDoneAfterMs: 150 });
    api = computeWire(emulator.url, 'p');
  });
  after(() => emulator.close());

  test('a missing rule is a 404 with the exact envelope of the real API', async () => {
    const response = await api.get('missing-rule');
    assert.equal(response.status, 404);
    assert.equal(response.contentType, jsonContentType);
    const message = "The resource 'projects/p/global/firewalls/missing-rule' was not found";
    assert.deepEqual(response.json, {
      error: { code: 404, message, errors: [{ domain: 'global', reason: 'notFound', message }] },
    });
  });

  test('insert answers 200 with a RUNNING operation that a poll later reports DONE', async () => {
    const inserted = await api.insert(ruleBody('op-lifecycle'));
    assert.equal(inserted.status, 200);
    const running = inserted.json as Record<string, unknown>;
    assert.deepEqual(Object.keys(running).sort(), recordedOperationKeys);
    assert.partialDeepStrictEqual(running, {
      kind: 'compute#operation',
      operationType: 'insert',
      status: 'RUNNING',
      progress: 0,
      targetLink: 'https://www.googleapis.com/compute/v1/projects/p/global/firewalls/op-lifecycle',
      user: 'user@example.com',
    });
    const name = operationName(inserted);
    assert.match(name, /^operation-\d+-[0-9a-f]{13}-[0-9a-f]{8}-[0-9a-f]{8}$/);
    assert.equal(
      running.selfLink,
      `https://www.googleapis.com/compute/v1/projects/p/global/operations/${name}`,
    );
    assert.match(String(running.id), /^\d+$/);

    const polledEarly = await api.operation(name);
    assert.equal((polledEarly.json as { status: string }).status, 'RUNNING');

    const waited = await api.wait(name);
    assert.equal(waited.status, 200);
    const done = waited.json as Record<string, unknown>;
    assert.deepEqual(Object.keys(done).sort(), [...recordedOperationKeys, 'endTime'].sort());
    assert.partialDeepStrictEqual(done, { status: 'DONE', progress: 100, name, id: running.id });
    assert.equal(((await api.operation(name)).json as { status: string }).status, 'DONE');
    assert.ok(Date.parse(String(done.endTime)) >= Date.parse(String(done.insertTime)));
  });

  test('get fills in the server-side defaults exactly as the recording shows', async () => {
    // The request body of the recording's insert, byte for byte in meaning.
    await api.insert({
      allowed: [
        { IPProtocol: 'tcp', ports: ['80', '1000-2000'] },
        { IPProtocol: 'udp', ports: ['1184', '2'] },
      ],
      disabled: false,
      logConfig: { enable: false },
      name: 'recorded-rule',
      network: 'projects/p/global/networks/recorded-network',
      priority: 1000,
    });
    const response = await api.get('recorded-rule');
    assert.equal(response.status, 200);
    const rule = response.json as Record<string, unknown>;
    assert.match(String(rule.id), /^\d+$/);
    assert.ok(!Number.isNaN(Date.parse(String(rule.creationTimestamp))));
    assert.deepEqual(rule, {
      allowed: [
        { IPProtocol: 'tcp', ports: ['80', '1000-2000'] },
        { IPProtocol: 'udp', ports: ['1184', '2'] },
      ],
      creationTimestamp: rule.creationTimestamp,
      description: '',
      direction: 'INGRESS',
      disabled: false,
      enableLogging: false,
      id: rule.id,
      kind: 'compute#firewall',
      logConfig: { enable: false },
      name: 'recorded-rule',
      network: 'https://www.googleapis.com/compute/v1/projects/p/global/networks/recorded-network',
      priority: 1000,
      selfLink: 'https://www.googleapis.com/compute/v1/projects/p/global/firewalls/recorded-rule',
      sourceRanges: ['0.0.0.0/0'],
    });
  });

  test('an INGRESS rule with source tags only gets no 0.0.0.0/0 default', async () => {
    await api.insert(ruleBody('tagged-source', { sourceRanges: undefined, sourceTags: ['client'] }));
    const rule = (await api.get('tagged-source')).json as Record<string, unknown>;
    assert.equal(rule.sourceRanges, undefined);
    assert.deepEqual(rule.sourceTags, ['client']);
  });

  test('networks given as full URLs on any host come back on the real base URL', async () => {
    await api.insert(
      ruleBody('url-network', { network: 'http://127.0.0.1:1/compute/v1/projects/p/global/networks/vpc-a' }),
    );
    const rule = (await api.get('url-network')).json as Record<string, unknown>;
    assert.equal(rule.network, 'https://www.googleapis.com/compute/v1/projects/p/global/networks/vpc-a');
  });

  test('creating a name that exists is a 409 alreadyExists', async () => {
    await api.insert(ruleBody('taken'));
    const response = await api.insert(ruleBody('taken'));
    assert.equal(response.status, 409);
    const message = "The resource 'projects/p/global/firewalls/taken' already exists";
    assert.deepEqual(response.json, {
      error: { code: 409, message, errors: [{ domain: 'global', reason: 'alreadyExists', message }] },
    });
  });

  test('patch replaces the given lists, keeps the rest and answers a patch operation', async () => {
    await api.insert(ruleBody('patched', { description: 'owner', priority: 900 }));
    const before = (await api.get('patched')).json as Record<string, unknown>;
    const patched = await api.patch('patched', { sourceRanges: ['198.51.100.0/24'], disabled: true });
    assert.equal(patched.status, 200);
    assert.partialDeepStrictEqual(patched.json, { operationType: 'patch', status: 'RUNNING' });
    assert.equal((await api.wait(operationName(patched))).status, 200);
    const after = (await api.get('patched')).json as Record<string, unknown>;
    assert.deepEqual(after, { ...before, sourceRanges: ['198.51.100.0/24'], disabled: true });
  });

  test('patch with null clears a field (JSON merge patch)', async () => {
    await api.insert(ruleBody('merge-null', { description: 'to be cleared' }));
    await api.patch('merge-null', { description: null });
    assert.equal(((await api.get('merge-null')).json as { description: string }).description, '');
  });

  test('a patch that would combine target tags and service accounts is refused', async () => {
    await api.insert(ruleBody('combined'));
    const response = await api.patch('combined', { targetServiceAccounts: ['sa@p.iam.gserviceaccount.com'] });
    assert.equal(response.status, 400);
    assert.partialDeepStrictEqual(response.json, { error: { code: 400, errors: [{ reason: 'invalid' }] } });
  });

  test('update (PUT) replaces the whole rule: fields left out take their defaults again', async () => {
    await api.insert(ruleBody('replaced', { description: 'old', priority: 10, targetTags: ['a'] }));
    const original = (await api.get('replaced')).json as Record<string, unknown>;
    const updated = await api.update('replaced', {
      name: 'replaced',
      allowed: [{ IPProtocol: 'udp', ports: ['30053'] }],
      sourceRanges: ['10.0.0.0/8'],
      targetServiceAccounts: ['node@p.iam.gserviceaccount.com'],
    });
    assert.equal(updated.status, 200);
    assert.partialDeepStrictEqual(updated.json, { operationType: 'update', status: 'RUNNING' });
    const rule = (await api.get('replaced')).json as Record<string, unknown>;
    assert.equal(rule.id, original.id);
    assert.equal(rule.creationTimestamp, original.creationTimestamp);
    assert.equal(rule.description, '');
    assert.equal(rule.priority, 1000);
    assert.equal(rule.targetTags, undefined);
    assert.deepEqual(rule.targetServiceAccounts, ['node@p.iam.gserviceaccount.com']);
    assert.equal(
      rule.network,
      'https://www.googleapis.com/compute/v1/projects/p/global/networks/default',
      'PUT without a network keeps the default network',
    );
  });

  test('update with a name different from the URL is refused', async () => {
    await api.insert(ruleBody('named'));
    const response = await api.update('named', ruleBody('other-name'));
    assert.equal(response.status, 400);
  });

  test('delete answers a delete operation and the rule is gone', async () => {
    await api.insert(ruleBody('deleted'));
    const deleted = await api.delete('deleted');
    assert.equal(deleted.status, 200);
    assert.partialDeepStrictEqual(deleted.json, {
      operationType: 'delete',
      status: 'RUNNING',
      targetLink: 'https://www.googleapis.com/compute/v1/projects/p/global/firewalls/deleted',
    });
    assert.equal((await api.get('deleted')).status, 404);
    assert.equal((await api.delete('deleted')).status, 404);
  });

  test('patch, update and delete of a missing rule are 404s', async () => {
    for (const response of [
      await api.patch('nowhere', { disabled: true }),
      await api.update('nowhere', ruleBody('nowhere')),
      await api.delete('nowhere'),
    ]) {
      assert.equal(response.status, 404);
      assert.partialDeepStrictEqual(response.json, { error: { errors: [{ reason: 'notFound' }] } });
    }
  });

  test('an unknown operation is a 404 naming the operation path', async () => {
    const response = await api.operation('operation-0-x');
    assert.equal(response.status, 404);
    assert.partialDeepStrictEqual(response.json, {
      error: { message: "The resource 'projects/p/global/operations/operation-0-x' was not found" },
    });
  });
});

describe('compute emulator firewall quota', () => {
  test('the default quota is 500 rules per project; the 501st insert fails inside its operation', async () => {
    const emulator = await startComputeEmulator({ operationDoneAfterMs: 0 });
    try {
      const api = computeWire(emulator.url, 'p');
      for (let index = 0; index < 500; index++) {
        assert.equal((await api.insert(ruleBody(`rule-${index}`))).status, 200);
      }
      const over = await api.insert(ruleBody('rule-500'));
      assert.equal(over.status, 200, 'the insert itself is accepted');
      assert.equal((over.json as { status: string }).status, 'RUNNING');
      const done = (await api.wait(operationName(over))).json as Record<string, unknown>;
      assert.partialDeepStrictEqual(done, {
        status: 'DONE',
        operationType: 'insert',
        httpErrorStatusCode: 403,
        httpErrorMessage: 'FORBIDDEN',
        error: {
          errors: [{ code: 'QUOTA_EXCEEDED', message: "Quota 'FIREWALLS' exceeded. Limit: 500.0 globally." }],
        },
      });
      assert.equal((await api.get('rule-500')).status, 404);
      assert.equal(emulator.rules('p').length, 500);
      assert.equal(emulator.rules('other').length, 0, 'quota and rules are per project');
    } finally {
      await emulator.close();
    }
  });

  test('setQuota lowers the limit of one project', async () => {
    const emulator = await startComputeEmulator({ operationDoneAfterMs: 0 });
    try {
      emulator.setQuota('small', 1);
      const small = computeWire(emulator.url, 'small');
      await small.insert(ruleBody('first'));
      const second = await small.insert(ruleBody('second'));
      const done = (await small.operation(operationName(second))).json;
      assert.partialDeepStrictEqual(done, {
        error: {
          errors: [{ code: 'QUOTA_EXCEEDED', message: "Quota 'FIREWALLS' exceeded. Limit: 1.0 globally." }],
        },
      });
      const other = computeWire(emulator.url, 'other');
      await other.insert(ruleBody('first'));
      const accepted = (await other.operation(operationName(await other.insert(ruleBody('second'))))).json;
      assert.equal((accepted as { error?: unknown }).error, undefined);
    } finally {
      await emulator.close();
    }
  });
});
