// Partial responses: the `fields` system parameter (or its header form, X-Goog-FieldMask) keeps
// only the selected fields of a list or a rule, and a selection of a field the resource does not
// have is refused.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type ComputeEmulator, startComputeEmulator } from '../src/index.ts';
import { computeWire, ruleBody, wire } from './wire.ts';

describe('compute emulator partial responses', () => {
  let emulator: ComputeEmulator;
  let api: ReturnType<typeof computeWire>;
  const listPath = '/compute/v1/projects/p/global/firewalls?alt=json&maxResults=1';

  before(async () => {
    emulator = await startComputeEmulator();
    api = computeWire(emulator.url, 'p');
    await api.insert(ruleBody('rule-a', { description: 'a' }));
    await api.insert(ruleBody('rule-b', { description: 'b' }));
  });
  after(() => emulator.close());

  test('fields on a list keeps the selected fields of each item and the page token', async () => {
    const response = await api.list(
      `&maxResults=1&fields=${encodeURIComponent('items(name,sourceRanges,allowed/ports),nextPageToken')}`,
    );
    assert.equal(response.status, 200);
    assert.deepEqual(response.json, {
      items: [{ name: 'rule-a', sourceRanges: ['203.0.113.0/24'], allowed: [{ ports: ['30920'] }] }],
      nextPageToken: (response.json as { nextPageToken: string }).nextPageToken,
    });
    assert.ok((response.json as { nextPageToken?: string }).nextPageToken);
  });

  test('the X-Goog-FieldMask header does the same as the query parameter', async () => {
    const header = await wire(emulator.url, 'GET', listPath, undefined, {
      'X-Goog-FieldMask': 'items(name,description),nextPageToken',
    });
    const query = await wire(
      emulator.url,
      'GET',
      `${listPath}&fields=${encodeURIComponent('items(name,description),nextPageToken')}`,
    );
    assert.equal(header.status, 200);
    assert.deepEqual(header.json, query.json);
    assert.deepEqual(Object.keys((header.json as { items: object[] }).items[0] ?? {}), [
      'name',
      'description',
    ]);
  });

  test('fields on a get; `*` inside a selection keeps everything at its level', async () => {
    const rule = await wire(
      emulator.url,
      'GET',
      '/compute/v1/projects/p/global/firewalls/rule-b?fields=name,allowed(*)',
    );
    assert.deepEqual(rule.json, { name: 'rule-b', allowed: [{ IPProtocol: 'tcp', ports: ['30920'] }] });
  });

  test('a field the resource does not have, or a malformed selection, is a 400', async () => {
    for (const fields of ['items(name,labels)', 'nosuchfield', 'items(name', 'items(),']) {
      const response = await api.list(`&fields=${encodeURIComponent(fields)}`);
      assert.equal(response.status, 400, fields);
      const error = (response.json as { error: { errors: { reason: string }[] } }).error;
      assert.equal(error.errors[0]?.reason, 'invalidParameter');
    }
  });

  test('errors are not filtered', async () => {
    const missing = await wire(
      emulator.url,
      'GET',
      '/compute/v1/projects/p/global/firewalls/none?fields=name',
    );
    assert.equal(missing.status, 404);
    assert.equal((missing.json as { error: { code: number } }).error.code, 404);
  });
});
