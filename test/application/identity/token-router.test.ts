// Tokens are routed by what they are, never tried in turn: a static token is a hash lookup, a JWT
// goes to the one authenticator of its issuer, anything else is refused with no call at all; a
// refused token is not sent upstream again while the negative cache remembers it.
import assert from 'node:assert/strict';
import { hash } from 'node:crypto';
import { test } from 'node:test';
import { TokenRouter } from '../../../src/application/identity/token-router.ts';
import type {
  AuthenticationResult,
  Authenticator,
  Identity,
} from '../../../src/application/ports/authenticator.ts';
import { fakeJwt } from '../../support/fake-jwt.ts';

/** Answers by a rule, remembers what it accepted, and counts the tokens it was asked about. */
function countingAuthenticator(
  answer: (token: string) => AuthenticationResult,
): Authenticator & { calls: number } {
  const accepted = new Map<string, AuthenticationResult>();
  const authenticator = {
    calls: 0,
    cached: (tokenHash: string) => accepted.get(tokenHash),
    authenticate: async (token: string, tokenHash: string) => {
      authenticator.calls++;
      const result = answer(token);
      if (result.ok) accepted.set(tokenHash, result);
      return result;
    },
  };
  return authenticator;
}

const identity = (subject: string, authenticatedBy: string): Identity => ({
  subject,
  username: subject,
  groups: ['g'],
  authenticatedBy,
});
const CLUSTER = 'https://kubernetes.default.svc.cluster.local';
const CORP = 'https://login.example.com';

function setup() {
  const serviceAccounts = countingAuthenticator((token) =>
    token.includes('good')
      ? { ok: true, identity: identity('system:serviceaccount:a:b', 'serviceaccount') }
      : { ok: false, reason: 'rejected', detail: 'no' },
  );
  const corp = countingAuthenticator(() => ({ ok: false, reason: 'invalid-token', detail: 'no' }));
  const staticIdentity = { ...identity('team-bot', 'static'), namespaces: ['search'] };
  const router = new TokenRouter({
    staticTokens: new Map([[hash('sha256', 'static-token', 'hex'), staticIdentity]]),
    issuers: new Map<string, Authenticator>([
      [CLUSTER, serviceAccounts],
      [CORP, corp],
    ]),
    namespacesOf: () => ['from-config'],
    settings: { negativeCacheMs: 60_000, negativeCacheEntries: 100 },
  });
  return { router, serviceAccounts, corp };
}

const jwtWith = (issuer: string, marker: string) => {
  const [header, payload] = fakeJwt(issuer).split('.');
  return `${header}.${payload}.${marker}`;
};

test('a static token is a local lookup: synchronous, no authenticator called', () => {
  const { router, serviceAccounts, corp } = setup();
  const result = router.authenticate('static-token');
  assert.ok(!(result instanceof Promise));
  assert.ok(result.ok);
  assert.deepEqual(result.principal.namespaces, ['search']);
  assert.equal(serviceAccounts.calls + corp.calls, 0);
});

test('a JWT goes to the authenticator of its issuer only', async () => {
  const { router, serviceAccounts, corp } = setup();
  const accepted = await router.authenticate(jwtWith(CLUSTER, 'good'));
  assert.ok(accepted.ok);
  assert.equal(accepted.principal.subject, 'system:serviceaccount:a:b');
  assert.deepEqual(accepted.principal.namespaces, ['from-config']);
  assert.deepEqual([serviceAccounts.calls, corp.calls], [1, 0]);
  await router.authenticate(jwtWith(CORP, 'x'));
  assert.deepEqual([serviceAccounts.calls, corp.calls], [1, 1]);
});

test("an accepted token is answered from its authenticator's cache, synchronously, with the same principal", async () => {
  const { router, serviceAccounts } = setup();
  const token = jwtWith(CLUSTER, 'good');
  const first = await router.authenticate(token);
  const again = router.authenticate(token);
  assert.ok(!(again instanceof Promise));
  assert.ok(first.ok && again.ok);
  assert.equal(again.principal, first.principal);
  assert.equal(serviceAccounts.calls, 1);
});

test('an unknown issuer, a JWT that cannot be read and an opaque unknown token are refused with no call', () => {
  const { router, serviceAccounts, corp } = setup();
  const reasons = [jwtWith('https://elsewhere.example', 'x'), 'aaa.bbb.ccc', 'just-some-token'].map(
    (token) => {
      const result = router.authenticate(token);
      assert.ok(!(result instanceof Promise));
      return result.ok ? 'accepted' : result.reason;
    },
  );
  assert.deepEqual(reasons, ['unknown-issuer', 'invalid-token', 'unknown-token']);
  assert.equal(serviceAccounts.calls + corp.calls, 0);
});

test('a refused token is remembered: asked again, no second upstream call', async () => {
  const { router, serviceAccounts } = setup();
  const token = jwtWith(CLUSTER, 'bad');
  const first = await router.authenticate(token);
  const second = router.authenticate(token);
  assert.ok(!first.ok);
  assert.ok(!(second instanceof Promise) && !second.ok);
  assert.equal(serviceAccounts.calls, 1);
});

test('knownNow answers what needs no verification now (static, cached, remembered refusal) and starts nothing', async () => {
  const { router, serviceAccounts, corp } = setup();
  const staticAnswer = router.knownNow('static-token');
  assert.ok(staticAnswer?.ok);
  assert.equal(staticAnswer.principal.subject, 'team-bot');
  const good = jwtWith(CLUSTER, 'good');
  const refused = jwtWith(CLUSTER, 'bad');
  assert.equal(router.knownNow(good), undefined, 'not verified yet');
  assert.equal(router.knownNow(refused), undefined);
  assert.equal(serviceAccounts.calls + corp.calls, 0, 'knownNow verified nothing');
  const accepted = await router.authenticate(good);
  await router.authenticate(refused);
  const cached = router.knownNow(good);
  assert.ok(cached?.ok && accepted.ok);
  assert.equal(cached.principal, accepted.principal);
  assert.equal(router.knownNow(refused)?.ok, false, 'the refusal is remembered');
  assert.equal(serviceAccounts.calls, 2);
});
