// The crash storm on a real kube-apiserver: the service runs as its own process and is killed with
// SIGKILL at random points during 240 creates and deletes, then restarted; afterwards the cluster
// (etcd) and GCE (the emulator) must agree — no orphan rule, no exposure without its rule, nothing
// lost, nothing stuck on its finalizer.
import { after, before, test } from 'node:test';
import { type ComputeEmulator, startComputeEmulator } from '@exposure-api/compute-emulator';
import type { V1Service } from '@kubernetes/client-node';
import { toObservedService, type Wire } from '../../src/adapters/kubernetes/object-mapping.ts';
import { assertConverged, runCrashStorm, type StormTarget, stormServiceOf } from '../support/crash-storm.ts';
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

const skip = await controlPlaneSkipReason();
let controlPlane: ControlPlane;
let emulator: ComputeEmulator;
let processes: ServiceProcessFactory;

before(async () => {
  if (skip) return;
  controlPlane = await startControlPlane();
  await grantServiceIdentity(controlPlane);
  const admin = kubernetesAdmin(controlPlane);
  await admin.createNamespace('storm');
  await admin.createNamespace(LEASE_NAMESPACE);
  emulator = await startComputeEmulator();
  processes = await serviceProcesses({
    kubeconfig: controlPlane.kubeconfigPath('service'),
    emulatorUrl: emulator.url,
    project: 'storm-project',
    clusterId: 'storm',
  });
});
after(async () => {
  await processes?.close();
  await emulator?.close();
  await controlPlane?.stop();
});

test('kill -9 at random points during 240 creates and deletes: converges, nothing lost or leaked', {
  skip,
}, async () => {
  let current: ServiceProcess | undefined;
  const target: StormTarget = {
    clusterId: 'storm',
    async start() {
      current = await processes.start();
    },
    async kill() {
      const dying = current;
      current = undefined;
      dying?.child.kill('SIGKILL');
      await dying?.exited;
    },
    async request(method, path, body) {
      const instance = current;
      if (!instance) return 'no-answer';
      try {
        const answer = await api(
          instance,
          method,
          path,
          body === undefined ? undefined : { ...(body as object), namespace: 'storm' },
          method === 'DELETE' ? { prefer: 'respond-async' } : {},
        );
        return { status: answer.status, body: answer.body };
      } catch {
        return 'no-answer';
      }
    },
    async services() {
      const response = await controlPlane.request(
        'GET',
        '/api/v1/namespaces/storm/services?labelSelector=app.kubernetes.io%2Fmanaged-by%3Dexposure-api',
      );
      return (response.body as { items: Wire<V1Service>[] }).items.flatMap((item) =>
        stormServiceOf(toObservedService(item)),
      );
    },
    async rules() {
      return emulator
        .rules('storm-project')
        .map((rule) => ({ name: String(rule.name), description: String(rule.description) }));
    },
  };
  const report = await runCrashStorm(target, { operations: 240, seed: 42 });
  process.stdout.write(`# crash storm (kill -9, real apiserver): ${JSON.stringify(report)}\n`);
  await target.kill();
  assertConverged(report);
});
