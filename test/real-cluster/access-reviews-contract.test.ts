// The AccessReviews contract against the Kubernetes adapter on a real kube-apiserver, as
// exposure-api's own identity bound to system:auth-delegator (as the chart binds it): tokens
// minted by the TokenRequest API, Roles and ClusterRoles applied with kubectl. The same suite runs
// in memory (test/contract).

import { loadKubeConfig } from '../../src/adapters/kubernetes/kubeconfig.ts';
import { createKubernetesAccessReviews } from '../../src/adapters/kubernetes/kubernetes-access-reviews.ts';
import { accessReviewsContract } from '../contract/access-reviews.contract.ts';
import {
  createServiceAccount,
  ensureNamespaces,
  grantAuthDelegation,
  grantExposureVerbs,
  grantImpersonation,
} from './fixture/identity.ts';
import { controlPlaneTier, startControlPlane } from './fixture/index.ts';

accessReviewsContract('TokenReview and SubjectAccessReview on a real kube-apiserver', async () => {
  const tier = await controlPlaneTier();
  if (!tier.available) return undefined;
  const plane = await startControlPlane({ binaries: tier.binaries });
  await grantAuthDelegation(plane);
  await ensureNamespaces(plane, ['search', 'payments']);
  const reviews = createKubernetesAccessReviews({
    kubeConfig: loadKubeConfig({ kubeconfig: plane.kubeconfigPath('service') }),
  });
  return {
    reviews,
    createServiceAccount: (account) => createServiceAccount(plane, account.namespace, account.name),
    mintToken: (account, audiences) =>
      plane.createServiceAccountToken(account.namespace, account.name, audiences ? { audiences } : {}),
    grantExposures: (namespace, account, verbs) => grantExposureVerbs(plane, namespace, account, verbs),
    grantImpersonation: (account, users) => grantImpersonation(plane, account, users),
    close: async () => {
      await reviews.close();
      await plane.stop();
    },
  };
});
