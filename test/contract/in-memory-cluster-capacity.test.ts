import assert from 'node:assert/strict';
import { InMemoryCluster } from '../../src/sandbox/in-memory-cluster.ts';
import { clusterCapacityContract } from './cluster-capacity.contract.ts';

clusterCapacityContract('in-memory (sandbox)', async () => {
  const nodePortRange = { min: 30000, max: 30039 };
  const cluster = new InMemoryCluster({ nodePortRange });
  return {
    cluster,
    nodePortRange,
    admin: {
      createNamespace: async (name) => cluster.addNamespace(name),
      setResourceQuota: async (namespace, name, hard) => cluster.setResourceQuota(namespace, name, hard),
      quotaUsage: async (namespace, name, resource, used) => {
        const quota = cluster.resourceQuotas(namespace).find((q) => q.name === name);
        assert.equal(quota?.used[resource], used);
      },
      createUnmanagedService: async (manifest) => {
        await cluster.createService(manifest);
      },
    },
    close: async () => {},
  };
});
