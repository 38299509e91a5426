// Where the loopback interface holds 127.0.0.1 alone (macOS by default), the sandbox still starts:
// one node on 127.0.0.1 with both pods, reachable and probed, and source ranges not enforced —
// there its probes and its clients come from the same address, and it says so.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Sandbox } from '../../src/sandbox/sandbox.ts';
import { createRequest } from '../builders/create-request.ts';
import { exposureApi } from '../support/exposure-api.ts';
import { ADMIN, startTestSandbox } from '../support/test-sandbox.ts';
import { getFrom } from './client-from.ts';

/** A node port nothing on 127.0.0.1 holds now (every sandbox of this kind shares that address). */
async function freeNodePort(): Promise<number> {
  for (;;) {
    const port = 30_000 + Math.floor(Math.random() * 2_768);
    const server = net.createServer();
    const bound = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen({ host: '127.0.0.1', port }, () => resolve(true));
    });
    if (!bound) continue;
    server.close();
    await once(server, 'close');
    return port;
  }
}

describe('a single-address sandbox', () => {
  let sandbox: Sandbox;
  before(async () => {
    sandbox = await startTestSandbox({ nodeNetwork: 'single-address' });
  });
  after(() => sandbox.close());

  test('runs one node on 127.0.0.1 with both pods, and does not claim to enforce source ranges', () => {
    assert.deepEqual(sandbox.addresses.nodes, [{ name: 'sandbox-node-1', internalIP: '127.0.0.1' }]);
    assert.equal(sandbox.addresses.sourceRangesEnforced, false);
    assert.deepEqual(
      sandbox.world.pods().map((pod) => pod.nodeName),
      ['sandbox-node-1', 'sandbox-node-1'],
    );
  });

  test('an exposure is Ready, its one endpoint Healthy and reachable from 127.0.0.1', async () => {
    const nodePort = await freeNodePort();
    const created = await exposureApi(sandbox, { authorization: ADMIN }).create(
      createRequest({ ports: [{ name: 'http', port: 9200, nodePort }] }),
      { prefer: 'wait=5' },
    );
    assert.equal(created.status, 201);
    assert.equal(created.body.status.phase, 'Ready');
    assert.deepEqual(
      created.body.endpoints.map((e) => [e.node, e.url, e.health.state]),
      [['sandbox-node-1', `http://127.0.0.1:${nodePort}`, 'Healthy']],
    );
    const reached = await getFrom('127.0.0.1', `http://127.0.0.1:${nodePort}`);
    assert.ok(reached.reached && /You Know, for Search/.test(reached.body), JSON.stringify(reached));
  });
});
