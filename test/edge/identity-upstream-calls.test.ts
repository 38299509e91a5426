// What authentication and authorization cost upstream, in the sandbox under Kubernetes
// authorization: with warm caches, reads by a ServiceAccount and by an OIDC caller make no
// TokenReview, SubjectAccessReview or JWKS call at all; floods of bad tokens (random JWTs naming
// the cluster's issuer or the OIDC issuer, and JWTs of unknown issuers) cause a bounded number.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DEMO_SERVICE_ACCOUNTS } from '../../src/sandbox/demo-identities.ts';
import type { Sandbox } from '../../src/sandbox/sandbox.ts';
import { createRequest } from '../builders/create-request.ts';
import { fakeJwt } from '../support/fake-jwt.ts';
import { ADMIN, call, startTestSandbox } from '../support/test-sandbox.ts';

const FLOOD = 10_000;
const FLOOD_BOUND = 50;
const BATCH = 250;

describe('upstream calls of authentication and authorization (Kubernetes authorization)', () => {
  let sandbox: Sandbox;
  const tokens: Record<string, string> = {};
  const upstreamCalls = () =>
    sandbox.accessReviews.calls.tokenReviews +
    sandbox.accessReviews.calls.subjectAccessReviews +
    sandbox.oidcIssuer.requests.jwks +
    sandbox.oidcIssuer.requests.discovery;

  before(async () => {
    sandbox = await startTestSandbox({
      config: {
        // Caches far longer than the test, so that "warm" cannot expire on a slow machine.
        authorization: { mode: 'kubernetes', kubernetes: { allowedCacheSeconds: 600 } },
        auth: { serviceAccounts: { cacheSeconds: 600 } },
        rateLimit: { reads: { max: 100_000 }, writes: { max: 1_000 } },
        server: { maxConnectionsPerAddress: 1_000 },
      },
    });
    const mint = async (url: string, payload: object) =>
      (
        await call<{ token: string }>(sandbox, {
          method: 'POST',
          url,
          headers: { authorization: ADMIN },
          payload,
        })
      ).body.token;
    const { searchBot } = DEMO_SERVICE_ACCOUNTS;
    tokens.searchBot = await mint(`/sandbox/serviceaccounts/${searchBot.namespace}/${searchBot.name}/token`, {
      audience: 'exposure-api',
    });
    tokens.oidc = await mint('/sandbox/oidc/token', { email: 'bob@example.com', groups: ['search-team'] });
  });
  after(() => sandbox.close());

  test('with warm caches, reads make no TokenReview, SubjectAccessReview or JWKS call', async () => {
    const created = await call(sandbox, {
      method: 'POST',
      url: '/exposures',
      headers: { authorization: `Bearer ${tokens.searchBot}`, 'content-type': 'application/json' },
      payload: createRequest({ name: 'warm', ports: [{ name: 'http', port: 9200 }] }),
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const read = (token: string, url: string) =>
      call(sandbox, { method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
    const urls = [`/exposures/${created.body.id}`, '/exposures'];
    for (const token of [tokens.searchBot, tokens.oidc] as string[]) {
      for (const url of urls) assert.equal((await read(token, url)).status, 200, url); // warms the caches
    }
    const before = upstreamCalls();
    let reads = 0;
    for (let i = 0; i < 100; i++) {
      for (const token of [tokens.searchBot, tokens.oidc] as string[]) {
        for (const url of urls) {
          assert.equal((await read(token, url)).status, 200);
          reads++;
        }
      }
    }
    const made = upstreamCalls() - before;
    console.log(
      `warm caches: ${reads} reads (ServiceAccount and OIDC callers) made ${made} upstream identity calls`,
    );
    assert.equal(made, 0);
  });

  test(`floods of ${FLOOD} bad JWTs per kind cause at most ${FLOOD_BOUND} TokenReview/JWKS calls`, async () => {
    const flood = async (token: () => string, remoteAddress: string) => {
      const statuses = new Map<number, number>();
      for (let sent = 0; sent < FLOOD; sent += BATCH) {
        const answers = await Promise.all(
          Array.from({ length: BATCH }, () =>
            sandbox.runtime.app.inject({
              method: 'GET',
              url: '/exposures',
              headers: { authorization: `Bearer ${token()}` },
              remoteAddress,
            }),
          ),
        );
        for (const answer of answers)
          statuses.set(answer.statusCode, (statuses.get(answer.statusCode) ?? 0) + 1);
      }
      return Object.fromEntries(statuses);
    };
    const kinds: [string, () => string][] = [
      ['random JWTs naming the cluster issuer', () => fakeJwt(sandbox.accessReviews.issuer)],
      [
        'random JWTs naming the OIDC issuer (unknown kids)',
        () => fakeJwt(sandbox.oidcIssuer.url, Math.random().toString(36)),
      ],
      [
        'JWTs of unknown issuers',
        () => fakeJwt(`https://issuer-${Math.random().toString(36).slice(2)}.invalid`),
      ],
    ];
    let total = 0;
    for (const [index, [what, token]] of kinds.entries()) {
      const tokenReviews = sandbox.accessReviews.calls.tokenReviews;
      const jwks = sandbox.oidcIssuer.requests.jwks + sandbox.oidcIssuer.requests.discovery;
      const statuses = await flood(token, `10.20.0.${index + 1}`);
      const made =
        sandbox.accessReviews.calls.tokenReviews -
        tokenReviews +
        (sandbox.oidcIssuer.requests.jwks + sandbox.oidcIssuer.requests.discovery - jwks);
      console.log(
        `flood of ${FLOOD} ${what}: ${made} TokenReview/JWKS calls; answers ${JSON.stringify(statuses)}`,
      );
      assert.equal(statuses[200], undefined, 'no bad token is accepted');
      assert.ok(made <= FLOOD_BOUND, `${made} calls for ${what}`);
      total += made;
    }
    console.log(`floods: ${total} upstream calls for ${kinds.length * FLOOD} bad tokens`);
  });
});
