// A cap on the connections one client address may hold open, rather than one global cap that a
// single client could fill. Counted on the TCP peer address when the connection opens (no header
// has been read yet, so X-Forwarded-For cannot count here): behind a proxy that does not keep
// client addresses, the cap is per proxy address.
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyBaseLogger } from 'fastify';
import { LRUCache } from 'lru-cache';
import type { HttpMetrics } from '../../application/ports/http-metrics.ts';
import { nextRequestId } from '../request-id.ts';
import { rawProblemResponse } from './client-errors.ts';

/** How long after logging a refusal for an address the next one is logged: one line per address per minute. */
const LOG_INTERVAL_MS = 60_000;

export interface ConnectionLimitOptions {
  maxPerAddress: number;
  metrics: HttpMetrics;
  log: FastifyBaseLogger;
}

/** The accepted connections, for a graceful stop. */
export interface AcceptedConnections {
  /**
   * Closes the connections that have not sent a byte. Node's closeIdleConnections() leaves them
   * open, and server.close() waits for them: one client that opened a connection and sent nothing
   * (a pool's spare connection, a port scanner) would hold a stopping replica open indefinitely.
   */
  destroyUnused(): void;
}

/**
 * Counts open connections per remote address on `server` and refuses those over the cap. The
 * server's own 'connection' listeners (Node's HTTP parser) are moved behind the count, so that a
 * refused connection is never parsed: its request is not run.
 */
export function limitConnectionsPerAddress(
  server: Server,
  options: ConnectionLimitOptions,
): AcceptedConnections {
  const open = new Map<string, number>();
  const accepted = new Set<Socket>();
  const logged = new LRUCache<string, true>({ max: 10_000, ttl: LOG_INTERVAL_MS });
  const accept = server.listeners('connection') as ((socket: Socket) => void)[];
  server.removeAllListeners('connection');
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress;
    const count = address === undefined ? 0 : (open.get(address) ?? 0) + 1;
    if (address !== undefined && count > options.maxPerAddress) {
      refuse(socket, address, options, logged);
      return;
    }
    accepted.add(socket);
    socket.once('close', () => {
      accepted.delete(socket);
      if (address === undefined) return;
      const left = (open.get(address) ?? 1) - 1;
      if (left <= 0) open.delete(address);
      else open.set(address, left);
    });
    if (address !== undefined) open.set(address, count);
    for (const listener of accept) listener.call(server, socket);
  });
  return {
    destroyUnused() {
      for (const socket of accepted) if (socket.bytesRead === 0) socket.destroy();
    },
  };
}

function refuse(
  socket: Socket,
  address: string,
  options: ConnectionLimitOptions,
  logged: LRUCache<string, true>,
): void {
  options.metrics.countRefusedConnection();
  if (!logged.has(address)) {
    logged.set(address, true);
    options.log.warn(
      { remoteAddress: address, maxConnectionsPerAddress: options.maxPerAddress },
      `refusing connections from ${address}: it holds ${options.maxPerAddress} already (logged once a minute per address)`,
    );
  }
  // Nothing else listens to this socket: its errors end here, what it sends is discarded (closing
  // with unread data would reset the connection before the answer is read), and it is closed once
  // the answer is out, or after a few seconds at most.
  socket.on('error', () => socket.destroy());
  socket.setTimeout(5_000, () => socket.destroy());
  socket.resume();
  socket.end(
    rawProblemResponse(
      'too-many-connections',
      `your address already holds ${options.maxPerAddress} open connections; reuse them`,
      nextRequestId(),
    ),
  );
}
