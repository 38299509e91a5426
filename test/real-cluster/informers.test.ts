// The informer caches against a real kube-apiserver going wrong: a list refused until RBAC is
// granted, the apiserver restarted (cleanly and killed), and a watch whose resourceVersion has been
// compacted away (410 Gone). In every case the caches must come back and take changes made after.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Cluster } from '../../src/application/ports/cluster.ts';
import { FIREWALL_STATUS_ANNOTATION } from '../../src/domain/naming.ts';
import { managedServiceManifest } from '../builders/service.ts';
import { eventually } from '../support/eventually.ts';
import { runtimeOnCaches } from '../support/runtime-on-caches.ts';
import {
  CallLog,
  type ControlPlane,
  controlPlaneForTests,
  FAST_INFORMERS,
  grantServiceIdentity,
  kubernetesAdmin,
  LogSpy,
  serviceCluster,
} from './fixture/index.ts';

const WAIT = { timeoutMs: 20_000 };

/** Changes a Service, a Node and an EndpointSlice, and waits until all three caches show them. */
async function changesReachTheCaches(controlPlane: ControlPlane, cluster: Cluster, round: string) {
  const admin = kubernetesAdmin(controlPlane);
  const service = managedServiceManifest('default', `after-${round}`);
  await eventually(() => cluster.createService(service), Boolean, {
    what: `creating a Service after ${round}`,
    ...WAIT,
  });
  await admin.setNode({
    name: `node-${round}`,
    ready: true,
    addresses: [{ type: 'InternalIP', address: '10.0.0.9' }],
  });
  await admin.setServiceEndpoints(service, [
    { nodeName: `node-${round}`, ready: true, addresses: ['10.244.0.9'] },
  ]);
  await cluster.writeFirewallStatus(service, `{"round":"${round}"}`);
  await eventually(
    () => cluster.cachedService(service)?.annotations[FIREWALL_STATUS_ANNOTATION],
    (status) => status === `{"round":"${round}"}`,
    { what: `the Service written after ${round} in the cache`, ...WAIT },
  );
  await eventually(() => cluster.nodes().some((node) => node.name === `node-${round}`), Boolean, {
    what: `the Node written after ${round} in the cache`,
    ...WAIT,
  });
  await eventually(
    () => cluster.serviceEndpoints(service),
    (endpoints) => endpoints[0]?.nodeName === `node-${round}`,
    { what: `the EndpointSlice written after ${round} in the cache`, ...WAIT },
  );
}

