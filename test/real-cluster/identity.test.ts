// Callers without shared secrets, on a real kube-apiserver: the service (its own process, as
// exposure-api's identity with the chart's RBAC and system:auth-delegator) accepts ServiceAccount
// tokens minted by TokenRequest for the audience exposure-api (TokenReview) and authorizes each
// decision with a SubjectAccessReview on exposures.exposure-api.io, granted by ordinary Roles.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type ComputeEmulator, startComputeEmulator } from '@exposure-api/compute-emulator';
import { sha256Hex } from '../../src/edge/plugins/authentication.ts';
import type { Exposure } from '../../src/schemas/exposure.ts';
import {
  createServiceAccount,
  grantAuthDelegation,
  grantExposureVerbs,
  grantImpersonation,
} from './fixture/identity.ts';
import {
  api,
  CALLER_TOKEN,
  type ControlPlane,
  controlPlaneSkipReason,
  grantServiceIdentity,
  kubernetesAdmin,
  LEASE_NAMESPACE,
  type ServiceProcess,
  type ServiceProcessFactory,
  serviceProcesses,
  startControlPlane,
} from './fixture/index.ts';

const skip = await controlPlaneSkipReason();
/** How long the service reuses an allowed decision: a removed RoleBinding is refused after it. */
const ALLOWED_CACHE_SECONDS = 2;
const AUDIENCE = 'exposure-api';

const searchBot = { namespace: 'search', name: 'search-bot' };
const paymentsBot = { namespace: 'payments', name: 'payments-bot' };
const portal = { namespace: 'default', name: 'portal' };
const intern = { namespace: 'default', name: 'intern' };

const request = (port: number) => ({
  namespace: 'search',
  name: `es-${port}`,
  selector: { app: 'elasticsearch' },
  ports: [{ name: 'http', port: 9200, nodePort: port }],
  sourceRanges: ['203.0.113.0/24'],
});

