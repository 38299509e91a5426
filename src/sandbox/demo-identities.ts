// The sandbox's demo identities, so that every authentication and authorization mode can be tried:
// ServiceAccounts with tokens minted by the in-memory TokenRequest, RBAC Roles on
// exposures.exposure-api.io for them (Kubernetes authorization) and the same grants as static
// configuration (static authorization), an OIDC group, and a portal allowed to impersonate.
import { InMemoryAccessReviews, type RbacRule } from './in-memory-access-reviews.ts';

export const DEMO_SERVICE_ACCOUNTS = {
  /** May create, get, list, patch and delete exposures in `search`. */
  searchBot: { namespace: 'search', name: 'search-bot' },
  /** May do the same in `payments`. */
  paymentsBot: { namespace: 'payments', name: 'payments-bot' },
  /** A developer portal's backend: may act for any user and group (Impersonate-User). */
  portal: { namespace: 'default', name: 'portal' },
} as const;

/** A person the portal acts for: may read (get, list) exposures in `search`. */
export const DEMO_USER = 'alice@example.com';
/** The OIDC issuer's name in the sandbox, and a group of its users that may use `search`. */
export const DEMO_OIDC_ISSUER = 'sandbox';
export const DEMO_OIDC_GROUP = 'search-team';
export const DEMO_AUDIENCE = 'exposure-api';

const ALL_VERBS = ['create', 'get', 'list', 'patch', 'delete'];
const exposures = (verbs: readonly string[]): RbacRule => ({
  apiGroups: ['exposure-api.io'],
  resources: ['exposures'],
  verbs,
});

const serviceAccountName = (sa: { namespace: string; name: string }) =>
  `system:serviceaccount:${sa.namespace}:${sa.name}`;

/** TokenReview and SubjectAccessReview over the demo ServiceAccounts and RBAC rules. */
export function demoAccessReviews(): InMemoryAccessReviews {
  const reviews = new InMemoryAccessReviews();
  const { searchBot, paymentsBot, portal } = DEMO_SERVICE_ACCOUNTS;
  for (const sa of Object.values(DEMO_SERVICE_ACCOUNTS)) reviews.createServiceAccount(sa.namespace, sa.name);
  reviews.bind({
    namespace: 'search',
    subjects: [{ kind: 'ServiceAccount', ...searchBot }],
    rules: [exposures(ALL_VERBS)],
  });
  reviews.bind({
    namespace: 'payments',
    subjects: [{ kind: 'ServiceAccount', ...paymentsBot }],
    rules: [exposures(ALL_VERBS)],
  });
  reviews.bind({
    namespace: 'search',
    subjects: [{ kind: 'User', name: DEMO_USER }],
    rules: [exposures(['get', 'list'])],
  });
  reviews.bind({
    namespace: 'search',
    subjects: [{ kind: 'Group', name: `oidc:${DEMO_OIDC_ISSUER}:${DEMO_OIDC_GROUP}` }],
    rules: [exposures(ALL_VERBS)],
  });
  reviews.bind({
    subjects: [{ kind: 'ServiceAccount', ...portal }],
    rules: [{ apiGroups: [''], resources: ['users', 'groups'], verbs: ['impersonate'] }],
  });
  return reviews;
}

/** A Backstage group (entity ref) whose members may use `search` under static authorization. */
export const BACKSTAGE_SEARCH_GROUP = 'group:default/search';

/** The same grants for static authorization (the sandbox's default mode). */
export const DEMO_STATIC_AUTHORIZATION = {
  subjects: {
    [serviceAccountName(DEMO_SERVICE_ACCOUNTS.searchBot)]: ['search'],
    [serviceAccountName(DEMO_SERVICE_ACCOUNTS.paymentsBot)]: ['payments'],
    [DEMO_USER]: ['search'],
  },
  groups: {
    [`oidc:${DEMO_OIDC_ISSUER}:${DEMO_OIDC_GROUP}`]: ['search'],
    [BACKSTAGE_SEARCH_GROUP]: ['search'],
  },
  impersonators: [
    { subject: serviceAccountName(DEMO_SERVICE_ACCOUNTS.portal), users: ['*'], groups: ['*'] },
    // The search team's token in a Backstage backend acts for Backstage users, with their ownership
    // entity refs as groups (group refs, and user refs a user's ownership may hold); so may the
    // sandbox's admin token, as a platform's own backend token would; no one else.
    ...['team-search-bot', 'sandbox-admin'].map((subject) => ({
      subject,
      users: ['user:default/*'],
      groups: ['group:default/*', 'user:default/*'],
    })),
  ],
};
