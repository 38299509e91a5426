import { InMemoryAccessReviews } from '../../src/sandbox/in-memory-access-reviews.ts';
import { accessReviewsContract } from './access-reviews.contract.ts';

accessReviewsContract('in-memory (sandbox)', async () => {
  const reviews = new InMemoryAccessReviews();
  const exposures = { apiGroups: ['exposure-api.io'], resources: ['exposures'] };
  return {
    reviews,
    createServiceAccount: async (account) => reviews.createServiceAccount(account.namespace, account.name),
    mintToken: (account, audiences) =>
      reviews.mintToken(account.namespace, account.name, audiences ? { audiences } : {}),
    grantExposures: async (namespace, account, verbs) => {
      const unbind = reviews.bind({
        namespace,
        subjects: [{ kind: 'ServiceAccount', ...account }],
        rules: [{ ...exposures, verbs }],
      });
      return async () => unbind();
    },
    grantImpersonation: async (account, users) => {
      reviews.bind({
        subjects: [{ kind: 'ServiceAccount', ...account }],
        rules: [{ apiGroups: [''], resources: ['users'], verbs: ['impersonate'], resourceNames: users }],
      });
    },
    close: async () => {},
  };
});
