// The typed client (clients/typescript), as a Backstage backend would use it, against the sandbox
// over real HTTP.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createExposureClient, ExposureApiError } from '../../clients/typescript/src/index.ts';
import type { Sandbox } from '../../src/sandbox/sandbox.ts';
import { eventually } from '../support/eventually.ts';
import { startTestSandbox } from '../support/test-sandbox.ts';

let sandbox: Sandbox;
before(async () => {
  sandbox = await startTestSandbox();
});
after(() => sandbox.close());

test('create, read, list, patch, read its events and delete through the typed client', async () => {
  const client = createExposureClient({ baseUrl: sandbox.apiUrl, token: 'search-team-token' });
  const created = await client.create(
    {
      namespace: 'search',
      name: 'from-backstage',
      selector: { app: 'elasticsearch' },
      ports: [{ name: 'http', port: 9200 }],
      sourceRanges: ['203.0.113.0/24'],
      labels: { 'backstage.io/component': 'search' },
    },
    { waitSeconds: 5, idempotencyKey: 'backstage-scaffolder-1' },
  );
  assert.equal(created.value.status.phase, 'Ready');
  assert.ok(created.etag);
  const read = await client.get(created.value.id, { refresh: true });
  assert.equal(read.value.endpoints.filter((e) => e.health.state === 'Healthy').length, 3);
  const listed = await client.listAll({ labelSelector: 'backstage.io/component=search' });
  assert.deepEqual(
    listed.map((item) => item.id),
    [created.value.id],
  );
  const patched = await client.patch(
    created.value.id,
    { sourceRanges: ['198.51.100.0/24'] },
    { ifMatch: read.etag as string },
  );
  assert.deepEqual(patched.value.sourceRanges, ['198.51.100.0/24']);
  const events = await eventually(
    () => client.exposureEvents(created.value.id),
    (list) => list.items[0]?.reason === 'FirewallUpdated',
    { what: 'the FirewallUpdated event' },
  );
  assert.ok(events.items.some((event) => event.reason === 'FirewallCreated'));
  assert.equal((await client.exposureEvents(created.value.id, { limit: 1 })).items.length, 1);
  const stale = await client
    .patch(created.value.id, { labels: { x: 'y' } }, { ifMatch: read.etag as string })
    .catch((error: unknown) => error);
  assert.ok(stale instanceof ExposureApiError);
  assert.equal(stale.status, 412);
  assert.equal(stale.type, '/problems/precondition-failed');
  assert.deepEqual(await client.delete(created.value.id), { state: 'deleted' });
});

test('problems arrive as ExposureApiError with the fields at fault', async () => {
  const client = createExposureClient({ baseUrl: sandbox.apiUrl, token: 'search-team-token' });
  const error = await client
    .create({
      namespace: 'search',
      name: 'bad',
      selector: { app: 'x' },
      ports: [{ port: 80 }],
      sourceRanges: ['10.0.0.1/8'],
    })
    .catch((e: unknown) => e);
  assert.ok(error instanceof ExposureApiError);
  assert.equal(error.status, 400);
  assert.equal(error.problem?.errors?.[0]?.pointer, '/sourceRanges/0');
  const unauthorized = await createExposureClient({ baseUrl: sandbox.apiUrl, token: 'wrong' })
    .list()
    .catch((e: unknown) => e);
  assert.ok(unauthorized instanceof ExposureApiError);
  assert.equal(unauthorized.status, 401);
});
