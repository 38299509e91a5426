// One client address cannot hold more than server.maxConnectionsPerAddress connections; others
// still get in, and a closed connection frees its place.
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Sandbox } from '../../src/sandbox/sandbox.ts';
import { startTestSandbox } from '../support/test-sandbox.ts';
import { answerOf, openSocket } from './raw-socket.ts';

const CAP = 3;

async function healthz(socket: Socket): Promise<number | undefined> {
  const answer = answerOf(socket, 5_000);
  socket.end('GET /healthz HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n');
  return (await answer).status;
}

describe('connections per client address', () => {
  let sandbox: Sandbox;
  const held: Socket[] = [];
  before(async () => {
    sandbox = await startTestSandbox({
      withDemoWorkload: false,
      config: { server: { maxConnectionsPerAddress: CAP } },
    });
  });
  after(async () => {
    for (const socket of held) socket.destroy();
    await sandbox.close();
  });

  test('past the cap a connection gets a 429 problem and is closed; another address and a freed place get in', async () => {
    for (let i = 0; i < CAP; i++) held.push(await openSocket(sandbox.apiUrl));
    const refused = await openSocket(sandbox.apiUrl);
    const answer = await answerOf(refused, 5_000);
    assert.equal(answer.status, 429, answer.text);
    assert.equal(answer.headers['content-type'], 'application/problem+json');
    const problem = JSON.parse(answer.body) as { type: string; requestId: string };
    assert.equal(problem.type, '/problems/too-many-connections');
    assert.equal(problem.requestId, answer.headers['x-request-id']);

    assert.equal(await healthz(await openSocket(sandbox.apiUrl, '127.0.0.2')), 200, 'another address');

    const freed = held.pop() as Socket;
    freed.destroy();
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(await healthz(await openSocket(sandbox.apiUrl)), 200, 'a freed place is usable again');

    const metrics = await sandbox.runtime.app.inject({ method: 'GET', url: '/metrics' });
    assert.match(metrics.body, /^exposure_api_connections_refused_total 1$/m);
  });

  test('a refused connection is not parsed: its request is not run', async () => {
    while (held.length < CAP) held.push(await openSocket(sandbox.apiUrl));
    const socket = await openSocket(sandbox.apiUrl);
    const answer = answerOf(socket, 5_000);
    socket.write(
      'POST /sandbox/nodes/sandbox-node-1/fail HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer sandbox-admin-token\r\nContent-Length: 0\r\n\r\n',
    );
    assert.equal((await answer).status, 429);
    assert.equal(sandbox.world.nodeStates().find((node) => node.name === 'sandbox-node-1')?.failed, false);
  });
});

describe('a stopping service and connections that never sent a request', () => {
  test('they are closed, so the stop does not wait for them; a keep-alive connection between requests is closed too', {
    timeout: 30_000,
  }, async () => {
    const sandbox = await startTestSandbox({ withDemoWorkload: false });
    const unused = await openSocket(sandbox.apiUrl);
    const reused = await openSocket(sandbox.apiUrl);
    for (const socket of [unused, reused]) socket.on('error', () => {});
    const firstAnswer = new Promise<string>((resolve) =>
      reused.once('data', (chunk) => resolve(String(chunk))),
    );
    reused.write('GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n');
    assert.match(await firstAnswer, /^HTTP\/1\.1 200/);
    const closedByServer = (socket: Socket) =>
      new Promise<void>((resolve) => (socket.closed ? resolve() : socket.once('close', () => resolve())));
    const started = performance.now();
    await sandbox.close();
    const stoppedMs = performance.now() - started;
    await Promise.all([closedByServer(unused), closedByServer(reused)]);
    // Without closing them the stop waited for the client (over two minutes for a silent one).
    assert.ok(stoppedMs < 10_000, `stopped in ${stoppedMs.toFixed(0)} ms`);
  });
});
