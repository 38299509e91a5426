// Importing this module makes any TCP connection to an address other than loopback fail in the
// importing test process, so a mistake (real credentials, the metadata server, the real API)
// shows up as an error instead of traffic. google-auth-library is also told not to look for the
// metadata server at all.

import { isIP, Socket } from 'node:net';

process.env.METADATA_SERVER_DETECTION = 'none';

const loopbackNames = new Set(['localhost', '127.0.0.1', '::1']);
const attempts: string[] = [];

/** Connections to anything but loopback that were attempted (and refused) so far. */
export function nonLoopbackAttempts(): readonly string[] {
  return attempts;
}

function isLoopback(host: string): boolean {
  if (loopbackNames.has(host)) return true;
  return isIP(host) === 4 && host.startsWith('127.');
}

function targetHost(args: unknown[]): string | undefined {
  const [first, second] = args;
  // net.connect() and http agents pass their arguments on already normalised, as one array.
  if (Array.isArray(first)) return targetHost(first);
  if (typeof first === 'object' && first !== null) {
    const options = first as { host?: unknown; path?: unknown };
    if (typeof options.path === 'string') return undefined; // a Unix socket
    return typeof options.host === 'string' ? options.host : 'localhost';
  }
  if (typeof first === 'number') return typeof second === 'string' ? second : 'localhost';
  return undefined;
}

const originalConnect = Socket.prototype.connect;
Socket.prototype.connect = function connectToLoopbackOnly(this: Socket, ...args: unknown[]) {
  const host = targetHost(args);
  if (host !== undefined && !isLoopback(host)) {
    attempts.push(host);
    throw new Error(`Tests may only connect to loopback, not to ${host}`);
  }
  return Reflect.apply(originalConnect, this, args) as Socket;
} as typeof originalConnect;
