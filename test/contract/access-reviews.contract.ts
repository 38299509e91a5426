// The contract of the AccessReviews port: TokenReview of TokenRequest-minted ServiceAccount tokens
// (with and without our audience, and tokens the cluster never issued), and SubjectAccessReview of
// Roles on exposures.exposure-api.io granting and withholding each verb, and of impersonation
// allowed and refused. Run against the in-memory reviews of the sandbox and against a real
// kube-apiserver, so the sandbox cannot drift from the cluster.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type AccessReviews, EXPOSURES_RESOURCE } from '../../src/application/ports/access-reviews.ts';
import { eventually } from '../support/eventually.ts';

export const AUDIENCE = 'exposure-api';
const VERBS = ['create', 'get', 'list', 'patch', 'delete'] as const;

export interface ServiceAccountRef {
  namespace: string;
  name: string;
}

export interface AccessReviewsUnderTest {
  reviews: AccessReviews;
  /** Namespaces `search` and `payments` exist; creates a ServiceAccount there. */
  createServiceAccount(account: ServiceAccountRef): Promise<void>;
  /** TokenRequest; without audiences the token is for the apiserver itself. */
  mintToken(account: ServiceAccountRef, audiences?: string[]): Promise<string>;
  /** A Role on exposures.exposure-api.io with these verbs, bound to the account in `namespace`; resolves to its removal. */
  grantExposures(
    namespace: string,
    account: ServiceAccountRef,
    verbs: readonly string[],
  ): Promise<() => Promise<void>>;
  /** A ClusterRole allowing `impersonate` on these users, bound to the account. */
  grantImpersonation(account: ServiceAccountRef, users: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

const userOf = (account: ServiceAccountRef) => `system:serviceaccount:${account.namespace}:${account.name}`;
const groupsOf = (account: ServiceAccountRef) => [
  'system:serviceaccounts',
  `system:serviceaccounts:${account.namespace}`,
  'system:authenticated',
];

export function accessReviewsContract(
  name: string,
  setup: () => Promise<AccessReviewsUnderTest | undefined>,
): void {
  describe(`AccessReviews contract: ${name}`, () => {
    let target: AccessReviewsUnderTest | undefined;
    const bot = { namespace: 'search', name: 'search-bot' };
    const portal = { namespace: 'default', name: 'portal' };
    const stranger = { namespace: 'payments', name: 'payments-bot' };

    before(async () => {
      target = await setup();
      if (!target) return;
      for (const account of [bot, portal, stranger]) await target.createServiceAccount(account);
    });
    after(async () => {
      await target?.close();
    });

    const subject = (account: ServiceAccountRef) => ({ user: userOf(account), groups: groupsOf(account) });
    const exposures = (verb: string, namespace: string) => ({ verb, namespace, ...EXPOSURES_RESOURCE });

    test('a token minted for our audience is authenticated as the ServiceAccount, with that audience', async (t) => {
      if (!target) return t.skip('no implementation available');
      const token = await target.mintToken(bot, [AUDIENCE]);
      const outcome = await target.reviews.reviewToken(token, [AUDIENCE]);
      assert.equal(outcome.authenticated, true, outcome.error);
      assert.equal(outcome.user?.username, userOf(bot));
      for (const group of groupsOf(bot)) assert.ok(outcome.user?.groups.includes(group), `group ${group}`);
      assert.deepEqual([...outcome.audiences], [AUDIENCE]);
    });

    test('a token minted without the audience (for the apiserver) is not authenticated for ours', async (t) => {
      if (!target) return t.skip('no implementation available');
      const token = await target.mintToken(bot);
      const outcome = await target.reviews.reviewToken(token, [AUDIENCE]);
      assert.equal(outcome.authenticated, false);
      assert.ok(!outcome.audiences.includes(AUDIENCE));
    });

    test('a token for another audience, and a token the cluster never issued, are not authenticated', async (t) => {
      if (!target) return t.skip('no implementation available');
      const other = await target.mintToken(bot, ['somebody-else']);
      assert.equal((await target.reviews.reviewToken(other, [AUDIENCE])).authenticated, false);
      const [header, payload] = other.split('.');
      const forged = `${header}.${payload}.${Buffer.from('not the signature').toString('base64url')}`;
      assert.equal((await target.reviews.reviewToken(forged, [AUDIENCE])).authenticated, false);
    });

    test('a Role granting create, get and delete in search allows exactly those verbs there, none elsewhere', async (t) => {
      if (!target) return t.skip('no implementation available');
      const granted = ['create', 'get', 'delete'];
      const revoke = await target.grantExposures('search', bot, granted);
      const decide = (verb: string, namespace: string) =>
        target?.reviews.reviewAccess(subject(bot), exposures(verb, namespace));
      await eventually(
        () => decide('create', 'search'),
        (allowed) => allowed === true,
        { what: 'the Role to apply' },
      );
      for (const verb of VERBS) {
        assert.equal(await decide(verb, 'search'), granted.includes(verb), `${verb} in search`);
        assert.equal(await decide(verb, 'payments'), false, `${verb} in payments`);
      }
      assert.equal(
        await target.reviews.reviewAccess(subject(stranger), exposures('get', 'search')),
        false,
        'another ServiceAccount is not granted',
      );
      await revoke();
      await eventually(
        () => decide('create', 'search'),
        (allowed) => allowed === false,
        {
          what: 'the removed RoleBinding to take effect',
        },
      );
    });

    test('impersonation is allowed for the users granted, and refused for others and other callers', async (t) => {
      if (!target) return t.skip('no implementation available');
      await target.grantImpersonation(portal, ['alice@example.com']);
      const impersonate = (account: ServiceAccountRef, user: string) =>
        target?.reviews.reviewAccess(subject(account), {
          verb: 'impersonate',
          group: '',
          resource: 'users',
          name: user,
        });
      await eventually(
        () => impersonate(portal, 'alice@example.com'),
        (allowed) => allowed === true,
        {
          what: 'the impersonation grant to apply',
        },
      );
      assert.equal(await impersonate(portal, 'bob@example.com'), false);
      assert.equal(await impersonate(bot, 'alice@example.com'), false);
    });
  });
}
