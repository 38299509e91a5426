// The node ports the probe benchmark probes, in processes of their own (as on other machines):
//
//   --mode=live  listens on each address and accepts (then closes) every connection, like a healthy
//                kube-proxy; then fills the accept queue of each `--fill` address with two
//                connections it keeps open, and checks that a third connect to it hangs.
//   --mode=dead  listens on each address with a backlog of 1 and never accepts: right after the
//                listens it blocks its own thread for good (Atomics.wait), so its event loop never
//                runs and nothing is ever accepted. Once two connections wait in a listener's accept
//                queue, Linux drops every further SYN to it (counted as ListenOverflows), so a
//                connect neither succeeds nor fails: it hangs, as towards a dead or partitioned node.
//
// Prints one JSON line when ready. Only loopback addresses are accepted. Neither outlives
// --lifetime-ms (the dead mode cannot watch its parent: its thread is blocked), and the live mode
// also ends when its standard input closes, that is when the benchmark is gone.
import { writeSync } from 'node:fs';
import net from 'node:net';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    mode: { type: 'string' },
    port: { type: 'string' },
    addresses: { type: 'string', default: '' },
    fill: { type: 'string', default: '' },
    'lifetime-ms': { type: 'string', default: '600000' },
  },
});
const lifetimeMs = Number(values['lifetime-ms']);
const port = Number(values.port);
const split = (list: string) => list.split(',').filter(Boolean);
const addresses = split(values.addresses ?? '');
const fill = split(values.fill ?? '');
for (const address of [...addresses, ...fill]) {
  if (!address.startsWith('127.')) throw new Error(`not a loopback address: ${address}`);
}

function ready(details: object): void {
  // Synchronous: the dead mode blocks right after, before any asynchronous write could happen.
  writeSync(1, `${JSON.stringify({ ready: true, ...details })}\n`);
}

if (values.mode === 'dead') {
  let listening = 0;
  for (const host of addresses) {
    // Listening happens on a later tick (after a lookup of the literal address); block only once
    // every listener is in place, and before the event loop could accept anything.
    net.createServer().listen({ host, port, backlog: 1 }, () => {
      if (++listening < addresses.length) return;
      ready({ mode: 'dead', listeners: listening });
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, lifetimeMs);
      process.exit(0);
    });
  }
} else if (values.mode === 'live') {
  const sockets = new Set<net.Socket>();
  const listeners = await Promise.all(
    addresses.map(
      (host) =>
        new Promise<net.Server>((resolve, reject) => {
          const server = net.createServer((socket) => socket.destroy());
          server.once('error', reject);
          server.listen({ host, port, backlog: 4096 }, () => resolve(server));
        }),
    ),
  );
  const connect = (host: string, timeoutMs: number) =>
    new Promise<'connected' | 'hangs' | string>((resolve) => {
      const socket = net.connect({ host, port });
      sockets.add(socket);
      const timer = setTimeout(() => resolve('hangs'), timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve('connected');
      });
      socket.once('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        resolve(error.code ?? error.message);
      });
    });
  // Two connections fill a backlog-1 queue; they complete (the kernel does the handshake).
  const filled = await Promise.all(
    fill.map(async (host) => [await connect(host, 2000), await connect(host, 2000)]),
  );
  const unfilled = filled.filter((pair) => pair.some((outcome) => outcome !== 'connected')).length;
  // A third connect must now hang; the socket is dropped after the check.
  const checks = await Promise.all(fill.map((host) => connect(host, 300)));
  for (const socket of sockets) if (socket.connecting) socket.destroy();
  ready({
    mode: 'live',
    listeners: listeners.length,
    filledQueues: fill.length - unfilled,
    hanging: checks.filter((outcome) => outcome === 'hangs').length,
  });
  const end = () => {
    for (const socket of sockets) socket.destroy();
    for (const server of listeners) server.close();
    process.exit(0);
  };
  process.once('SIGTERM', end);
  process.stdin.on('end', end).resume();
  setTimeout(end, lifetimeMs).unref();
} else {
  throw new Error('--mode must be live or dead');
}
