// Quotas and capacity end to end on a real control plane (kube-apiserver with a 25-port node-port
// range, kube-controller-manager running the resource quota controller): two replicas of the
// service, in this process, as exposure-api's own identity with the chart's RBAC, GCE the emulator.
// A namespace's ResourceQuota and the installation's limits (held in the ConfigMap ledger the
// replicas share) each answer /problems/quota-exceeded; a full range answers 409, never a 503.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type ComputeEmulator, startComputeEmulator } from '@exposure-api/compute-emulator';
import { pino } from 'pino';
import type { GceFirewalls } from '../../src/adapters/gce/gce-firewalls.ts';
import { loadKubeConfig } from '../../src/adapters/kubernetes/kubeconfig.ts';
import {
  createKubernetesLeases,
  type KubernetesLeases,
} from '../../src/adapters/kubernetes/kubernetes-leases.ts';
import { parseConfig } from '../../src/config/load.ts';
import { sha256Hex } from '../../src/edge/plugins/authentication.ts';
import { createRuntime, type Runtime } from '../../src/runtime.ts';
import type { Problem } from '../../src/schemas/problem.ts';
import { gceFirewallsOn } from '../support/emulated-gce.ts';
import { eventually } from '../support/eventually.ts';
import {
  type ControlPlane,
  controlPlaneSkipReason,
  grantServiceIdentity,
  kubernetesAdmin,
  LEASE_NAMESPACE,
  serviceCluster,
  startControlPlane,
} from './fixture/index.ts';
import { quotaAdmin } from './quota-admin.ts';

const skip = await controlPlaneSkipReason();
const TOKEN = 'quota-test-token';
const NODE_PORT_RANGE = { min: 30000, max: 30024 };
const NAMESPACES = ['tenant', 'search', 'fill-a', 'fill-b', 'fill-c'];

