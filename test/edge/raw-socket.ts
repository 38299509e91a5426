// A client that speaks HTTP/1.1 by hand over a socket, for what a well-behaved client library
// cannot do: send a body slowly, hold connections, send oversized headers.
import { connect, type Socket } from 'node:net';

export interface RawAnswer {
  /** Everything the server sent before it closed the connection. */
  text: string;
  status: number | undefined;
  headers: Record<string, string>;
  body: string;
  /** Milliseconds from connecting until the server closed the connection. */
  closedAfterMs: number;
}

export function openSocket(url: string, localAddress?: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port), ...(localAddress && { localAddress }) });
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Collects what the server sends until it closes the connection (or `timeoutMs` passes). */
export function answerOf(socket: Socket, timeoutMs: number): Promise<RawAnswer> {
  const started = Date.now();
  return new Promise((resolve) => {
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      text += chunk;
    });
    socket.on('error', () => {});
    const timer = setTimeout(() => socket.destroy(), timeoutMs);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve({ ...parse(text), text, closedAfterMs: Date.now() - started });
    });
  });
}

function parse(text: string): Pick<RawAnswer, 'status' | 'headers' | 'body'> {
  const split = text.indexOf('\r\n\r\n');
  const head = split >= 0 ? text.slice(0, split) : text;
  const [statusLine = '', ...lines] = head.split('\r\n');
  const status = /^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1];
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return {
    status: status ? Number(status) : undefined,
    headers,
    body: split >= 0 ? text.slice(split + 4) : '',
  };
}
