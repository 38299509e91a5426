// A simulated kube-proxy that cannot open a node port (another program holds the address and port)
// does not leave a silent gap, nor let the other program answer its probes: the endpoint is
// Unhealthy with the reason, the node's state says it, and the proxy tries again until it listens.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Sandbox } from '../../src/sandbox/sandbox.ts';
import type { NodeState } from '../../src/sandbox/sandbox-world.ts';
import { createRequest } from '../builders/create-request.ts';
import { eventually } from '../support/eventually.ts';
import { exposureApi } from '../support/exposure-api.ts';
import { ADMIN, call, startTestSandbox } from '../support/test-sandbox.ts';

describe('a node port that cannot be opened', () => {
  let sandbox: Sandbox;
  before(async () => {
    sandbox = await startTestSandbox();
  });
  after(() => sandbox.close());

  const api = () => exposureApi(sandbox, { authorization: ADMIN });
  const read = async (id: string) => (await api().read(id, '?refresh=true')).body;
  const sandboxNode = async (name: string) =>
    (
      await call<{ nodes: NodeState[] }>(sandbox, {
        method: 'GET',
        url: '/sandbox/nodes',
        headers: { authorization: ADMIN },
      })
    ).body.nodes.find((node) => node.name === name);

  test('says why on the endpoint and the node, and recovers when the port frees up', async () => {
    const node1 = sandbox.world.nodeStates()[0];
    assert.ok(node1);
    // Another program on node 1's InternalIP and the node port: a probe that connected would reach it.
    const squatter = net.createServer((socket) => socket.end());
    squatter.listen({ host: node1.internalIP, port: 30920 });
    await once(squatter, 'listening');

    const created = await api().create(createRequest(), { prefer: 'wait=5' });
    assert.equal(created.status, 201);
    const reason = `node port 30920 on ${node1.internalIP} could not be opened: EADDRINUSE`;
    const degraded = await read(created.body.id);
    const health = Object.fromEntries(
      degraded.endpoints.map((e) => [e.node, [e.health.state, e.health.error]]),
    );
    assert.deepEqual(health, {
      'sandbox-node-1': ['Unhealthy', reason],
      'sandbox-node-2': ['Healthy', undefined],
      'sandbox-node-3': ['Healthy', undefined],
    });
    const failing = await sandboxNode('sandbox-node-1');
    assert.deepEqual(
      failing?.nodePortErrors.map(({ address, nodePort, error }) => ({ address, nodePort, error })),
      [{ address: node1.internalIP, nodePort: 30920, error: reason }],
    );
    assert.ok((failing?.nodePortErrors[0]?.attempts ?? 0) >= 1);
    assert.deepEqual((await sandboxNode('sandbox-node-2'))?.nodePortErrors, []);

    squatter.close();
    await once(squatter, 'close');
    const recovered = await eventually(
      () => read(created.body.id),
      (exposure) => exposure.endpoints.every((e) => e.health.state === 'Healthy'),
      { what: 'node 1 listening again', timeoutMs: 10_000, intervalMs: 100 },
    );
    assert.equal(recovered.status.phase, 'Ready');
    assert.deepEqual((await sandboxNode('sandbox-node-1'))?.nodePortErrors, []);
  });
});
