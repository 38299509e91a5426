// The UsageLedger contract against the Kubernetes adapter's ConfigMap ledger on a real
// kube-apiserver, as exposure-api's own identity with exactly the RBAC of the chart (configmaps
// get, create and update in the service's namespace). The same suite runs in memory (test/contract).
import { after } from 'node:test';
import { usageLedgerContract } from '../contract/usage-ledger.contract.ts';
import {
  type ControlPlane,
  controlPlaneTier,
  grantServiceIdentity,
  LEASE_NAMESPACE,
  serviceCluster,
  startControlPlane,
} from './fixture/index.ts';

let started: ControlPlane | undefined;
after(async () => {
  await started?.stop();
});

usageLedgerContract('ConfigMap on a real kube-apiserver', async () => {
  const tier = await controlPlaneTier();
  if (!tier.available) return undefined;
  const plane = await startControlPlane({ binaries: tier.binaries });
  started = plane;
  await grantServiceIdentity(plane);
  const cluster = serviceCluster(plane);
  const names = new Map<object, string>();
  let serial = 0;
  return {
    ledger: () => {
      const name = `exposure-api-contract-${++serial}-usage`;
      const ledger = cluster.usageLedger({ namespace: LEASE_NAMESPACE, name });
      names.set(ledger, name);
      return ledger;
    },
    overwrite: async (ledger, text) => {
      const name = names.get(ledger);
      const response = await plane.request(
        'PATCH',
        `/api/v1/namespaces/${LEASE_NAMESPACE}/configmaps/${name}`,
        {
          body: { data: { 'usage.json': text } },
          headers: { 'content-type': 'application/merge-patch+json' },
        },
      );
      if (response.status !== 200)
        throw new Error(`overwrite: ${response.status} ${JSON.stringify(response.body)}`);
    },
    close: () => cluster.stop(),
  };
});
