// Quotas and capacity through the API: a namespace's ResourceQuota (set in the sandbox as an
// administrator would), the installation's own limits, and a full node-port range each answer one
// documented problem that says what ran out, with the figures, and nothing is written.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type ComputeEmulator, startComputeEmulator } from '@exposure-api/compute-emulator';
import { pino } from 'pino';
import type { GceFirewalls } from '../../src/adapters/gce/gce-firewalls.ts';
import { parseConfig } from '../../src/config/load.ts';
import { usageLedgerLocation } from '../../src/config/settings.ts';
import { sha256Hex } from '../../src/edge/plugins/authentication.ts';
import { createRuntime, type Runtime } from '../../src/runtime.ts';
import { InMemoryCluster } from '../../src/sandbox/in-memory-cluster.ts';
import type { Sandbox } from '../../src/sandbox/sandbox.ts';
import type { Exposure } from '../../src/schemas/exposure.ts';
import type { Problem } from '../../src/schemas/problem.ts';
import { createRequest } from '../builders/create-request.ts';
import { gceFirewallsOn } from '../support/emulated-gce.ts';
import { eventually } from '../support/eventually.ts';
import { ADMIN, call, footprint, SEARCH_TEAM, startTestSandbox } from '../support/test-sandbox.ts';

const LIMITS = {
  perNamespace: { exposures: 2, nodePorts: 100 },
  perSubject: { exposures: 100, nodePorts: 3 },
  installation: { firewallRules: 5 },
  recountSeconds: 60,
};

function request(name: string, overrides: Record<string, unknown> = {}) {
  return createRequest({ name, ports: [{ name: 'http', port: 9200 }], ...overrides });
}

describe('quotas through the API', () => {
  let sandbox: Sandbox;
  before(async () => {
    sandbox = await startTestSandbox({ withDemoWorkload: false, config: { limits: LIMITS } });
  });
  after(() => sandbox.close());

  const create = (body: Record<string, unknown>, token = SEARCH_TEAM) =>
    call<Exposure & Problem>(sandbox, {
      method: 'POST',
      url: '/exposures',
      headers: { authorization: token, 'content-type': 'application/json' },
      payload: JSON.stringify(body),
    });
  const remove = (id: string, token = SEARCH_TEAM) =>
    call(sandbox, { method: 'DELETE', url: `/exposures/${id}`, headers: { authorization: token } });
  const ledger = async () => {
    const stored = await sandbox.cluster.usageLedger(usageLedgerLocation(sandbox.config)).read();
    return stored?.state;
  };
  const clear = async () => {
    const list = await call<{ items: { id: string }[] }>(sandbox, {
      method: 'GET',
      url: '/exposures?limit=500',
      headers: { authorization: ADMIN },
    });
    for (const item of list.body.items) {
      const deleted = await remove(item.id, ADMIN);
      assert.equal(deleted.status, 204, JSON.stringify(deleted.body));
    }
  };

  test("a namespace's ResourceQuota: 403 /problems/quota-exceeded naming it, with its figures; nothing is written", async () => {
    const quota = await call(sandbox, {
      method: 'PUT',
      url: '/sandbox/namespaces/search/resourcequotas/tenant-quota',
      headers: { 'content-type': 'application/json', authorization: ADMIN },
      payload: JSON.stringify({ hard: { 'services.nodeports': 1 } }),
    });
    assert.equal(quota.status, 200, JSON.stringify(quota.body));
    try {
      const first = await create(request('first'));
      assert.equal(first.status, 201, JSON.stringify(first.body));
      const before = await eventually(
        () => footprint(sandbox),
        (seen) => seen.rules.length === 1,
        { what: "the first exposure's rule" },
      );
      const usage = await ledger();
      const refused = await create(request('second'));
      assert.equal(refused.status, 403, JSON.stringify(refused.body));
      assert.equal(refused.headers['content-type'], 'application/problem+json; charset=utf-8');
      assert.equal(refused.body.type, '/problems/quota-exceeded');
      assert.match(String(refused.body.detail), /ResourceQuota 'tenant-quota' of namespace 'search'/);
      assert.match(String(refused.body.detail), /services\.nodeports: 1 of 1 used, 1 more requested/);
      assert.deepEqual(refused.body.quota, {
        source: 'ResourceQuota',
        name: 'tenant-quota',
        scope: 'namespace',
        namespace: 'search',
        exceeded: [{ resource: 'services.nodeports', requested: 1, used: 1, limit: 1 }],
      });
      assert.equal(refused.headers['retry-after'], undefined, 'not something a retry fixes');
      await sandbox.runtime.reconciler.idle();
      assert.deepEqual(footprint(sandbox), before, 'no Service, no rule');
      assert.deepEqual(await ledger(), usage, "the installation's count was taken back");

      // A PATCH that adds a port is refused the same way, and the exposure keeps its ports.
      const patched = await call<Problem>(sandbox, {
        method: 'PATCH',
        url: `/exposures/${first.body.id}`,
        headers: { authorization: SEARCH_TEAM, 'content-type': 'application/merge-patch+json' },
        payload: JSON.stringify({
          ports: [
            { name: 'http', port: 9200 },
            { name: 'transport', port: 9300 },
          ],
        }),
      });
      assert.equal(patched.status, 403, JSON.stringify(patched.body));
      assert.equal(patched.body.quota?.name, 'tenant-quota');
      const read = await call<Exposure>(sandbox, {
        method: 'GET',
        url: `/exposures/${first.body.id}`,
        headers: { authorization: SEARCH_TEAM },
      });
      assert.equal(read.body.ports.length, 1);
      const described = await call<{ status: number; description: string }>(sandbox, {
        method: 'GET',
        url: '/problems/quota-exceeded',
      });
      assert.equal(described.body.status, 403);
      assert.match(described.body.description, /ResourceQuota/);
    } finally {
      sandbox.cluster.deleteResourceQuota('search', 'tenant-quota');
      await clear();
    }
  });

  test("the installation's limit per namespace: 403 naming the setting; a delete gives the room back", async () => {
    try {
      const made: string[] = [];
      for (const name of ['one', 'two']) {
        const created = await create(request(name));
        assert.equal(created.status, 201, JSON.stringify(created.body));
        made.push(created.body.id);
      }
      const before = footprint(sandbox);
      const refused = await create(request('three'));
      assert.equal(refused.status, 403, JSON.stringify(refused.body));
      assert.equal(refused.body.type, '/problems/quota-exceeded');
      assert.deepEqual(refused.body.quota, {
        source: 'InstallationLimit',
        name: 'limits.perNamespace.exposures',
        scope: 'namespace',
        namespace: 'search',
        exceeded: [{ resource: 'exposures', requested: 1, used: 2, limit: 2 }],
      });
      assert.match(String(refused.body.detail), /namespace 'search' would exceed its limit of 2 exposures/);
      assert.deepEqual(footprint(sandbox), before, 'nothing was written');
      // Another namespace still has room.
      const elsewhere = await create(request('three', { namespace: 'payments' }), ADMIN);
      assert.equal(elsewhere.status, 201, JSON.stringify(elsewhere.body));
      assert.equal((await remove(made[0] as string)).status, 204);
      const again = await create(request('three'));
      assert.equal(again.status, 201, JSON.stringify(again.body));
    } finally {
      await clear();
    }
  });

  test('the limit per subject (node ports) and the cap on firewall rules are named when they are hit', async () => {
    try {
      const twoPorts = (name: string) =>
        request(name, {
          ports: [
            { name: 'http', port: 9200 },
            { name: 'transport', port: 9300 },
          ],
        });
      assert.equal((await create(twoPorts('a'))).status, 201);
      const bySubject = await create(twoPorts('b'));
      assert.equal(bySubject.status, 403, JSON.stringify(bySubject.body));
      assert.deepEqual(bySubject.body.quota, {
        source: 'InstallationLimit',
        name: 'limits.perSubject.nodePorts',
        scope: 'subject',
        subject: 'team-search-bot',
        exceeded: [{ resource: 'nodePorts', requested: 2, used: 2, limit: 3 }],
      });
      // Two IP families are two rules: 1 + 2 + 2 fit in 5, a sixth does not.
      const dualStack = (name: string, namespace: string) =>
        request(name, { namespace, sourceRanges: ['203.0.113.0/24', '2001:db8::/48'] });
      assert.equal((await create(dualStack('b', 'payments'), ADMIN)).status, 201);
      assert.equal((await create(dualStack('c', 'payments'), ADMIN)).status, 201);
      const overCap = await create(request('d', { namespace: 'default' }), ADMIN);
      assert.equal(overCap.status, 403, JSON.stringify(overCap.body));
      assert.deepEqual(overCap.body.quota, {
        source: 'InstallationLimit',
        name: 'limits.installation.firewallRules',
        scope: 'installation',
        exceeded: [{ resource: 'firewallRules', requested: 1, used: 5, limit: 5 }],
      });
      const metrics = await call<string>(sandbox, { method: 'GET', url: '/metrics' });
      assert.match(metrics.body, /^exposure_api_node_ports 4$/m);
      assert.match(metrics.body, /^exposure_api_firewall_rules 5$/m);
    } finally {
      await clear();
    }
  });
});

