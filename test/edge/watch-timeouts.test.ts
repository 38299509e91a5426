// The server's timeouts and a long-lived watch stream: Node's requestTimeout and headersTimeout bound
// receiving a request (a watch request is received at once), and an idle-socket timeout is held off
// by the stream's heartbeats. Short timeouts here, checked often, cut a request that never arrives
// whole and leave the stream alone.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type ComputeEmulator, startComputeEmulator } from '@exposure-api/compute-emulator';
import { pino } from 'pino';
import type { GceFirewalls } from '../../src/adapters/gce/gce-firewalls.ts';
import { parseConfig } from '../../src/config/load.ts';
import { sha256Hex } from '../../src/edge/plugins/authentication.ts';
import { createRuntime, type Runtime } from '../../src/runtime.ts';
import { InMemoryCluster } from '../../src/sandbox/in-memory-cluster.ts';
import { gceFirewallsOn } from '../support/emulated-gce.ts';
import { EventStreamReader } from '../support/event-stream-reader.ts';

const TOKEN = 'timeouts-test-token';
const REQUEST_TIMEOUT_MS = 300;
const IDLE_SOCKET_TIMEOUT_MS = 1_500;

let emulator: ComputeEmulator;
let gce: GceFirewalls;
let runtime: Runtime;
let url: string;

before(async () => {
  emulator = await startComputeEmulator();
  gce = gceFirewallsOn(emulator, 'p');
  runtime = await createRuntime({
    config: parseConfig({
      cluster: { id: 'timeouts' },
      gce: { project: 'p' },
      firewall: { targetTags: ['node'] },
      leaderElection: { enabled: false },
      server: { watchHeartbeatSeconds: 1 },
      auth: { tokens: [{ sha256: sha256Hex(TOKEN), subject: 'tester', namespaces: ['*'] }] },
    }),
    cluster: new InMemoryCluster({ namespaces: ['default'] }),
    firewalls: gce,
    logger: pino({ level: 'silent' }),
  });
  await runtime.start();
  const server = runtime.app.server;
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  server.headersTimeout = REQUEST_TIMEOUT_MS;
  // Read when the server starts listening: how often the two timeouts above are checked.
  (server as typeof server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = 100;
  server.setTimeout(IDLE_SOCKET_TIMEOUT_MS);
  url = await runtime.app.listen({ host: '127.0.0.1', port: 0 });
});
after(async () => {
  await runtime.stop();
  await gce.close();
  await emulator.close();
});

test('a watch stream outlives the request timeout and, with heartbeats, the idle-socket timeout', async () => {
  const { exposure } = await runtime.exposures.create(
    { subject: 'tester', namespaces: ['*'] },
    {
      namespace: 'default',
      name: 'web',
      selector: { app: 'web' },
      ports: [{ port: 80 }],
      sourceRanges: ['10.0.0.0/16'],
    },
  );
  const stream = await EventStreamReader.open(`${url}/exposures/${exposure.id}/watch`, {
    authorization: `Bearer ${TOKEN}`,
  });
  assert.equal(stream.status, 200);
  await stream.event(1);

  // The timeouts are in force: a request whose headers never end is cut.
  const slow = connect({ host: '127.0.0.1', port: Number(new URL(url).port) });
  slow.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
  slow.resume();
  const cutAfter = performance.now();
  await once(slow, 'close');
  const cutMs = performance.now() - cutAfter;
  assert.ok(cutMs < 2_000, `an unfinished request was cut after ${cutMs.toFixed(0)} ms`);

  await sleep(IDLE_SOCKET_TIMEOUT_MS * 2);
  assert.equal(stream.cut, false, 'the stream was not cut');
  assert.equal(stream.ended, false, 'the stream was not ended');
  assert.ok(stream.comments.filter((comment) => comment === 'heartbeat').length >= 2);
  stream.close();
});