test('the caches sync only after their first complete lists, and recover from apiserver restarts', async (t) => {
  const controlPlane = await controlPlaneForTests(t);
  if (!controlPlane) return;
  const log = new LogSpy();
  const calls = new CallLog();
  const cluster = serviceCluster(controlPlane, { log, recorder: calls });
  t.after(() => cluster.stop());

  await t.test('without RBAC the lists are refused, retried, and synced() stays false', async () => {
    const starting = cluster.start();
    await eventually(
      () =>
        calls.calls.filter((call) => call.operation === 'services.list' && call.outcome === 'Forbidden')
          .length,
      (refused) => refused >= 2,
      { what: 'the refused list to be retried', ...WAIT },
    );
    assert.equal(cluster.synced(), false);
    assert.ok(log.count('listing failed; retrying', 'nodes') >= 1);
    await grantServiceIdentity(controlPlane);
    await starting;
    assert.equal(cluster.synced(), true);
  });

  const existing = managedServiceManifest('default', 'before-restarts');
  await cluster.createService(existing);
  await eventually(() => cluster.cachedService(existing), Boolean, { what: 'the first Service', ...WAIT });

  await t.test(
    'a clean restart: reads keep being served meanwhile and say how old; changes after it arrive',
    async (st) => {
      // The edge on these caches, with the staleness bound at its least.
      const edge = await runtimeOnCaches(cluster, { clusterId: 'informers', staleAfterSeconds: 1 });
      t.after(() => edge.close());
      const listing = () => edge.read('/exposures');
      assert.equal((await listing()).headers.warning, undefined);
      const restarting = controlPlane.restart({ downtimeMs: 3_000 });
      await sleep(500);
      assert.ok(cluster.cachedService(existing), 'the cache still answers while the apiserver is down');
      assert.equal(cluster.synced(), true);
      const brokenSince = await eventually(() => cluster.watchBrokenSince(), Boolean, {
        what: 'the broken watch to be noticed',
        timeoutMs: 2_000,
      });
      const stale = await eventually(listing, (response) => response.headers.warning !== undefined, {
        what: 'a listing that says it is stale',
        timeoutMs: 2_400,
      });
      assert.equal(stale.statusCode, 200, 'reads are still served');
      assert.equal(stale.headers.warning, '110 - "Response is Stale"');
      const age = Number(stale.headers['x-cache-age']);
      assert.ok(age >= 1, `X-Cache-Age ${age}`);
      assert.equal(JSON.parse(stale.body).cacheAgeSeconds, age);
      st.diagnostic(
        `watch broken at ${brokenSince?.toISOString()}; a listing during the outage said X-Cache-Age: ${age}`,
      );
      await restarting;
      await changesReachTheCaches(controlPlane, cluster, 'restart');
      await eventually(
        () => cluster.watchBrokenSince(),
        (since) => since === undefined,
        {
          what: 'every watch back',
          ...WAIT,
        },
      );
      assert.equal((await listing()).headers.warning, undefined);
    },
  );

  await t.test('a crash (SIGKILL): the cut watches are re-established', async () => {
    await controlPlane.restart({ crash: true, downtimeMs: 500 });
    await changesReachTheCaches(controlPlane, cluster, 'crash');
    assert.ok(cluster.cachedService(existing));
    const failedWatches = calls.calls.filter(
      (call) => call.operation.endsWith('.watch') && call.outcome !== 'ok',
    );
    assert.ok(failedWatches.length > 0, 'watches were refused while the apiserver was down, and retried');
  });
});

test('a watch whose resourceVersion was compacted away (410 Gone) relists and carries on', async (t) => {
  // Without the watch cache, watches are served by etcd, which refuses a compacted revision; the
  // apiserver compacts every second. The informer's watches end after a second, so each resumes
  // from the resourceVersion it last saw, which writes elsewhere soon make too old.
  const controlPlane = await controlPlaneForTests(t, {
    extraApiserverArgs: ['--watch-cache=false', '--etcd-compaction-interval=1s'],
  });
  if (!controlPlane) return;
  await grantServiceIdentity(controlPlane);
  const log = new LogSpy();
  const calls = new CallLog();
  const cluster = serviceCluster(controlPlane, {
    log,
    recorder: calls,
    informerTiming: { ...FAST_INFORMERS, watchTimeoutSeconds: [1, 1] },
  });
  t.after(() => cluster.stop());
  await cluster.start();
  const before = managedServiceManifest('default', 'before-410', { finalizers: [] });
  await cluster.createService(before);
  await eventually(() => cluster.cachedService(before), Boolean, { what: 'the first Service', ...WAIT });
  const listsBefore = calls.calls.filter((call) => call.operation === 'services.list').length;

  // Writes the managed-Services watch does not see move etcd's revision past the one it holds.
  for (let i = 0; i < 20; i++) {
    await controlPlane.kubectl(['create', 'configmap', `filler-${i}`, '--from-literal=i=1']);
  }
  await eventually(
    () => log.count('watch expired (410 Gone); relisting', 'services'),
    (relists) => relists >= 1,
    { what: 'the Services watch to expire and relist', ...WAIT },
  );
  await eventually(
    () => calls.calls.filter((call) => call.operation === 'services.list' && call.outcome === 'ok').length,
    (lists) => lists > listsBefore,
    { what: 'the relist', ...WAIT },
  );
  assert.ok(cluster.cachedService(before), 'the relist kept what still exists');

  const after = managedServiceManifest('default', 'after-410', { finalizers: [] });
  await cluster.createService(after);
  await cluster.deleteService(before);
  await eventually(
    () => [cluster.cachedService(after) !== undefined, cluster.cachedService(before) === undefined],
    ([added, removed]) => added === true && removed === true,
    { what: 'a create and a delete after the relist to reach the cache', ...WAIT },
  );
  assert.equal(cluster.synced(), true);
});