describe('ServiceAccount tokens and Kubernetes RBAC on a real kube-apiserver', { skip }, () => {
  let plane: ControlPlane;
  let emulator: ComputeEmulator;
  let processes: ServiceProcessFactory;
  let service: ServiceProcess;
  const tokens: Record<string, string> = {};
  let revokeSearchBot: () => Promise<void>;

  const as = (token: string, headers: Record<string, string> = {}) => ({
    authorization: `Bearer ${token}`,
    ...headers,
  });

  before(async () => {
    plane = await startControlPlane();
    await grantServiceIdentity(plane);
    await grantAuthDelegation(plane);
    const admin = kubernetesAdmin(plane);
    for (const namespace of ['search', 'payments', LEASE_NAMESPACE]) await admin.createNamespace(namespace);
    for (const account of [searchBot, paymentsBot, portal, intern]) {
      await createServiceAccount(plane, account.namespace, account.name);
    }
    revokeSearchBot = await grantExposureVerbs(plane, 'search', searchBot, ['create', 'get', 'delete']);
    await grantExposureVerbs(plane, 'search', searchBot, ['list']);
    await grantExposureVerbs(plane, 'payments', paymentsBot, ['create', 'get', 'list', 'patch', 'delete']);
    await grantImpersonation(plane, portal, ['alice@example.com']);
    // alice may read in search (a RoleBinding to a User).
    await plane.kubectl(['apply', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name: 'alice-reads', namespace: 'search' },
        rules: [{ apiGroups: ['exposure-api.io'], resources: ['exposures'], verbs: ['get', 'list'] }],
      }),
    });
    await plane.kubectl([
      'create',
      'rolebinding',
      'alice-reads',
      '-n',
      'search',
      '--role=alice-reads',
      '--user=alice@example.com',
    ]);
    for (const [key, account] of Object.entries({ searchBot, paymentsBot, portal, intern })) {
      tokens[key] = await plane.createServiceAccountToken(account.namespace, account.name, {
        audiences: [AUDIENCE],
      });
    }
    tokens.searchBotForApiserver = await plane.createServiceAccountToken(searchBot.namespace, searchBot.name);
    tokens.searchBotForOthers = await plane.createServiceAccountToken(searchBot.namespace, searchBot.name, {
      audiences: ['somebody-else'],
    });
    emulator = await startComputeEmulator();
    processes = await serviceProcesses({
      kubeconfig: plane.kubeconfigPath('service'),
      emulatorUrl: emulator.url,
      project: 'identity-project',
      clusterId: 'identity',
      extra: {
        auth: {
          tokens: [{ sha256: sha256Hex(CALLER_TOKEN), subject: 'e2e', namespaces: ['*'] }],
          serviceAccounts: { enabled: true, audience: AUDIENCE },
        },
        authorization: {
          mode: 'kubernetes',
          kubernetes: { allowedCacheSeconds: ALLOWED_CACHE_SECONDS, deniedCacheSeconds: 1 },
        },
      },
    });
    service = await processes.start();
  });
  after(async () => {
    await processes?.close();
    await emulator?.close();
    await plane?.stop();
  });

  let searchExposure = '';
  let paymentsExposure = '';

  test('search-bot (create/get/delete in search) creates, reads and deletes there', async () => {
    const created = await api(service, 'POST', '/exposures', request(30931), as(tokens.searchBot as string));
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const exposure = created.body as Exposure;
    assert.equal(exposure.createdBy, 'system:serviceaccount:search:search-bot');
    const read = await api(
      service,
      'GET',
      `/exposures/${exposure.id}`,
      undefined,
      as(tokens.searchBot as string),
    );
    assert.equal(read.status, 200);
    const deleted = await api(
      service,
      'DELETE',
      `/exposures/${exposure.id}`,
      undefined,
      as(tokens.searchBot as string),
    );
    assert.ok([202, 204].includes(deleted.status), `delete answered ${deleted.status}`);
    const kept = await api(service, 'POST', '/exposures', request(30932), as(tokens.searchBot as string));
    assert.equal(kept.status, 201);
    searchExposure = (kept.body as Exposure).id;
  });

  test('in payments a create is 403, a read or delete of an exposure there is 404', async () => {
    const theirs = await api(
      service,
      'POST',
      '/exposures',
      { ...request(30933), namespace: 'payments', name: 'ledger' },
      as(tokens.paymentsBot as string),
    );
    assert.equal(theirs.status, 201, JSON.stringify(theirs.body));
    paymentsExposure = (theirs.body as Exposure).id;
    const create = await api(
      service,
      'POST',
      '/exposures',
      { ...request(30934), namespace: 'payments' },
      as(tokens.searchBot as string),
    );
    assert.equal(create.status, 403);
    const read = await api(
      service,
      'GET',
      `/exposures/${paymentsExposure}`,
      undefined,
      as(tokens.searchBot as string),
    );
    assert.equal(read.status, 404);
    const remove = await api(
      service,
      'DELETE',
      `/exposures/${paymentsExposure}`,
      undefined,
      as(tokens.searchBot as string),
    );
    assert.equal(remove.status, 404);
  });

  test('a token without our audience (for the apiserver, or for another audience) is 401', async () => {
    for (const token of [tokens.searchBotForApiserver, tokens.searchBotForOthers]) {
      const read = await api(service, 'GET', `/exposures/${searchExposure}`, undefined, as(token as string));
      assert.equal(read.status, 401);
    }
  });

  test('GET /exposures lists only the namespaces where the caller may list', async () => {
    const search = await api(service, 'GET', '/exposures', undefined, as(tokens.searchBot as string));
    const payments = await api(service, 'GET', '/exposures', undefined, as(tokens.paymentsBot as string));
    const ids = (body: unknown) =>
      (body as { items: Exposure[] }).items.map((item) => `${item.namespace}/${item.id}`);
    assert.deepEqual(ids(search.body), [`search/${searchExposure}`]);
    assert.deepEqual(ids(payments.body), [`payments/${paymentsExposure}`]);
    const intern = await api(service, 'GET', '/exposures', undefined, as(tokens.intern as string));
    assert.deepEqual(ids(intern.body), []);
  });

  test('impersonation works for a caller allowed to impersonate, and is 403 for one that is not', async () => {
    const asAlice = { 'impersonate-user': 'alice@example.com' };
    const allowed = await api(
      service,
      'GET',
      `/exposures/${searchExposure}`,
      undefined,
      as(tokens.portal as string, asAlice),
    );
    assert.equal(allowed.status, 200, JSON.stringify(allowed.body));
    const refusedCreate = await api(
      service,
      'POST',
      '/exposures',
      request(30935),
      as(tokens.portal as string, asAlice),
    );
    assert.equal(refusedCreate.status, 403, 'alice may only read: authorization applies to the person');
    const refused = await api(
      service,
      'GET',
      `/exposures/${searchExposure}`,
      undefined,
      as(tokens.intern as string, asAlice),
    );
    assert.equal(refused.status, 403);
    const otherUser = { 'impersonate-user': 'bob@example.com' };
    const notThatUser = await api(
      service,
      'GET',
      `/exposures/${searchExposure}`,
      undefined,
      as(tokens.portal as string, otherUser),
    );
    assert.equal(notThatUser.status, 403);
  });

  test(`after the RoleBinding is removed, the first decision after the ${ALLOWED_CACHE_SECONDS} s cache TTL is refused`, async () => {
    const before = await api(
      service,
      'GET',
      `/exposures/${searchExposure}`,
      undefined,
      as(tokens.searchBot as string),
    );
    assert.equal(before.status, 200);
    await revokeSearchBot();
    // RBAC in the apiserver follows its own informer; give it a moment beyond our cache's TTL.
    await new Promise((resolve) => setTimeout(resolve, ALLOWED_CACHE_SECONDS * 1000 + 500));
    const after = await api(
      service,
      'GET',
      `/exposures/${searchExposure}`,
      undefined,
      as(tokens.searchBot as string),
    );
    assert.equal(after.status, 404);
  });
});
