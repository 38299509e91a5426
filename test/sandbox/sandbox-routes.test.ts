// The sandbox's node controls and ResourceQuotas take the admin token; its events and quotas show a
// caller only its own namespaces'.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Sandbox } from '../../src/sandbox/sandbox.ts';
import { createRequest } from '../builders/create-request.ts';
import { eventually } from '../support/eventually.ts';
import { ADMIN, call, SEARCH_TEAM, startTestSandbox } from '../support/test-sandbox.ts';

describe('sandbox routes', () => {
  let sandbox: Sandbox;
  before(async () => {
    sandbox = await startTestSandbox();
  });
  after(() => sandbox.close());

  test('failing or restoring a node needs a token, and one that may use every namespace', async () => {
    for (const action of ['fail', 'restore']) {
      const url = `/sandbox/nodes/sandbox-node-2/${action}`;
      assert.equal((await call(sandbox, { method: 'POST', url })).status, 401);
      const tenant = await call<{ type: string }>(sandbox, {
        method: 'POST',
        url,
        headers: { authorization: SEARCH_TEAM },
      });
      assert.equal(tenant.status, 403);
      assert.equal(tenant.body.type, '/problems/forbidden');
      assert.equal(sandbox.world.nodeStates().find((node) => node.name === 'sandbox-node-2')?.failed, false);
    }
    const failed = await call<{ node: { failed: boolean } }>(sandbox, {
      method: 'POST',
      url: '/sandbox/nodes/sandbox-node-2/fail',
      headers: { authorization: ADMIN },
    });
    assert.equal(failed.status, 200);
    assert.equal(failed.body.node.failed, true);
    const restored = await call<{ node: { failed: boolean } }>(sandbox, {
      method: 'POST',
      url: '/sandbox/nodes/sandbox-node-2/restore',
      headers: { authorization: ADMIN },
    });
    assert.equal(restored.body.node.failed, false);
  });

  test("setting a ResourceQuota takes the admin token; a tenant reads only its own namespace's", async () => {
    const url = '/sandbox/namespaces/search/resourcequotas/tenant-quota';
    const put = (authorization?: string) =>
      call<{ type?: string; resourceQuotas?: unknown[] }>(sandbox, {
        method: 'PUT',
        url,
        headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
        payload: JSON.stringify({ hard: { 'services.nodeports': 3 } }),
      });
    assert.equal((await put()).status, 401);
    const tenant = await put(SEARCH_TEAM);
    assert.equal(tenant.status, 403);
    assert.equal(tenant.body.type, '/problems/forbidden');
    assert.deepEqual(sandbox.cluster.resourceQuotas('search'), []);
    try {
      assert.equal((await put(ADMIN)).status, 200);
      const own = await call<{ resourceQuotas: unknown[] }>(sandbox, {
        method: 'GET',
        url: '/sandbox/namespaces/search/resourcequotas',
        headers: { authorization: SEARCH_TEAM },
      });
      assert.equal(own.status, 200);
      assert.equal(own.body.resourceQuotas.length, 1);
      const other = await call<{ type: string }>(sandbox, {
        method: 'GET',
        url: '/sandbox/namespaces/payments/resourcequotas',
        headers: { authorization: SEARCH_TEAM },
      });
      assert.equal(other.status, 403);
      assert.equal(other.body.type, '/problems/forbidden');
    } finally {
      sandbox.cluster.deleteResourceQuota('search', 'tenant-quota');
    }
  });

  test("the events show a caller only its own namespaces' events", async () => {
    for (const namespace of ['search', 'payments']) {
      const created = await call(sandbox, {
        method: 'POST',
        url: '/exposures',
        headers: { authorization: ADMIN, 'content-type': 'application/json', prefer: 'wait=5' },
        payload: JSON.stringify(
          createRequest({
            namespace,
            name: `events-${namespace}`,
            ports: [{ name: 'http', port: 9200 }],
          }),
        ),
      });
      assert.equal(created.status, 201);
    }
    type Events = { events: { involvedObject: { namespace: string } }[] };
    const namespacesSeen = async (authorization: string) => {
      const response = await call<Events>(sandbox, {
        method: 'GET',
        url: '/sandbox/events',
        headers: { authorization },
      });
      assert.equal(response.status, 200);
      return [...new Set(response.body.events.map((event) => event.involvedObject.namespace))].sort();
    };
    await eventually(
      () => namespacesSeen(ADMIN),
      (seen) => seen.join() === 'payments,search',
      { what: 'events of both namespaces' },
    );
    assert.deepEqual(await namespacesSeen(SEARCH_TEAM), ['search']);
    assert.equal((await call(sandbox, { method: 'GET', url: '/sandbox/events' })).status, 401);
  });
});
