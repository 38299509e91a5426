// Counts the requests that reach the apiserver from exposure-api's identity, in the apiserver's own
// audit log: reads from the caches make none, a cache miss makes exactly one, and once stopped the
// adapter makes no more. Also: the service identity without its RBAC gets a Forbidden, not a crash.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadKubeConfig } from '../../src/adapters/kubernetes/kubeconfig.ts';
import { createKubernetesCluster } from '../../src/adapters/kubernetes/kubernetes-cluster.ts';
import { ClusterError } from '../../src/application/ports/cluster.ts';
import { EXPOSURE_ID_LABEL } from '../../src/domain/naming.ts';
import { managedServiceManifest } from '../builders/service.ts';
import { eventually } from '../support/eventually.ts';
import {
  type AuditEvent,
  CallLog,
  type ControlPlane,
  controlPlaneForTests,
  grantServiceIdentity,
  kubernetesAdmin,
  SERVICE_USER,
  serviceCluster,
} from './fixture/index.ts';

/** Requests (one audit ID each, whatever stages were logged) made by `user`. */
async function requestsBy(controlPlane: ControlPlane, user: string): Promise<Map<string, AuditEvent>> {
  const requests = new Map<string, AuditEvent>();
  for (const event of await controlPlane.auditEvents()) {
    if (event.user.username === user) requests.set(event.auditID, event);
  }
  return requests;
}

/** The audit log is written as requests finish: wait until it stops growing. */
async function settledRequests(controlPlane: ControlPlane, user: string): Promise<Map<string, AuditEvent>> {
  let previous = -1;
  for (;;) {
    const requests = await requestsBy(controlPlane, user);
    if (requests.size === previous) return requests;
    previous = requests.size;
    await sleep(300);
  }
}

function newSince(before: Map<string, AuditEvent>, after: Map<string, AuditEvent>): AuditEvent[] {
  return [...after.values()].filter((event) => !before.has(event.auditID));
}

function describe(events: AuditEvent[]): string {
  return JSON.stringify(events.map((event) => `${event.verb} ${event.requestURI}`));
}

