// The control plane's server processes (etcd, kube-apiserver): started with their output in a log
// file, stopped with a deadline, waited on until ready, and never left behind by this process.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { tail } from './command.ts';

const startupTimeoutMs = 90_000;
const stopTimeoutMs = 15_000;

// Children and temporary directories that must not outlive this process, even when a test forgets
// stop() or the process is interrupted.
const liveChildren = new Set<ChildProcess>();
const liveDirs = new Set<string>();
let exitHooksInstalled = false;

function cleanUpNow(): void {
  for (const child of liveChildren) child.kill('SIGKILL');
  liveChildren.clear();
  for (const dir of liveDirs) rmSync(dir, { recursive: true, force: true });
  liveDirs.clear();
}

/** Removes `dir` when this process exits, unless `untrackTemporaryDir` was called first. */
export function trackTemporaryDir(dir: string): void {
  liveDirs.add(dir);
}

export function untrackTemporaryDir(dir: string): void {
  liveDirs.delete(dir);
}

function installExitHooks(): void {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  process.on('exit', cleanUpNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      cleanUpNow();
      // Keep the default behaviour (terminate) unless someone else also handles the signal.
      if (process.listenerCount(signal) === 1) {
        process.off(signal, onSignal);
        process.kill(process.pid, signal);
      }
    };
    process.on(signal, onSignal);
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface Server {
  name: string;
  child: ChildProcess;
  logPath: string;
  exited: Promise<void>;
  exitStatus: string | undefined;
}

export function startServer(name: string, file: string, args: readonly string[], logPath: string): Server {
  installExitHooks();
  // Output goes straight to a file: nothing flows through this process, and the log survives a crash.
  const fd = openSync(logPath, 'a');
  let child: ChildProcess;
  try {
    child = spawn(file, args, { stdio: ['ignore', fd, fd], env: { ...process.env } });
  } finally {
    closeSync(fd);
  }
  liveChildren.add(child);
  // Unref'd so that a test process that forgot stop() still exits; the exit hook then kills the child.
  child.unref();
  const server: Server = { name, child, logPath, exited: Promise.resolve(), exitStatus: undefined };
  server.exited = new Promise((resolve) => {
    const done = (status: string): void => {
      server.exitStatus ??= status;
      liveChildren.delete(child);
      resolve();
    };
    child.on('exit', (code, signal) => done(signal ? `killed by ${signal}` : `exited with code ${code}`));
    child.on('error', (error) => done(`failed to start: ${error.message}`));
  });
  return server;
}

export async function stopServer(server: Server, signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
  if (server.exitStatus !== undefined) return;
  // Keep this process alive until the child is really gone.
  server.child.ref();
  server.child.kill(signal);
  const timedOut = await Promise.race([
    server.exited.then(() => false),
    sleep(stopTimeoutMs, true, { ref: false }),
  ]);
  if (timedOut) {
    server.child.kill('SIGKILL');
    await server.exited;
  }
}

export async function logTail(server: Server): Promise<string> {
  const text = await readFile(server.logPath, 'utf8').catch(() => '');
  return `--- last lines of ${server.name} log (${server.logPath}) ---\n${tail(text)}`;
}

/** Polls `check` until it returns true, failing early when one of `servers` exits. */
export async function waitFor(what: string, servers: Server[], check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + startupTimeoutMs;
  let lastError = '';
  for (;;) {
    const dead = servers.find((server) => server.exitStatus !== undefined);
    if (dead) {
      throw new Error(`${dead.name} ${dead.exitStatus} while waiting for ${what}\n${await logTail(dead)}`);
    }
    try {
      if (await check()) return;
    } catch (error) {
      lastError = (error as Error).message;
    }
    if (Date.now() > deadline) {
      const tails = await Promise.all(servers.map(logTail));
      throw new Error(
        `timed out after ${startupTimeoutMs / 1000}s waiting for ${what} ${lastError}\n${tails.join('\n')}`,
      );
    }
    await sleep(100);
  }
}
