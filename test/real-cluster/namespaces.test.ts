// An installation limited to some namespaces, with RBAC granted only there (RoleBindings, as the
// Helm chart's `rbac.namespaces` renders it): the caches sync, see the managed namespaces and
// nothing else, and the lookups search only where they may.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EXPOSURE_ID_LABEL } from '../../src/domain/naming.ts';
import { managedServiceManifest } from '../builders/service.ts';
import { eventually } from '../support/eventually.ts';
import {
  CallLog,
  controlPlaneForTests,
  grantExposureApiRbac,
  kubernetesAdmin,
  LEASE_NAMESPACE,
  SERVICE_USER,
  serviceCluster,
} from './fixture/index.ts';

test('namespaced RBAC: per-namespace informers and lookups', async (t) => {
  const controlPlane = await controlPlaneForTests(t);
  if (!controlPlane) return;
  const managed = ['team-a', 'team-b'];
  await grantExposureApiRbac(controlPlane, {
    subject: { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: SERVICE_USER },
    leaseNamespace: LEASE_NAMESPACE,
    namespaces: managed,
  });
  const admin = kubernetesAdmin(controlPlane);
  await admin.createNamespace('team-c');
  const calls = new CallLog();
  const cluster = serviceCluster(controlPlane, { namespaces: managed, recorder: calls });
  t.after(() => cluster.stop());
  await cluster.start();
  assert.equal(cluster.synced(), true);

  const a = managedServiceManifest('team-a', 'web', {
    ports: [{ name: 'http', port: 80, targetPort: 80, nodePort: 31001, protocol: 'TCP' }],
  });
  const b = managedServiceManifest('team-b', 'web', { externalTrafficPolicy: 'Local' });
  await cluster.createService(a);
  await cluster.createService(b);
  // A Service with exposure-api's labels where this installation is not allowed to look.
  const elsewhere = managedServiceManifest('team-c', 'web');
  await admin.createUnmanagedService(elsewhere);
  await admin.setServiceEndpoints(b, [{ nodeName: 'node-1', ready: true, addresses: ['10.244.1.1'] }]);

  await eventually(
    () => [...cluster.cachedServices()].map((service) => `${service.namespace}/${service.name}`).sort(),
    (keys) => keys.join() === 'team-a/web,team-b/web',
    { what: 'the Services of both managed namespaces', timeoutMs: 15_000 },
  );
  assert.equal(cluster.cachedService(elsewhere), undefined);
  await eventually(
    () => cluster.serviceEndpoints(b).length,
    (count) => count === 1,
    {
      what: 'the endpoints in team-b',
      timeoutMs: 15_000,
    },
  );

  const found = await cluster.findServiceByExposureId(b.labels[EXPOSURE_ID_LABEL] as string);
  assert.equal(found?.namespace, 'team-b');
  assert.equal(
    await cluster.findServiceByExposureId(elsewhere.labels[EXPOSURE_ID_LABEL] as string),
    undefined,
  );
  assert.deepEqual(await cluster.nodePortHolder(31001, 'TCP'), {
    namespace: 'team-a',
    name: 'web',
    terminating: false,
  });
  assert.deepEqual(
    calls.calls.filter((call) => call.outcome !== 'ok'),
    [],
    'no call was refused',
  );
});
