// GET /exposures/{id}/events: the Kubernetes Events on the exposure's Service, newest first, from
// the events cache, with the tenancy of a read (another tenant's exposure is a 404).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Sandbox } from '../../src/sandbox/sandbox.ts';
import { createRequest } from '../builders/create-request.ts';
import { eventually } from '../support/eventually.ts';
import { type ExposureApi, expectProblem, exposureApi } from '../support/exposure-api.ts';
import { ADMIN, startTestSandbox } from '../support/test-sandbox.ts';

let sandbox: Sandbox;
let api: ExposureApi;
before(async () => {
  sandbox = await startTestSandbox({ withDemoWorkload: false });
  api = exposureApi(sandbox);
});
after(() => sandbox.close());

test('what the reconciler did, newest first, bounded by limit', async () => {
  const created = await api.create(createRequest({ name: 'events-es' }));
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const id = created.body.id;
  await eventually(
    () => api.events(id),
    (response) => response.body.items?.some((event) => event.reason === 'FirewallCreated') === true,
    { what: 'the FirewallCreated event' },
  );
  const patched = await api.patch(id, { sourceRanges: ['203.0.113.0/25'] });
  assert.equal(patched.status, 200, JSON.stringify(patched.body));
  const events = await eventually(
    () => api.events(id),
    (response) => response.body.items?.[0]?.reason === 'FirewallUpdated',
    { what: 'the FirewallUpdated event first' },
  );
  assert.equal(events.status, 200);
  assert.deepEqual(
    events.body.items.map((event) => [event.type, event.reason, event.source]),
    [
      ['Normal', 'FirewallUpdated', 'exposure-api'],
      ['Normal', 'FirewallCreated', 'exposure-api'],
    ],
  );
  assert.match(events.body.items[0]?.message ?? '', /exp-sandbox-/);
  assert.equal(events.body.cacheAgeSeconds, undefined, 'the caches are current');
  assert.equal(events.headers.warning, undefined);
  const newest = await api.events(id, '?limit=1');
  assert.deepEqual(
    newest.body.items.map((event) => event.reason),
    ['FirewallUpdated'],
  );
  expectProblem(await api.events(id, '?limit=51'), 400);
});

test("another tenant's exposure, or one that does not exist, is a 404", async () => {
  const payments = await api.create(
    createRequest({ namespace: 'payments', name: 'ledger', ports: [{ name: 'http', port: 9200 }] }),
    {
      authorization: ADMIN,
    },
  );
  assert.equal(payments.status, 201, JSON.stringify(payments.body));
  const asAdmin = await api.events(payments.body.id, '', { authorization: ADMIN });
  assert.equal(asAdmin.status, 200);
  const problem = expectProblem(await api.events(payments.body.id), 404);
  assert.equal(problem.type, '/problems/exposure-not-found');
  expectProblem(await api.events('exp_01jd6y8c3k2v7d9q4r5s6t7v8w'), 404);
});
