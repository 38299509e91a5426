// The floor of the read benchmark: a plain Node request listener in the service's own process,
// answering every request with the bytes of a kept read (the same status, headers and body) and
// doing nothing else — no token, no lookup, no metric, no log line. It runs with the service
// server's timeouts (the socket timers they set cost a little on every read and write), and
// waits idle while the service itself is measured. What it costs per request is what Node's HTTP
// costs in this process, with its heap, timers and collector: the least any answer can cost here.
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';

export interface FloorAnswer {
  body: string;
  etag: string;
}

/** Starts the listener on a free loopback port; resolves to its URL. */
export async function startFloorListener(
  answer: FloorAnswer,
  like: Pick<Server, 'timeout' | 'keepAliveTimeout' | 'requestTimeout' | 'headersTimeout'>,
): Promise<{ url: string; close(): Promise<void> }> {
  const length = String(Buffer.byteLength(answer.body));
  let served = 0;
  const server = createServer(
    { requestTimeout: like.requestTimeout, headersTimeout: like.headersTimeout },
    (_request, response) => {
      served++;
      response.writeHead(200, [
        'x-request-id',
        `floor-${served.toString(36)}`,
        'etag',
        answer.etag,
        'content-type',
        'application/json; charset=utf-8',
        'content-length',
        length,
      ]);
      response.end(answer.body);
    },
  );
  server.timeout = like.timeout;
  server.keepAliveTimeout = like.keepAliveTimeout;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/`,
    async close() {
      const closed = once(server, 'close');
      server.close();
      server.closeAllConnections();
      await closed;
    },
  };
}
