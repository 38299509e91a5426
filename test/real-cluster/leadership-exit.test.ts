// Two service processes (src/server.ts, as the container runs it) on a real kube-apiserver: only

// the leader loads the Compute Engine clients; a leader whose Lease is taken finishes what it was
// doing and exits with a failure code (its container restarts as a follower); the other process
// takes over and becomes the one GCE writer; the restarted process stays a follower without them.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type ComputeEmulator, startComputeEmulator } from '@exposure-api/compute-emulator';
import { eventually } from '../support/eventually.ts';
import {
  api,
  type ControlPlane,
  controlPlaneSkipReason,
  grantServiceIdentity,
  kubernetesAdmin,
  LEASE_NAMESPACE,
  type ServiceProcess,
  type ServiceProcessFactory,
  serviceProcesses,
  startControlPlane,
} from './fixture/index.ts';

const CLUSTER_ID = 'handover';
const PROJECT = 'handover-project';
const LOADED_COMPUTE = 'about to lead: loading the Compute Engine clients';

const skip = await controlPlaneSkipReason();
let controlPlane: ControlPlane;
let emulator: ComputeEmulator;
/** One factory per process, so that each listens on a port of its own. */
const factories: ServiceProcessFactory[] = [];

before(async () => {
  if (skip) return;
  [controlPlane, emulator] = await Promise.all([startControlPlane(), startComputeEmulator()]);
  await grantServiceIdentity(controlPlane);
  const admin = kubernetesAdmin(controlPlane);
  for (const namespace of ['handover', LEASE_NAMESPACE]) await admin.createNamespace(namespace);
  for (const _ of [1, 2]) {
    factories.push(
      await serviceProcesses({
        kubeconfig: controlPlane.kubeconfigPath('service'),
        emulatorUrl: emulator.url,
        project: PROJECT,
        clusterId: CLUSTER_ID,
      }),
    );
  }
});
after(async () => {
  for (const factory of factories) await factory.close();
  await emulator?.close();
  await controlPlane?.stop();
});

const logged = (process: ServiceProcess, text: string) => process.logs.some((line) => line.includes(text));
const loadedCompute = (process: ServiceProcess) => logged(process, LOADED_COMPUTE);
const leads = (process: ServiceProcess) => logged(process, 'became the leader');

function create(process: ServiceProcess, name: string) {
  return api(process, 'POST', '/exposures', {
    namespace: 'handover',
    name,
    selector: { app: name },
    ports: [{ name: 'http', port: 80 }],
    sourceRanges: ['203.0.113.0/24'],
  });
}

test('only the leader loads the Compute clients; a leader that loses its Lease exits non-zero and the other takes over', {
  skip,
}, async () => {
  const [first, second] = factories as [ServiceProcessFactory, ServiceProcessFactory];
  const leader = await first.start();
  await eventually(() => leads(leader), Boolean, {
    what: 'the first process to lead',
    timeoutMs: 15_000,
  });
  const follower = await second.start();
  const created = await create(follower, 'via-follower');
  assert.equal(created.status, 201, JSON.stringify(created.body));
  await eventually(
    () => emulator.rules(PROJECT).length,
    (n) => n === 1,
    { what: 'the rule, written by the leader', timeoutMs: 15_000 },
  );
  assert.ok(loadedCompute(leader));
  assert.equal(loadedCompute(follower), false, 'the follower never loaded the Compute clients');

  // Someone else holds the Lease now (for 4 s): the leader stops writing and exits with a failure.
  const lease = `/apis/coordination.k8s.io/v1/namespaces/${LEASE_NAMESPACE}/leases/exposure-api-${CLUSTER_ID}`;
  const taken = await controlPlane.request('PATCH', lease, {
    body: {
      spec: {
        holderIdentity: 'another-installation-process',
        renewTime: new Date().toISOString().replace('Z', '000Z'),
        leaseDurationSeconds: 4,
      },
    },
    headers: { 'content-type': 'application/merge-patch+json' },
  });
  assert.equal(taken.status, 200, JSON.stringify(taken.body));
  const exit = await Promise.race([leader.exited, sleep(20_000).then(() => 'still running' as const)]);
  assert.notEqual(exit, 'still running', 'the old leader exits');
  assert.deepEqual(exit, { code: 1, signal: null });
  assert.ok(
    leader.logs.some((line) => line.includes('lost the leadership')),
    'it says why it exits',
  );

  // The follower takes over once the other holder's Lease expires, and writes the next rule.
  await eventually(() => leads(follower), Boolean, {
    what: 'the follower to take over',
    timeoutMs: 20_000,
  });
  assert.ok(loadedCompute(follower), 'it loaded the Compute clients before it took the lease');
  const next = await create(follower, 'after-handover');
  assert.equal(next.status, 201, JSON.stringify(next.body));
  await eventually(
    () => emulator.rules(PROJECT).length,
    (n) => n === 2,
    { what: 'the rule written by the new leader', timeoutMs: 15_000 },
  );

  // Restarted (as its container would be), the old leader is a follower and loads nothing of Compute.
  const restarted = await first.start();
  const read = await api(restarted, 'GET', '/exposures');
  assert.equal(read.status, 200);
  await sleep(3_000);
  assert.equal(loadedCompute(restarted), false, 'the restarted process follows without the Compute clients');
});
