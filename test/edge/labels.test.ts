// Reserved label keys and oversized label sets are refused on create and on PATCH, naming the key,
// and nothing is written.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Sandbox } from '../../src/sandbox/sandbox.ts';
import type { Exposure } from '../../src/schemas/exposure.ts';
import { createRequest } from '../builders/create-request.ts';
import { call, footprint, SEARCH_TEAM, startTestSandbox } from '../support/test-sandbox.ts';

interface ValidationProblem {
  type: string;
  errors: { pointer: string; detail: string }[];
}

describe('labels on create and PATCH', () => {
  let sandbox: Sandbox;
  let created = 0;
  before(async () => {
    sandbox = await startTestSandbox({ withDemoWorkload: false });
  });
  after(() => sandbox.close());

  const create = (labels: Record<string, string> | undefined, overrides: Record<string, unknown> = {}) =>
    call<ValidationProblem & Exposure>(sandbox, {
      method: 'POST',
      url: '/exposures',
      headers: { authorization: SEARCH_TEAM, 'content-type': 'application/json' },
      payload: JSON.stringify(
        createRequest({
          name: `labelled-${++created}`,
          ports: [{ name: 'http', port: 9200 }],
          labels,
          ...overrides,
        }),
      ),
    });

  const patch = (id: string, labels: Record<string, string | null>) =>
    call<ValidationProblem & Exposure>(sandbox, {
      method: 'PATCH',
      url: `/exposures/${id}`,
      headers: { authorization: SEARCH_TEAM, 'content-type': 'application/merge-patch+json' },
      payload: JSON.stringify({ labels }),
    });

  for (const key of [
    'kubernetes.io/foo',
    'k8s.io/foo',
    'service.kubernetes.io/service-proxy-name',
    'service.kubernetes.io/headless',
    'node.k8s.io/foo',
    'exposure-api.io/id',
    'team.exposure-api.io/x',
    'app.kubernetes.io/managed-by',
  ]) {
    test(`a create with ${key} is a 400 naming the key, and writes nothing`, async () => {
      const before = footprint(sandbox);
      const response = await create({ [key]: 'x' });
      assert.equal(response.status, 400, JSON.stringify(response.body));
      assert.equal(response.body.type, '/problems/validation-failed');
      assert.deepEqual(
        response.body.errors.map((error) => error.pointer),
        [`/labels/${key.replaceAll('/', '~1')}`],
      );
      assert.deepEqual(footprint(sandbox), before);
    });
  }

  test('the recommended app.kubernetes.io/name label is accepted', async () => {
    const response = await create({ 'app.kubernetes.io/name': 'elasticsearch' });
    assert.equal(response.status, 201, JSON.stringify(response.body));
    assert.equal(response.body.labels['app.kubernetes.io/name'], 'elasticsearch');
  });

  test('a create with 33 labels, or with more than 4 KiB of them, is a 400 on /labels', async () => {
    const many = Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`l${i}`, 'v']));
    const tooMany = await create(many);
    assert.equal(tooMany.status, 400);
    assert.ok(
      tooMany.body.errors.some((error) => error.pointer === '/labels'),
      JSON.stringify(tooMany.body),
    );
    const large = Object.fromEntries(
      Array.from({ length: 30 }, (_, i) => [`example.com/${'k'.repeat(60)}${i}`, 'v'.repeat(63)]),
    );
    const tooLarge = await create(large);
    assert.equal(tooLarge.status, 400);
    assert.deepEqual(
      tooLarge.body.errors.map((error) => [error.pointer, /4096 bytes/.test(error.detail)]),
      [['/labels', true]],
    );
  });

  test('a PATCH that would leave more than 32 labels, or sets a reserved key, is a 400; within the caps it lands', async () => {
    const exposure = await create(Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`l${i}`, 'v'])));
    assert.equal(exposure.status, 201);
    const id = exposure.body.id;
    const over = await patch(id, { a: '1', b: '2', c: '3' });
    assert.equal(over.status, 400);
    assert.deepEqual(
      over.body.errors.map((error) => error.pointer),
      ['/labels'],
    );
    const reserved = await patch(id, { 'service.kubernetes.io/headless': '' });
    assert.equal(reserved.status, 400);
    assert.deepEqual(
      reserved.body.errors.map((error) => error.pointer),
      ['/labels/service.kubernetes.io~1headless'],
    );
    const swapped = await patch(id, { l0: null, l1: null, a: '1', b: '2', c: '3', d: '4' });
    assert.equal(swapped.status, 200, JSON.stringify(swapped.body));
    assert.equal(Object.keys(swapped.body.labels).length, 32);
    const service = sandbox.cluster.allServices().find((s) => s.name === exposure.body.name);
    assert.equal(service?.labels['service.kubernetes.io/headless'], undefined);
  });

  // Last: its exposures get rules a moment later, which the footprint checks above would see.
  test("a create without labels gives the Service its selector's labels (not reserved ones), as kubectl expose does", async () => {
    const response = await create(undefined, {
      selector: { app: 'elasticsearch', 'kubernetes.io/os': 'linux' },
    });
    assert.equal(response.status, 201, JSON.stringify(response.body));
    assert.deepEqual(response.body.labels, { app: 'elasticsearch' });
    const service = sandbox.cluster.allServices().find((s) => s.name === response.body.name);
    assert.equal(service?.labels.app, 'elasticsearch', 'kubectl get svc -l app=elasticsearch finds it');
    assert.equal(service?.labels['kubernetes.io/os'], undefined);
    const found = await call<{ items: Exposure[] }>(sandbox, {
      method: 'GET',
      url: `/exposures?labelSelector=${encodeURIComponent('app=elasticsearch')}`,
      headers: { authorization: SEARCH_TEAM },
    });
    assert.ok(found.body.items.some((item) => item.id === response.body.id));
    const none = await create({});
    assert.equal(none.status, 201);
    assert.deepEqual(none.body.labels, {}, 'explicit empty labels stay empty');
  });
});