describe('quotas on a real control plane, two replicas', { skip }, () => {
  let controlPlane: ControlPlane;
  let emulator: ComputeEmulator;
  const replicas: { runtime: Runtime; firewalls: GceFirewalls; leases: KubernetesLeases }[] = [];

  before(async () => {
    controlPlane = await startControlPlane({
      nodePortRange: NODE_PORT_RANGE,
      controllers: ['resourcequota'],
    });
    await grantServiceIdentity(controlPlane);
    const admin = kubernetesAdmin(controlPlane);
    for (const namespace of NAMESPACES) await admin.createNamespace(namespace);
    emulator = await startComputeEmulator();
    const config = parseConfig({
      cluster: { id: 'quota', nodePortRange: NODE_PORT_RANGE },
      gce: { project: 'quota-project', endpoint: emulator.url },
      firewall: { targetTags: ['node'] },
      limits: { perNamespace: { exposures: 10 } },
      leaderElection: { namespace: LEASE_NAMESPACE },
      auth: { tokens: [{ sha256: sha256Hex(TOKEN), subject: 'tester', namespaces: ['*'] }] },
    });
    for (const _ of [1, 2]) {
      const kubeConfig = loadKubeConfig({ kubeconfig: controlPlane.kubeconfigPath('service') });
      const firewalls = gceFirewallsOn(emulator, 'quota-project');
      const leases = createKubernetesLeases({ kubeConfig });
      const runtime = await createRuntime({
        config,
        cluster: serviceCluster(controlPlane),
        firewalls,
        leases,
        logger: pino({ level: 'silent' }),
      });
      await runtime.start();
      replicas.push({ runtime, firewalls, leases });
    }
  });
  after(async () => {
    for (const replica of replicas) {
      await replica.runtime.stop();
      await replica.firewalls.close();
      await replica.leases.close();
    }
    await emulator?.close();
    await controlPlane?.stop();
  });

  const create = async (replica: number, namespace: string, name: string) => {
    const response = await (replicas[replica] as (typeof replicas)[number]).runtime.app.inject({
      method: 'POST',
      url: '/exposures',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      payload: JSON.stringify({
        namespace,
        name,
        selector: { app: name },
        ports: [{ name: 'http', port: 80 }],
        sourceRanges: ['203.0.113.0/24'],
      }),
    });
    return { status: response.statusCode, body: JSON.parse(response.body) as Problem & { name: string } };
  };
  const services = async (namespace: string) => {
    const response = await controlPlane.request('GET', `/api/v1/namespaces/${namespace}/services`);
    return (response.body as { items: { metadata: { name: string } }[] }).items.map(
      (item) => item.metadata.name,
    );
  };

  test("a namespace's ResourceQuota on services.nodeports: 403 /problems/quota-exceeded with the apiserver's figures; nothing is written", async () => {
    await quotaAdmin(controlPlane).setResourceQuota('tenant', 'tenant-quota', { 'services.nodeports': 1 });
    assert.equal((await create(0, 'tenant', 'first')).status, 201);
    const refused = await create(1, 'tenant', 'second');
    assert.equal(refused.status, 403, JSON.stringify(refused.body));
    assert.equal(refused.body.type, '/problems/quota-exceeded');
    assert.deepEqual(refused.body.quota, {
      source: 'ResourceQuota',
      name: 'tenant-quota',
      scope: 'namespace',
      namespace: 'tenant',
      exceeded: [{ resource: 'services.nodeports', requested: 1, used: 1, limit: 1 }],
    });
    assert.deepEqual(await services('tenant'), ['first']);
    process.stdout.write(`# ResourceQuota: ${refused.status} ${refused.body.detail}\n`);
  });

  test('the installation limit across replicas: 50 concurrent creates at a limit of 10 give exactly 10 × 201', async () => {
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => create(i % 2, 'search', `racer-${i}`)),
    );
    const statuses = answers.map((answer) => answer.status);
    assert.equal(statuses.filter((s) => s === 201).length, 10, statuses.join(','));
    assert.equal(statuses.filter((s) => s === 403).length, 40, statuses.join(','));
    for (const answer of answers.filter((a) => a.status === 403)) {
      assert.equal(answer.body.quota?.name, 'limits.perNamespace.exposures');
    }
    const won = answers.filter((a) => a.status === 201).map((a) => a.body.name);
    assert.deepEqual((await services('search')).sort(), won.sort());
    const ledger = await controlPlane.request(
      'GET',
      `/api/v1/namespaces/${LEASE_NAMESPACE}/configmaps/exposure-api-quota-usage`,
    );
    const counts = JSON.parse((ledger.body as { data: Record<string, string> }).data['usage.json'] ?? '{}');
    assert.deepEqual(counts.namespaces.search, { exposures: 10, nodePorts: 10, firewallRules: 10 });
    process.stdout.write(
      `# installation limit over two replicas: ${statuses.filter((s) => s === 201).length} × 201, ${statuses.filter((s) => s === 403).length} × 403\n`,
    );
  });

  test('a full node-port range: 409 /problems/node-port-range-full, never a 503; nothing is written', async () => {
    let full: Awaited<ReturnType<typeof create>> | undefined;
    const seen: number[] = [];
    for (const namespace of ['fill-a', 'fill-b', 'fill-c']) {
      for (let i = 0; i < 10 && !full; i++) {
        const answer = await create(i % 2, namespace, `filler-${i}`);
        seen.push(answer.status);
        if (answer.status !== 201) full = answer;
      }
    }
    assert.ok(full, `the range never filled: ${seen.join(',')}`);
    assert.equal(full.status, 409, JSON.stringify(full.body));
    assert.equal(full.body.type, '/problems/node-port-range-full');
    const size = NODE_PORT_RANGE.max - NODE_PORT_RANGE.min + 1;
    assert.equal(seen.filter((s) => s === 201).length, size - 11, 'every port of the range was used');
    assert.ok(!seen.includes(503));
    await eventually(
      () => replicas[0]?.runtime.index.size,
      (n) => n === size,
      { what: 'every exposure in the cache' },
    );
    process.stdout.write(`# full range: ${full.status} ${full.body.detail}\n`);
  });
});
