// The Cluster and Leases contracts against the Kubernetes adapter on a real kube-apiserver, the
// adapter running as exposure-api's own identity with exactly the RBAC of rbac.ts. The same suites
// run against the sandbox's in-memory implementations (test/contract).
import { after } from 'node:test';
import { loadKubeConfig } from '../../src/adapters/kubernetes/kubeconfig.ts';
import { createKubernetesLeases } from '../../src/adapters/kubernetes/kubernetes-leases.ts';
import { clusterContract } from '../contract/cluster.contract.ts';
import { leasesContract } from '../contract/leases.contract.ts';
import {
  type ControlPlane,
  controlPlaneTier,
  grantServiceIdentity,
  kubernetesAdmin,
  LEASE_NAMESPACE,
  serviceCluster,
  startControlPlane,
} from './fixture/index.ts';

let started: Promise<ControlPlane | undefined> | undefined;

/** One control plane for both suites of this file. */
function controlPlane(): Promise<ControlPlane | undefined> {
  started ??= (async () => {
    const tier = await controlPlaneTier();
    if (!tier.available) return undefined;
    const plane = await startControlPlane({ binaries: tier.binaries });
    await grantServiceIdentity(plane);
    return plane;
  })();
  return started;
}

after(async () => {
  await (await started)?.stop();
});

clusterContract('kubernetes adapter on a real kube-apiserver', async () => {
  const plane = await controlPlane();
  if (!plane) return undefined;
  return {
    cluster: serviceCluster(plane),
    admin: kubernetesAdmin(plane),
    nodePortRange: { min: 30000, max: 32767 },
    close: async () => {},
  };
});

leasesContract('kubernetes adapter on a real kube-apiserver', async () => {
  const plane = await controlPlane();
  if (!plane) return undefined;
  const leases = createKubernetesLeases({
    kubeConfig: loadKubeConfig({ kubeconfig: plane.kubeconfigPath('service') }),
  });
  return { leases, namespace: LEASE_NAMESPACE, close: () => leases.close() };
});
