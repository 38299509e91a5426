// The prober against real sockets on loopback: a TCP connect and an HTTP check, with their failures
// named the way an operator reads them.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { NetworkProber } from '../../../src/adapters/prober/network-prober.ts';

async function listen(server: net.Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as net.AddressInfo).port;
}

describe('NetworkProber', () => {
  const prober = new NetworkProber();
  const servers: net.Server[] = [];
  let open: number;
  let closed: number;
  let okHttp: number;
  let failingHttp: number;
  let silentHttp: number;

  before(async () => {
    const tcp = net.createServer((socket) => socket.end());
    servers.push(tcp);
    open = await listen(tcp);
    const spare = net.createServer();
    closed = await listen(spare);
    spare.close();
    const ok = http.createServer((request, response) => {
      response.statusCode = request.url === '/healthz' ? 204 : 404;
      response.end();
    });
    servers.push(ok);
    okHttp = await listen(ok);
    const failing = http.createServer((_request, response) => {
      response.statusCode = 503;
      response.end('down');
    });
    servers.push(failing);
    failingHttp = await listen(failing);
    const silent = http.createServer(() => {
      // never answers
    });
    servers.push(silent);
    silentHttp = await listen(silent);
  });
  after(() => {
    for (const server of servers) {
      if (server instanceof http.Server) server.closeAllConnections();
      server.close();
    }
  });

  test('tcp: an open port is healthy, with a latency', async () => {
    const result = await prober.probe({ kind: 'tcp', address: '127.0.0.1', port: open }, 1000);
    assert.equal(result.ok, true);
    assert.ok(result.latencyMs >= 0 && result.latencyMs < 1000);
  });

  test('tcp: a closed port is "connection refused"', async () => {
    const result = await prober.probe({ kind: 'tcp', address: '127.0.0.1', port: closed }, 1000);
    assert.deepEqual([result.ok, result.error], [false, 'connection refused']);
  });

  test('http: 2xx is healthy; 404 and 503 are not, and say which status', async () => {
    const healthy = await prober.probe(
      { kind: 'http', address: '127.0.0.1', port: okHttp, path: '/healthz' },
      1000,
    );
    assert.equal(healthy.ok, true);
    const missing = await prober.probe(
      { kind: 'http', address: '127.0.0.1', port: okHttp, path: '/other' },
      1000,
    );
    assert.deepEqual([missing.ok, missing.error], [false, 'HTTP 404']);
    const down = await prober.probe(
      { kind: 'http', address: '127.0.0.1', port: failingHttp, path: '/' },
      1000,
    );
    assert.deepEqual([down.ok, down.error], [false, 'HTTP 503']);
  });

  test('http: no answer within the timeout fails after the timeout, not later', async () => {
    const started = performance.now();
    const result = await prober.probe(
      { kind: 'http', address: '127.0.0.1', port: silentHttp, path: '/' },
      200,
    );
    const took = performance.now() - started;
    assert.deepEqual([result.ok, result.error], [false, 'timed out after 200 ms']);
    assert.ok(took >= 190 && took < 1000, `took ${took} ms`);
  });
});
