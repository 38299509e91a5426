// End to end against a real kube-apiserver: the service runs as its own process with a kubeconfig
// for the test cluster (as exposure-api's own identity, with the chart's RBAC), GCE is the Compute
// emulator, the Nodes carry loopback addresses and the test listens on each nodeIP:nodePort as
// kube-proxy would — so the health in GET is real, and kubectl sees what a hand-written Service shows.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { type ComputeEmulator, startComputeEmulator } from '@exposure-api/compute-emulator';
import type { Exposure } from '../../src/schemas/exposure.ts';
import { eventually } from '../support/eventually.ts';
import {
  api,
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
const NODES = [1, 2, 3].map((n) => ({ name: `e2e-node-${n}`, ip: `127.66.0.${n}` }));
const NODE_PORT = 30920;

describe('end to end on a real kube-apiserver', { skip }, () => {
  let controlPlane: ControlPlane;
  let emulator: ComputeEmulator;
  let processes: ServiceProcessFactory;
  let service: ServiceProcess;
  const proxies = new Map<string, http.Server>();

  /** What kube-proxy does on a node: answer on nodeIP:nodePort (here, directly). */
  async function listenOn(node: (typeof NODES)[number]): Promise<void> {
    const server = http.createServer((_request, response) => {
      response.end(JSON.stringify({ served_by: node.name, tagline: 'You Know, for Search' }));
    });
    server.listen(NODE_PORT, node.ip);
    await once(server, 'listening');
    proxies.set(node.name, server);
  }

  before(async () => {
    controlPlane = await startControlPlane({ audit: true });
    await grantServiceIdentity(controlPlane);
    const admin = kubernetesAdmin(controlPlane);
    await admin.createNamespace('search');
    await admin.createNamespace(LEASE_NAMESPACE);
    for (const node of NODES) {
      await admin.setNode({
        name: node.name,
        ready: true,
        addresses: [{ type: 'InternalIP', address: node.ip }],
      });
      await listenOn(node);
    }
    emulator = await startComputeEmulator();
    processes = await serviceProcesses({
      kubeconfig: controlPlane.kubeconfigPath('service'),
      emulatorUrl: emulator.url,
      project: 'e2e-project',
      clusterId: 'e2e',
    });
    service = await processes.start();
  });
  after(async () => {
    await processes?.close();
    for (const server of proxies.values()) server.close();
    await emulator?.close();
    await controlPlane?.stop();
  });

  let exposureId = '';

  test('POST creates a NodePort Service that kubectl shows like a hand-written one, and its rule', async () => {
    const created = await api(service, 'POST', '/exposures', {
      namespace: 'search',
      name: 'elasticsearch',
      selector: { app: 'elasticsearch' },
      ports: [{ name: 'http', port: 9200, nodePort: NODE_PORT }],
      sourceRanges: ['203.0.113.0/24'],
      labels: { app: 'elasticsearch', team: 'search' },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    exposureId = (created.body as Exposure).id;
    // The EndpointSlice controller's part: two ready pods, on nodes 1 and 2.
    await kubernetesAdmin(controlPlane).setServiceEndpoints({ namespace: 'search', name: 'elasticsearch' }, [
      { nodeName: 'e2e-node-1', ready: true, addresses: ['10.244.1.10'] },
      { nodeName: 'e2e-node-2', ready: true, addresses: ['10.244.2.10'] },
    ]);
    const listed = await controlPlane.kubectl(['get', 'svc', '-n', 'search', '-l', 'app=elasticsearch']);
    process.stdout.write(
      `# kubectl get svc -n search -l app=elasticsearch\n${listed.stdout.replace(/^/gm, '#   ')}\n`,
    );
    const [header, row] = listed.stdout.trim().split('\n');
    assert.match(header ?? '', /^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE$/);
    assert.match(row ?? '', /^elasticsearch\s+NodePort\s+10\.\d+\.\d+\.\d+\s+<none>\s+9200:30920\/TCP\s+/);
    const [rule] = await eventually(
      () => emulator.rules('e2e-project'),
      (found) => found.length === 1,
      { what: 'the firewall rule', timeoutMs: 15_000 },
    );
    assert.deepEqual(rule?.allowed, [{ IPProtocol: 'tcp', ports: ['30920'] }]);
    assert.deepEqual(rule?.sourceRanges, ['203.0.113.0/24']);
  });

  test('GET shows every node endpoint with real health; a dead node turns exactly that one Unhealthy', async () => {
    const ready = await eventually(
      async () => (await api(service, 'GET', `/exposures/${exposureId}?refresh=true`)).body as Exposure,
      (exposure) => exposure.status.phase === 'Ready',
      { what: 'Ready', timeoutMs: 15_000 },
    );
    assert.deepEqual(
      ready.endpoints.map((e) => [e.node, e.address, e.addressType, e.health.state]),
      NODES.map((n) => [n.name, n.ip, 'InternalIP', 'Healthy']),
    );
    const reached = await (await fetch(ready.endpoints[0]?.url as string)).json();
    assert.equal((reached as { tagline: string }).tagline, 'You Know, for Search');

    proxies.get('e2e-node-2')?.close();
    const degraded = (await api(service, 'GET', `/exposures/${exposureId}?refresh=true`)).body as Exposure;
    const states = Object.fromEntries(degraded.endpoints.map((e) => [e.node, e.health.state]));
    assert.deepEqual(states, { 'e2e-node-1': 'Healthy', 'e2e-node-2': 'Unhealthy', 'e2e-node-3': 'Healthy' });
    assert.equal(degraded.endpoints.at(-1)?.node, 'e2e-node-2', 'the unhealthy endpoint comes last');
    await listenOn(NODES[1] as (typeof NODES)[number]);
  });

  test('1,000 cached reads make no call to the Kubernetes API', async () => {
    // Requests for what reads are made of; leader-election renewals go on regardless of reads.
    const readResources = new Set(['services', 'nodes', 'endpointslices']);
    const auditCount = async () =>
      (await controlPlane.auditEvents()).filter(
        (e) =>
          e.user.username === 'exposure-api' &&
          e.stage === 'ResponseComplete' &&
          e.verb !== 'watch' &&
          readResources.has(e.objectRef?.resource ?? ''),
      ).length;
    await new Promise((resolve) => setTimeout(resolve, 1500)); // let in-flight status writes settle into the log
    const before = await auditCount();
    for (let i = 0; i < 1000; i++) {
      const response = await fetch(`${service.url}/exposures/${exposureId}`, {
        headers: { authorization: 'Bearer e2e-caller-token' },
      });
      assert.equal(response.status, 200);
      await response.arrayBuffer();
    }
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const after = await auditCount();
    process.stdout.write(
      `# apiserver requests from exposure-api during 1,000 GET /exposures/{id}: ${after - before}\n`,
    );
    assert.equal(after - before, 0);
  });

  test('after the apiserver restarts, the informers recover and reads are current again', async () => {
    await controlPlane.restart({ downtimeMs: 500 });
    await kubernetesAdmin(controlPlane).setNode({
      name: 'e2e-node-3',
      ready: false,
      addresses: [{ type: 'InternalIP', address: NODES[2]?.ip as string }],
    });
    const current = await eventually(
      async () => (await api(service, 'GET', `/exposures/${exposureId}`)).body as Exposure,
      (exposure) => exposure.endpoints.find((e) => e.node === 'e2e-node-3')?.nodeReady === false,
      { what: 'the NotReady node in a read', timeoutMs: 30_000 },
    );
    assert.equal(current.endpoints.find((e) => e.node === 'e2e-node-3')?.serving, false);
  });

  test('DELETE removes the rule first and the Service after it', async () => {
    const states: string[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const rule = emulator.rules('e2e-project').length > 0;
        const svc = await controlPlane.request('GET', '/api/v1/namespaces/search/services/elasticsearch');
        const state = `${svc.status === 200 ? 'service' : 'no-service'}+${rule ? 'rule' : 'no-rule'}`;
        if (states.at(-1) !== state) states.push(state);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    const deleted = await api(service, 'DELETE', `/exposures/${exposureId}`, undefined, {
      prefer: 'wait=15',
    });
    assert.equal(deleted.status, 204, JSON.stringify(deleted.body));
    await new Promise((resolve) => setTimeout(resolve, 50));
    sampling = false;
    await sampler;
    assert.deepEqual(states.at(-1), 'no-service+no-rule');
    assert.ok(!states.includes('no-service+rule'), `the Service went before its rule: ${states.join(' → ')}`);
    assert.equal((await api(service, 'GET', `/exposures/${exposureId}`)).status, 404);
  });

  test('SIGTERM: in-flight requests finish, the lease is released, the process exits 0', async () => {
    const slow = api(
      service,
      'POST',
      '/exposures',
      {
        namespace: 'search',
        name: 'last-one',
        selector: { app: 'x' },
        ports: [{ name: 'http', port: 80 }],
        sourceRanges: ['203.0.113.0/24'],
      },
      { prefer: 'wait=2' },
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    service.child.kill('SIGTERM');
    const answer = await slow;
    assert.equal(answer.status, 201, 'the request in flight was answered');
    const exit = await service.exited;
    assert.deepEqual(exit, { code: 0, signal: null }, service.logs.slice(-15).join('\n'));
    const lease = await controlPlane.request(
      'GET',
      `/apis/coordination.k8s.io/v1/namespaces/${LEASE_NAMESPACE}/leases/exposure-api-e2e`,
    );
    assert.equal(
      (lease.body as { spec: { holderIdentity?: string } }).spec.holderIdentity,
      undefined,
      'released',
    );
  });
});
