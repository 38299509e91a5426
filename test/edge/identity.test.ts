// Callers without shared secrets, in the sandbox (static authorization, its default): ServiceAccount
// tokens through the in-memory TokenReview, ID tokens of the sandbox's OIDC issuer, impersonation
// as configured, audit lines naming caller and person, and failed authentications counted by
// reason in /metrics without any token.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createExposureClient } from '../../clients/typescript/src/index.ts';
import { DEMO_SERVICE_ACCOUNTS, DEMO_USER } from '../../src/sandbox/demo-identities.ts';
import type { Sandbox } from '../../src/sandbox/sandbox.ts';
import { createRequest } from '../builders/create-request.ts';
import { fakeJwt } from '../support/fake-jwt.ts';
import { jsonLinesInto } from '../support/json-lines.ts';
import { ADMIN, call, startTestSandbox } from '../support/test-sandbox.ts';

describe('identity in the sandbox (static authorization)', () => {
  let sandbox: Sandbox;
  const lines: Record<string, unknown>[] = [];
  const tokens: Record<string, string> = {};

  before(async () => {
    sandbox = await startTestSandbox({ logLevel: 'info', logDestination: jsonLinesInto(lines) });
    const mint = async (url: string, payload: unknown) => {
      const minted = await call<{ token: string }>(sandbox, {
        method: 'POST',
        url,
        headers: { authorization: ADMIN },
        payload: payload as object,
      });
      assert.equal(minted.status, 201, JSON.stringify(minted.body));
      return minted.body.token;
    };
    const sa = (account: { namespace: string; name: string }) =>
      `/sandbox/serviceaccounts/${account.namespace}/${account.name}/token`;
    tokens.searchBot = await mint(sa(DEMO_SERVICE_ACCOUNTS.searchBot), { audience: 'exposure-api' });
    tokens.searchBotForApiserver = await mint(sa(DEMO_SERVICE_ACCOUNTS.searchBot), {});
    tokens.portal = await mint(sa(DEMO_SERVICE_ACCOUNTS.portal), { audience: 'exposure-api' });
    tokens.searchTeamMember = await mint('/sandbox/oidc/token', {
      email: 'bob@example.com',
      groups: ['search-team'],
    });
  });
  after(() => sandbox.close());

  const as = (token: string, headers: Record<string, string> = {}) => ({
    authorization: `Bearer ${token}`,
    ...headers,
  });
  const create = (token: string, name: string, namespace = 'search', headers: Record<string, string> = {}) =>
    call(sandbox, {
      method: 'POST',
      url: '/exposures',
      headers: { ...as(token, headers), 'content-type': 'application/json' },
      payload: createRequest({ name, namespace, ports: [{ name: 'http', port: 9200 }] }),
    });

  test('a ServiceAccount token minted for exposure-api creates in its namespaces, as system:serviceaccount:<ns>:<name>', async () => {
    const created = await create(tokens.searchBot as string, 'from-sa');
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.createdBy, 'system:serviceaccount:search:search-bot');
    assert.equal((await create(tokens.searchBot as string, 'elsewhere', 'payments')).status, 403);
  });

  test('a ServiceAccount token minted for the apiserver is 401', async () => {
    const read = await call(sandbox, {
      method: 'GET',
      url: '/exposures',
      headers: as(tokens.searchBotForApiserver as string),
    });
    assert.equal(read.status, 401);
  });

  test('an ID token of the OIDC issuer authenticates as oidc:<issuer>:<email>, authorized by its group', async () => {
    const created = await create(tokens.searchTeamMember as string, 'from-oidc');
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.createdBy, 'oidc:sandbox:bob@example.com');
  });

  test("the portal acts for a person: the change is the person's, and the audit line names both", async () => {
    const created = await create(tokens.portal as string, 'for-alice', 'search', {
      'impersonate-user': DEMO_USER,
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.createdBy, DEMO_USER);
    await new Promise((resolve) => setImmediate(resolve));
    const audit = lines.find((line) => line.audit === true && line.name === 'for-alice');
    assert.equal(audit?.subject, DEMO_USER);
    assert.deepEqual(audit?.impersonatedBy, {
      subject: 'system:serviceaccount:default:portal',
      groups: ['system:serviceaccounts', 'system:serviceaccounts:default', 'system:authenticated'],
    });
    assert.equal(audit?.authenticatedBy, 'serviceaccount');
    assert.match(
      String(audit?.msg),
      /by alice@example\.com \(impersonated by system:serviceaccount:default:portal\)/,
    );
    const personElsewhere = await create(tokens.portal as string, 'alice-payments', 'payments', {
      'impersonate-user': DEMO_USER,
    });
    assert.equal(personElsewhere.status, 403, 'authorization applies to the person, not the portal');
  });

  test('the typed client: a token provider called for every request, and the person it acts for', async () => {
    let provided = 0;
    const client = createExposureClient({
      baseUrl: sandbox.apiUrl,
      token: async () => {
        provided++;
        return `${tokens.portal}\n`; // as read from a projected token file
      },
      impersonate: { user: DEMO_USER, groups: ['readers', 'search-people'] },
    });
    const created = await client.create({
      namespace: 'search',
      name: 'client-for-alice',
      selector: { app: 'elasticsearch' },
      ports: [{ name: 'http', port: 9200 }],
      sourceRanges: ['203.0.113.0/24'],
    });
    assert.equal(created.value.createdBy, DEMO_USER);
    await client.list();
    assert.equal(provided, 2);
    await new Promise((resolve) => setImmediate(resolve));
    const audit = lines.find((line) => line.audit === true && line.name === 'client-for-alice');
    assert.deepEqual(audit?.groups, ['readers', 'search-people', 'system:authenticated']);
  });

  test('impersonation is 403 for a caller not allowed to impersonate, and 400 for a group without a user', async () => {
    const refused = await create(tokens.searchBot as string, 'not-allowed', 'search', {
      'impersonate-user': DEMO_USER,
    });
    assert.equal(refused.status, 403);
    const admin = await call(sandbox, {
      method: 'GET',
      url: '/exposures',
      headers: { authorization: ADMIN, 'impersonate-user': DEMO_USER },
    });
    assert.equal(admin.status, 403, 'a static token may impersonate only when configured');
    const groupOnly = await call(sandbox, {
      method: 'GET',
      url: '/exposures',
      headers: as(tokens.portal as string, { 'impersonate-group': 'admins' }),
    });
    assert.equal(groupOnly.status, 400);
  });

  test('failed authentications are counted by reason in /metrics, and no token appears there or in the logs', async () => {
    const attempts: [Record<string, string>, string][] = [
      [{}, 'missing-token'],
      [{ authorization: 'Basic abc' }, 'malformed-header'],
      [{ authorization: 'Bearer not-a-known-token' }, 'unknown-token'],
      [{ authorization: `Bearer ${fakeJwt('https://issuer.invalid')}` }, 'unknown-issuer'],
    ];
    for (const [headers, reason] of attempts) {
      const response = await call(sandbox, {
        method: 'GET',
        url: '/exposures',
        headers,
        remoteAddress: '10.9.9.9',
      });
      assert.equal(response.status, 401, reason);
    }
    const metrics = await call(sandbox, { method: 'GET', url: '/metrics' });
    for (const [, reason] of attempts) {
      assert.match(
        String(metrics.raw.body),
        new RegExp(`exposure_api_failed_authentications_total\\{reason="${reason}"\\} [1-9]`),
      );
    }
    assert.match(
      String(metrics.raw.body),
      /exposure_api_failed_authentications_total\{reason="rejected"\} [1-9]/,
    );
    for (const token of Object.values(tokens)) {
      assert.ok(!metrics.raw.body.includes(token), 'no token in /metrics');
      assert.ok(!JSON.stringify(lines).includes(token), 'no token in the logs');
    }
  });
});
