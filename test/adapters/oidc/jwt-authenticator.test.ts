// OIDC/JWT verification against a local issuer on loopback (discovery + JWKS): a valid token is
// accepted and mapped with the issuer's prefix; every way a token can be wrong is refused; key
// rotation at the issuer is picked up without a restart, and an unknown kid costs at most one
// JWKS refetch per interval.
import assert from 'node:assert/strict';
import { createHmac, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { SignJWT } from 'jose';
import { JwtAuthenticator } from '../../../src/adapters/oidc/jwt-authenticator.ts';
import type { AuthenticationResult } from '../../../src/application/ports/authenticator.ts';
import { LocalOidcIssuer } from '../../../src/sandbox/local-oidc-issuer.ts';

const AUDIENCE = 'exposure-api';
const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('OIDC/JWT authenticator', () => {
  let issuer: LocalOidcIssuer;
  let authenticator: JwtAuthenticator;
  let serial = 0;
  const verify = (token: string): Promise<AuthenticationResult> =>
    authenticator.authenticate(token, `hash-${++serial}`);
  const reasonOf = (result: AuthenticationResult) => (result.ok ? 'accepted' : result.reason);
  const claims = {
    sub: 'alice-id',
    email: 'alice@example.com',
    email_verified: true,
    groups: ['search-team'],
  };

  before(async () => {
    issuer = await LocalOidcIssuer.start();
    authenticator = new JwtAuthenticator(
      {
        name: 'corp',
        url: issuer.url,
        audiences: [AUDIENCE],
        algorithms: ['RS256'],
        usernameClaim: 'email',
        groupsClaim: 'groups',
      },
      { clockSkewSeconds: 5, jwksRefreshMs: 1000, cacheEntries: 100 },
    );
  });
  after(() => issuer.close());

  test('a valid token is accepted, its user and groups prefixed with the issuer name', async () => {
    const result = await verify(await issuer.sign(claims, { audience: AUDIENCE }));
    assert.ok(result.ok, reasonOf(result));
    assert.deepEqual(result.identity, {
      subject: 'oidc:corp:alice@example.com',
      username: 'oidc:corp:alice@example.com',
      groups: ['oidc:corp:search-team'],
      authenticatedBy: 'oidc:corp',
    });
  });

  test('a verified token is cached by hash, and not before it is verified', async () => {
    const token = await issuer.sign(claims, { audience: AUDIENCE });
    assert.equal(authenticator.cached('cache-me'), undefined);
    await authenticator.authenticate(token, 'cache-me');
    assert.ok(authenticator.cached('cache-me')?.ok);
  });

  const refusals: [string, () => Promise<string>, string][] = [
    ['wrong audience', () => issuer.sign(claims, { audience: 'somebody-else' }), 'wrong-audience'],
    [
      'wrong issuer',
      () => issuer.sign(claims, { audience: AUDIENCE, issuer: 'https://elsewhere.example' }),
      'invalid-token',
    ],
    [
      'expired',
      () =>
        issuer.sign(claims, {
          audience: AUDIENCE,
          issuedAt: Math.floor(Date.now() / 1000) - 7200,
          expiresInSeconds: 600,
        }),
      'expired',
    ],
    [
      'not yet valid',
      () => issuer.sign(claims, { audience: AUDIENCE, notBefore: Math.floor(Date.now() / 1000) + 600 }),
      'not-yet-valid',
    ],
    [
      'issued in the future',
      () => issuer.sign(claims, { audience: AUDIENCE, issuedAt: Math.floor(Date.now() / 1000) + 600 }),
      'not-yet-valid',
    ],
    [
      'alg: none',
      async () => {
        const signed = await issuer.sign(claims, { audience: AUDIENCE });
        const payload = signed.split('.')[1];
        return `${base64url({ alg: 'none', typ: 'JWT' })}.${payload}.`;
      },
      'invalid-token',
    ],
    [
      'an HMAC token signed with the public key',
      async () => {
        const publicPem = createPublicKey(issuer.currentKey.privateKey).export({
          type: 'spki',
          format: 'pem',
        });
        const signed = await issuer.sign(claims, { audience: AUDIENCE });
        const header = base64url({ alg: 'HS256', typ: 'JWT', kid: issuer.currentKey.kid });
        const input = `${header}.${signed.split('.')[1]}`;
        return `${input}.${createHmac('sha256', publicPem).update(input).digest('base64url')}`;
      },
      'invalid-token',
    ],
    [
      'a tampered payload',
      async () => {
        const [header, payload, signature] = (await issuer.sign(claims, { audience: AUDIENCE })).split('.');
        const changed = {
          ...JSON.parse(Buffer.from(payload as string, 'base64url').toString()),
          email: 'mallory@example.com',
        };
        return `${header}.${base64url(changed)}.${signature}`;
      },
      'invalid-token',
    ],
    [
      'a groups claim mapping to system:masters',
      () => issuer.sign({ ...claims, groups: ['system:masters'] }, { audience: AUDIENCE }),
      'forbidden-name',
    ],
    [
      'a user name starting with system:',
      () => issuer.sign({ ...claims, email: 'system:admin' }, { audience: AUDIENCE }),
      'forbidden-name',
    ],
    [
      'an email that is not verified',
      () => issuer.sign({ ...claims, email_verified: false }, { audience: AUDIENCE }),
      'unverified-email',
    ],
  ];
  for (const [what, token, reason] of refusals) {
    test(`refused: ${what}`, async () => {
      assert.equal(reasonOf(await verify(await token())), reason);
    });
  }

  test('refused: a token signed by a key the issuer never published', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const foreign = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: issuer.currentKey.kid })
      .setIssuer(issuer.url)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(privateKey);
    assert.equal(reasonOf(await verify(foreign)), 'invalid-token');
  });

  test('an unknown kid is refused after at most one JWKS refetch per interval', async () => {
    await new Promise((resolve) => setTimeout(resolve, 1100)); // past the refetch interval
    const before = issuer.requests.jwks;
    for (let i = 0; i < 20; i++) {
      const token = await issuer.sign(claims, { audience: AUDIENCE, kid: `unknown-${i}` });
      assert.equal(reasonOf(await verify(token)), 'invalid-token');
    }
    const refetches = issuer.requests.jwks - before;
    assert.equal(refetches, 1, `${refetches} JWKS fetches for 20 unknown kids`);
  });

  test('a key rotated at the issuer is picked up without a restart', async () => {
    await issuer.rotateKey({ retireOld: true });
    await new Promise((resolve) => setTimeout(resolve, 1100)); // past the refetch interval
    const result = await verify(await issuer.sign(claims, { audience: AUDIENCE }));
    assert.ok(result.ok, reasonOf(result));
  });
});
