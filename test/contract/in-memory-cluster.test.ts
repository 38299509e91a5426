import { InMemoryCluster } from '../../src/sandbox/in-memory-cluster.ts';
import { clusterContract } from './cluster.contract.ts';

clusterContract('in-memory (sandbox)', async () => {
  const cluster = new InMemoryCluster();
  return {
    cluster,
    nodePortRange: { min: 30000, max: 32767 },
    admin: {
      createNamespace: async (name) => cluster.addNamespace(name),
      setNode: async (node) => cluster.setNode(node),
      deleteNode: async (name) => cluster.removeNode(name),
      setServiceEndpoints: async (ref, endpoints) => cluster.setServiceEndpoints(ref, endpoints),
      createUnmanagedService: async (manifest) => {
        await cluster.createService(manifest);
      },
      eventReasons: async (ref) =>
        cluster
          .events()
          .filter((e) => e.involvedObject.namespace === ref.namespace && e.involvedObject.name === ref.name)
          .map((e) => e.reason),
    },
    close: async () => {},
  };
});
