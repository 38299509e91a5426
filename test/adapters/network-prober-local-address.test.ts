// The prober can leave from a given local address (the sandbox probes from its cluster's network),
// for TCP and HTTP probes alike.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import type net from 'node:net';
import { test } from 'node:test';
import { NetworkProber } from '../../src/adapters/prober/network-prober.ts';

test('TCP and HTTP probes leave from the local address given, and from the default one otherwise', async () => {
  const seen: string[] = [];
  const server = http.createServer((request, response) => {
    response.statusCode = 204;
    response.end();
  });
  server.on('connection', (socket: net.Socket) => seen.push(socket.remoteAddress ?? ''));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  try {
    const from = new NetworkProber({ localAddress: '127.44.6.250' });
    assert.equal((await from.probe({ kind: 'tcp', address: '127.0.0.1', port }, 1000)).ok, true);
    assert.equal((await from.probe({ kind: 'http', address: '127.0.0.1', port, path: '/' }, 1000)).ok, true);
    assert.equal(
      (await new NetworkProber().probe({ kind: 'tcp', address: '127.0.0.1', port }, 1000)).ok,
      true,
    );
    assert.deepEqual(seen, ['127.44.6.250', '127.44.6.250', '127.0.0.1']);
  } finally {
    server.close();
  }
});
