// The shared-capacity part of the Cluster contract against the Kubernetes adapter on a real
// kube-apiserver with a small node-port range, kube-controller-manager running the resource quota
// controller, and the adapter running as exposure-api's own identity with the RBAC of the chart.
// The same suite runs against the in-memory cluster (test/contract).
import { after } from 'node:test';
import { clusterCapacityContract } from '../contract/cluster-capacity.contract.ts';
import {
  type ControlPlane,
  controlPlaneTier,
  grantServiceIdentity,
  kubernetesAdmin,
  serviceCluster,
  startControlPlane,
} from './fixture/index.ts';
import { quotaAdmin } from './quota-admin.ts';

const NODE_PORT_RANGE = { min: 30000, max: 30039 };
let started: ControlPlane | undefined;

after(async () => {
  await started?.stop();
});

clusterCapacityContract('kubernetes adapter on a real kube-apiserver with the quota controller', async () => {
  const tier = await controlPlaneTier();
  if (!tier.available) return undefined;
  started = await startControlPlane({
    binaries: tier.binaries,
    nodePortRange: NODE_PORT_RANGE,
    controllers: ['resourcequota'],
  });
  await grantServiceIdentity(started);
  const admin = kubernetesAdmin(started);
  const quotas = quotaAdmin(started);
  return {
    cluster: serviceCluster(started),
    nodePortRange: NODE_PORT_RANGE,
    admin: {
      createNamespace: (name) => admin.createNamespace(name),
      createUnmanagedService: (manifest) => admin.createUnmanagedService(manifest),
      setResourceQuota: (namespace, name, hard) => quotas.setResourceQuota(namespace, name, hard),
      quotaUsage: (namespace, name, resource, used) => quotas.quotaUsage(namespace, name, resource, used),
    },
    close: async () => {},
  };
});
