// The service side of the watch benchmark, in a process of its own so that its memory is all that is
// measured: the sandbox (the real service over the in-memory cluster and the Compute emulator) with
// the production defaults except the limits on watch streams, and one Ready exposure to watch.
// Driven over IPC by bench/watch.ts; run with --expose-gc.
import { SANDBOX_TOKENS, startSandbox } from '../src/sandbox/sandbox.ts';
import { createRequest } from '../test/builders/create-request.ts';
import { procMemory } from './machine.ts';

export type WatchServiceCommand = { type: 'measure' } | { type: 'change' } | { type: 'stop' };

export interface WatchServiceMemory {
  rss: number;
  heapUsed: number;
  external: number;
  watchedExposures: number;
}

export type WatchServiceReply =
  | { type: 'ready'; url: string; authorization: string }
  | { type: 'measured'; memory: WatchServiceMemory }
  | { type: 'changed'; generation: number };

process.env.METADATA_SERVER_DETECTION = 'none';

function reply(message: WatchServiceReply): void {
  process.send?.(message);
}

function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  gc();
  gc();
}

const sandbox = await startSandbox({
  port: 0,
  emulatorPort: 0,
  logLevel: 'error',
  // Its own node addresses, so that a sandbox started by hand on this host does not answer our probes.
  nodeNetwork: { internal: '127.78.1', external: '127.78.2' },
  // Every watcher comes from one process on one address: the stream and connection caps are raised
  // beyond the run (they are counted, not what is measured).
  config: {
    server: { watchStreamsPerCaller: 10_000, watchStreamsMax: 10_000, maxConnectionsPerAddress: 10_000 },
  },
});
const authorization = `Bearer ${SANDBOX_TOKENS.search.token}`;
const created = await sandbox.runtime.app.inject({
  method: 'POST',
  url: '/exposures',
  headers: { authorization, 'content-type': 'application/json', prefer: 'wait=10' },
  payload: JSON.stringify(createRequest()),
});
const exposure = created.json() as { id: string; status: { phase: string } };
if (exposure.status.phase !== 'Ready') throw new Error(`the exposure is ${exposure.status.phase}, not Ready`);

let changes = 0;
process.on('message', async (command: WatchServiceCommand) => {
  if (command.type === 'measure') {
    collectGarbage();
    const usage = process.memoryUsage();
    reply({
      type: 'measured',
      memory: {
        rss: procMemory().rss,
        heapUsed: usage.heapUsed,
        external: usage.external,
        watchedExposures: sandbox.runtime.watch.watchedExposures,
      },
    });
  } else if (command.type === 'change') {
    // A change of the spec: every watcher gets it at once (a probe would take up to its TTL).
    changes++;
    const patched = await sandbox.runtime.app.inject({
      method: 'PATCH',
      url: `/exposures/${exposure.id}`,
      headers: { authorization, 'content-type': 'application/merge-patch+json' },
      payload: JSON.stringify({ labels: { app: 'elasticsearch', team: 'search', change: String(changes) } }),
    });
    reply({ type: 'changed', generation: (patched.json() as { generation: number }).generation });
  } else {
    await sandbox.close();
    process.exit(0);
  }
});
reply({ type: 'ready', url: `${sandbox.apiUrl}/exposures/${exposure.id}/watch`, authorization });