test('cached reads make no API calls; a cache miss makes exactly one', async (t) => {
  const controlPlane = await controlPlaneForTests(t, { audit: true });
  if (!controlPlane) return;

  await t.test('without its RBAC, the service identity is Forbidden (an installation problem)', async () => {
    const calls = new CallLog();
    const cluster = serviceCluster(controlPlane, { recorder: calls });
    await assert.rejects(
      cluster.createService(managedServiceManifest('default', 'no-rbac')),
      (error: unknown) => {
        assert.ok(error instanceof ClusterError, String(error));
        assert.equal(error.kind, 'Forbidden');
        assert.match(error.message, /cannot create resource "services"/);
        return true;
      },
    );
    assert.deepEqual(
      calls.calls.map((call) => [call.operation, call.outcome]),
      [['services.create', 'Forbidden']],
    );
    await cluster.stop();
  });

  await t.test('credentials the apiserver rejects (401) are Forbidden too', async () => {
    const kubeconfig = await controlPlane.writeKubeconfig({ token: 'not-a-token', user: 'stranger' });
    const cluster = createKubernetesCluster({ kubeConfig: loadKubeConfig({ kubeconfig }) });
    await assert.rejects(
      cluster.readService({ namespace: 'default', name: 'x' }),
      (error: unknown) => error instanceof ClusterError && error.kind === 'Forbidden',
    );
    await cluster.stop();
  });

  await grantServiceIdentity(controlPlane);
  const admin = kubernetesAdmin(controlPlane);
  const calls = new CallLog();
  const cluster = serviceCluster(controlPlane, { recorder: calls });
  t.after(() => cluster.stop());
  await cluster.start();
  const wanted = managedServiceManifest('default', 'counted', { externalTrafficPolicy: 'Local' });
  await cluster.createService(wanted);
  await admin.setNode({
    name: 'node-a',
    ready: true,
    addresses: [{ type: 'InternalIP', address: '10.0.0.1' }],
  });
  await admin.setServiceEndpoints(wanted, [{ nodeName: 'node-a', ready: true, addresses: ['10.244.0.1'] }]);
  await eventually(
    () => [cluster.cachedService(wanted), cluster.nodes().length, cluster.serviceEndpoints(wanted).length],
    ([service, nodes, endpoints]) => service !== undefined && nodes === 1 && endpoints === 1,
    { what: 'the Service, its Node and its endpoints in the caches', timeoutMs: 15_000 },
  );

  await t.test('1,000 reads of each cached view: 0 requests', async () => {
    const before = await settledRequests(controlPlane, SERVICE_USER);
    const recordedBefore = calls.calls.length;
    let seen = 0;
    const uid = cluster.cachedService(wanted)?.uid ?? '';
    assert.ok(cluster.serviceEvents(uid), 'the events cache is synced');
    for (let i = 0; i < 1_000; i++) {
      cluster.serviceEvents(uid);
      if (cluster.cachedService(wanted)) seen++;
      for (const _service of cluster.cachedServices()) seen++;
      seen += cluster.nodes().length;
      seen += cluster.serviceEndpoints(wanted).length;
    }
    assert.equal(seen, 4_000);
    // Unchanged views are the same arrays, so callers can memoize on them.
    assert.equal(cluster.nodes(), cluster.nodes());
    assert.equal(cluster.serviceEndpoints(wanted), cluster.serviceEndpoints(wanted));
    await sleep(1_000);
    const made = newSince(before, await settledRequests(controlPlane, SERVICE_USER));
    assert.equal(made.length, 0, `requests made: ${describe(made)}`);
    assert.equal(calls.calls.length, recordedBefore, 'and the adapter reported none');
  });

  await t.test('a cache miss by exposure id: exactly 1 request, a list by label', async () => {
    const before = await settledRequests(controlPlane, SERVICE_USER);
    const found = await cluster.findServiceByExposureId(wanted.labels[EXPOSURE_ID_LABEL] as string);
    assert.equal(found?.name, wanted.name);
    const made = newSince(before, await settledRequests(controlPlane, SERVICE_USER));
    assert.equal(made.length, 1, `requests made: ${describe(made)}`);
    assert.equal(made[0]?.verb, 'list');
    assert.equal(made[0]?.objectRef?.resource, 'services');
    assert.match(made[0]?.requestURI ?? '', /labelSelector=/);
  });

  await t.test('a repeated event is one Event with a count: a create, then patches', async () => {
    const service = cluster.cachedService(wanted);
    assert.ok(service);
    const recordedBefore = calls.calls.length;
    const quota = { type: 'Warning', reason: 'FirewallFailed', message: 'quota FIREWALLS exceeded' } as const;
    await cluster.recordEvent(service, quota);
    await cluster.recordEvent(service, quota);
    await cluster.recordEvent(service, quota);
    await cluster.recordEvent(service, {
      type: 'Normal',
      reason: 'FirewallCreated',
      message: 'created rule x',
    });
    assert.deepEqual(
      calls.calls.slice(recordedBefore).map((call) => `${call.operation} ${call.outcome}`),
      ['events.create ok', 'events.patch ok', 'events.patch ok', 'events.create ok'],
    );
    // Only exposure-api's own: the apiserver records a few of its own (ClusterIPNotAllocated, say).
    const events = (await admin.events(wanted)).filter(
      (event) => event.reportingComponent === 'exposure-api',
    );
    assert.equal(events.length, 2);
    const failed = events.find((event) => event.reason === 'FirewallFailed');
    assert.equal(failed?.count, 3);
    assert.equal(failed?.type, 'Warning');
    // The events cache follows, newest first, without a request per read.
    const cached = await eventually(
      () => cluster.serviceEvents(service.uid)?.filter((event) => event.source === 'exposure-api') ?? [],
      (list) => list.some((event) => event.reason === 'FirewallFailed' && event.count === 3),
      { what: 'the counted event in the events cache', timeoutMs: 15_000 },
    );
    // Created was written after the last repeat of Failed: newer, or the later arrival in the same second.
    assert.deepEqual(
      cached.map((event) => [event.reason, event.count]),
      [
        ['FirewallCreated', 1],
        ['FirewallFailed', 3],
      ],
    );
    assert.equal(failed?.message, quota.message);
    assert.equal(failed?.involvedObject.uid, service.uid);
    assert.equal(failed?.involvedObject.kind, 'Service');
    assert.equal(failed?.source?.component, 'exposure-api');
    assert.equal(failed?.reportingComponent, 'exposure-api');
    assert.equal(failed?.reportingInstance, 'exposure-api-test');
    assert.ok(
      failed?.firstTimestamp && failed.lastTimestamp && failed.firstTimestamp <= failed.lastTimestamp,
    );
  });

  await t.test('once stopped, the adapter makes no more requests', async () => {
    await cluster.stop();
    const before = await settledRequests(controlPlane, SERVICE_USER);
    await sleep(2_500);
    const made = newSince(before, await settledRequests(controlPlane, SERVICE_USER));
    assert.equal(made.length, 0, `requests made after stop(): ${describe(made)}`);
    // And no watch was left open: each one the apiserver started, it also completed.
    const stages = new Map<string, Set<string>>();
    for (const event of await controlPlane.auditEvents()) {
      if (event.user.username !== SERVICE_USER || event.verb !== 'watch') continue;
      stages.set(event.auditID, (stages.get(event.auditID) ?? new Set()).add(event.stage));
    }
    assert.ok(stages.size >= 3, 'the three informers watched');
    const open = [...stages].filter(([, seen]) => !seen.has('ResponseComplete'));
    assert.deepEqual(open, [], 'watches still open after stop()');
  });
});