describe('a full node-port range', () => {
  let runtime: Runtime;
  let emulator: ComputeEmulator;
  let firewalls: GceFirewalls;
  const TOKEN = 'range-test-token';
  before(async () => {
    emulator = await startComputeEmulator();
    firewalls = gceFirewallsOn(emulator, 'p');
    const nodePortRange = { min: 30000, max: 30002 };
    const cluster = new InMemoryCluster({ namespaces: ['default', 'search'], nodePortRange });
    runtime = await createRuntime({
      config: parseConfig({
        cluster: { id: 'range', nodePortRange },
        gce: { project: 'p' },
        firewall: { targetTags: ['node'] },
        auth: { tokens: [{ sha256: sha256Hex(TOKEN), subject: 'tester', namespaces: ['*'] }] },
      }),
      cluster,
      firewalls,
      logger: pino({ level: 'silent' }),
    });
    await runtime.start();
  });
  after(async () => {
    await runtime.stop();
    await firewalls.close();
    await emulator.close();
  });

  test('409 /problems/node-port-range-full, never a retried 503; nothing is written', async () => {
    const post = (name: string) =>
      runtime.app.inject({
        method: 'POST',
        url: '/exposures',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        payload: JSON.stringify(request(name)),
      });
    for (const name of ['a', 'b', 'c']) assert.equal((await post(name)).statusCode, 201);
    const full = await post('d');
    assert.equal(full.statusCode, 409, full.body);
    const problem = JSON.parse(full.body) as Problem;
    assert.equal(problem.type, '/problems/node-port-range-full');
    assert.match(String(problem.detail), /node port range is full/);
    assert.equal(full.headers['retry-after'], undefined);
    assert.equal(runtime.index.size, 3, 'no fourth exposure');
  });
});
