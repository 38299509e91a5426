// The plugin's routes against a sandbox: an entity's exposures are those of its namespace matching
// its selector, never another team's; every route asks the permission framework; exposure-api's
// problems come back as Backstage errors.
import '../../../test-support/jest-shim.ts';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { mockCredentials } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { createExposureClient, type ExposureClient } from '@exposure-api/client';
import type { TestBackend } from '../../../test-support/backend.ts';
import { SANDBOX_TOKENS, type Sandbox, startExposureSandbox } from '../../../test-support/sandbox.ts';
import { callPlugin, startPluginBackend } from './plugin-backend.ts';

const SEARCH_ES = '/entities/default/component/search-es/exposures';
const BILLING = '/entities/default/component/billing/exposures';
const SNEAKY = '/entities/default/component/sneaky/exposures';

let sandbox: Sandbox;
let exposures: ExposureClient;
const ids: Record<'elasticsearch' | 'other' | 'billing', string> = {
  elasticsearch: '',
  other: '',
  billing: '',
};

async function expose(namespace: string, name: string, app: string): Promise<string> {
  const { value } = await exposures.create({
    namespace,
    name,
    selector: { app },
    ports: [{ name: 'http', port: 9200 }],
    sourceRanges: ['203.0.113.0/24'],
    labels: { app },
  });
  return value.id;
}

before(async () => {
  sandbox = await startExposureSandbox();
  exposures = createExposureClient({ baseUrl: sandbox.apiUrl, token: SANDBOX_TOKENS.admin.token });
  ids.elasticsearch = await expose('search', 'es-a', 'elasticsearch');
  ids.other = await expose('search', 'es-other', 'other');
  ids.billing = await expose('payments', 'billing', 'billing');
});
after(() => sandbox?.close());

describe('with the permission', () => {
  let backend: TestBackend;
  before(async () => {
    backend = await startPluginBackend({ exposureApiUrl: sandbox.apiUrl });
  });
  after(() => backend?.stop());

  test("an entity's exposures: its namespace, matching its label selector", async () => {
    const list = await callPlugin(backend, 'GET', SEARCH_ES);
    assert.equal(list.status, 200, JSON.stringify(list.body));
    assert.deepEqual(
      list.body.items?.map((item) => item.id),
      [ids.elasticsearch],
    );
    const read = await callPlugin(backend, 'GET', `${SEARCH_ES}/${ids.elasticsearch}`);
    assert.equal(read.status, 200);
    assert.equal(read.body.id, ids.elasticsearch);
    const billing = await callPlugin(backend, 'GET', BILLING);
    assert.deepEqual(
      billing.body.items?.map((item) => item.id),
      [ids.billing],
    );
  });

  test('an annotation pointing at another namespace yields nothing: no list, no read, no delete', async () => {
    const list = await callPlugin(backend, 'GET', SNEAKY);
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.items, []);
    for (const method of ['GET', 'DELETE'] as const) {
      const answer = await callPlugin(backend, method, `${SNEAKY}/${ids.billing}`);
      assert.equal(answer.status, 404, `${method}: ${JSON.stringify(answer.body)}`);
      assert.equal(answer.body.error?.name, 'NotFoundError');
    }
    assert.equal(
      (await exposures.get(ids.billing)).value.id,
      ids.billing,
      'the payments exposure is still there',
    );
  });

  test("another entity's exposure, or one its selector does not match, is a 404 through this entity", async () => {
    for (const path of [`${BILLING}/${ids.elasticsearch}`, `${SEARCH_ES}/${ids.other}`]) {
      const answer = await callPlugin(backend, 'GET', path);
      assert.equal(answer.status, 404, path);
      assert.equal(answer.body.error?.name, 'NotFoundError');
    }
  });

  test('an entity without the annotations has no exposures', async () => {
    const list = await callPlugin(backend, 'GET', '/entities/default/component/unannotated/exposures');
    assert.deepEqual(list.body.items, []);
  });

  test("exposure-api's problems and the plugin's own refusals arrive as Backstage errors", async () => {
    const cases = [
      // exposure-api cannot parse the entity's selector: its 400 problem, detail included.
      {
        path: '/entities/default/component/bad-selector/exposures',
        status: 400,
        name: 'InputError',
        message: /label selector cannot be parsed/,
      },
      {
        path: '/entities/default/component/nobody/exposures',
        status: 404,
        name: 'NotFoundError',
        message: /no entity component:default\/nobody/,
      },
      {
        path: `${SEARCH_ES}/exp_,app=billing`,
        status: 400,
        name: 'InputError',
        message: /is not an exposure id/,
      },
      {
        path: `${SEARCH_ES}/exp_01jd6y8c3k2v7d9q4r5s6t7u8w`,
        status: 404,
        name: 'NotFoundError',
        message: /no exposure exp_01jd6y8c3k2v7d9q4r5s6t7u8w/,
      },
    ];
    for (const expected of cases) {
      const answer = await callPlugin(backend, 'GET', expected.path);
      assert.equal(answer.status, expected.status, expected.path);
      assert.equal(answer.body.error?.name, expected.name, expected.path);
      assert.match(answer.body.error?.message ?? '', expected.message);
    }
    const unauthenticated = await callPlugin(backend, 'GET', SEARCH_ES, mockCredentials.none.header());
    assert.equal(unauthenticated.status, 401);
    const service = await callPlugin(backend, 'GET', SEARCH_ES, mockCredentials.service.header());
    assert.equal(service.body.error?.name, 'NotAllowedError', 'the routes act for a signed-in user only');
  });

  test('delete removes the exposure', async () => {
    const id = await expose('search', 'es-to-delete', 'elasticsearch');
    const deleted = await callPlugin(backend, 'DELETE', `${SEARCH_ES}/${id}`);
    assert.equal(deleted.status, 204, JSON.stringify(deleted.body));
    const gone = await exposures.get(id).catch((error: { status?: number }) => error.status);
    assert.equal(gone, 404);
  });

  test("the plugin's permissions are registered with the permission framework", async () => {
    const metadata = await fetch(
      `${backend.url}/api/exposure-api/.well-known/backstage/permissions/metadata`,
      {
        headers: { authorization: mockCredentials.service.header() },
      },
    );
    const body = (await metadata.json()) as { permissions: { name: string; resourceType?: string }[] };
    assert.deepEqual(
      body.permissions.map((permission) => `${permission.name} on ${permission.resourceType}`),
      ['exposure-api.exposure.read on catalog-entity', 'exposure-api.exposure.delete on catalog-entity'],
    );
  });
});

describe('without the permission', () => {
  let backend: TestBackend;
  before(async () => {
    backend = await startPluginBackend({ exposureApiUrl: sandbox.apiUrl, permission: AuthorizeResult.DENY });
  });
  after(() => backend?.stop());

  test('every route answers 403 NotAllowedError, and nothing is deleted', async () => {
    for (const [method, path] of [
      ['GET', SEARCH_ES],
      ['GET', `${SEARCH_ES}/${ids.elasticsearch}`],
      ['GET', `${SEARCH_ES}/${ids.elasticsearch}/watch`],
      ['DELETE', `${SEARCH_ES}/${ids.elasticsearch}`],
    ] as const) {
      const answer = await callPlugin(backend, method, path);
      assert.equal(answer.status, 403, `${method} ${path}`);
      assert.equal(answer.body.error?.name, 'NotAllowedError');
    }
    assert.equal((await exposures.get(ids.elasticsearch)).value.id, ids.elasticsearch);
  });
});
