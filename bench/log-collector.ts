// Where a benchmarked service's stdout goes. In a deployment the request logs go into a pipe that
// another process reads (the container runtime's log shim); they are not read by the clients. A
// benchmark that drained them in its own event loop, beside the load generator, made the service
// wait on a full pipe (its log writes are synchronous) whenever the load generator was busy: the
// service's throughput then measured the load generator, and swung by a third between identical
// runs. The collector is a process of its own that reads the pipe and drops the lines.
import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import { once } from 'node:events';

export interface CollectedProcess {
  child: ChildProcess;
  /** Stops the process (SIGTERM, then its exit) and then its log collector. */
  stop(): Promise<void>;
}

/**
 * Spawns `node <args>` with its stdout read by a separate collector process; stderr is inherited
 * and file descriptor 3 is a pipe to this process (for announcements).
 */
export function spawnWithLogCollector(args: readonly string[], options: SpawnOptions = {}): CollectedProcess {
  const collector = spawn('cat', [], { stdio: ['pipe', 'ignore', 'inherit'] });
  if (!collector.stdin) throw new Error('the log collector has no stdin');
  const child = spawn(process.execPath, args, {
    ...options,
    stdio: ['ignore', collector.stdin, 'inherit', 'pipe'],
  });
  // The child holds its own copy of the pipe; ours would keep the collector open after it exits.
  collector.stdin.destroy();
  return {
    child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
      if (collector.exitCode === null) await once(collector, 'exit');
    },
  };
}
