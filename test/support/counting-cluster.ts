// Counts the calls a replica makes to the Kubernetes API through its Cluster port (the methods that
// reach the apiserver; reads of the informer caches are not calls). Wraps the methods of the object
// in place, so that a runtime already holding it is counted too.
import type { Cluster } from '../../src/application/ports/cluster.ts';

const API_METHODS = [
  'createService',
  'applyServiceSpec',
  'readService',
  'findServiceByExposureId',
  'deleteService',
  'writeFirewallStatus',
  'removeFinalizer',
  'nodePortHolder',
  'recordEvent',
] as const satisfies readonly (keyof Cluster)[];

export interface ApiCallCount {
  /** Calls since counting started, by method. */
  calls(): Record<string, number>;
  total(): number;
}

export function countApiCalls(cluster: Cluster): ApiCallCount {
  const counts: Record<string, number> = {};
  const methods = cluster as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const method of API_METHODS) {
    const original = methods[method]?.bind(cluster);
    if (!original) throw new Error(`the cluster has no method ${method}`);
    methods[method] = (...args: unknown[]) => {
      counts[method] = (counts[method] ?? 0) + 1;
      return original(...args);
    };
  }
  return {
    calls: () => ({ ...counts }),
    total: () => Object.values(counts).reduce((sum, count) => sum + count, 0),
  };
}
