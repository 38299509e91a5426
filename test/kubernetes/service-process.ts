// The service as its own process (`src/server.ts`, as the container runs it) against a test
// control plane and the Compute emulator — so tests can kill -9 it and restart it.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { sha256Hex } from '../../src/edge/plugins/authentication.ts';
import { eventually } from '../support/eventually.ts';
import { LEASE_NAMESPACE } from './support.ts';

export const CALLER_TOKEN = 'e2e-caller-token';

export interface ServiceProcess {
  url: string;
  child: ChildProcess;
  /** Everything the process logged (JSON lines). */
  logs: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface ServiceProcessFactory {
  /** The configuration file every process is started with. */
  configPath: string;
  start(): Promise<ServiceProcess>;
  close(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  server.close();
  await once(server, 'close');
  return port;
}

/** Writes the configuration once; every start() runs a new process with it on the same port. */
export async function serviceProcesses(options: {
  kubeconfig: string;
  emulatorUrl: string;
  project: string;
  clusterId: string;
  extra?: Record<string, unknown>;
}): Promise<ServiceProcessFactory> {
  const dir = await mkdtemp(join(tmpdir(), 'exposure-api-service-'));
  const port = await freePort();
  const config = {
    server: { host: '127.0.0.1', port, logLevel: 'info', deleteWaitSeconds: 2 },
    cluster: { id: options.clusterId, kubeconfig: options.kubeconfig },
    gce: { project: options.project, endpoint: options.emulatorUrl, writesPerSecond: 50 },
    firewall: { targetTags: ['e2e-node'] },
    probe: { timeoutMs: 500, cacheTtlMs: 5000 },
    reconciler: { backoffInitialMs: 100, backoffMaxMs: 2000 },
    leaderElection: {
      namespace: LEASE_NAMESPACE,
      leaseDurationSeconds: 3,
      renewDeadlineSeconds: 2,
      retryPeriodSeconds: 1,
    },
    auth: { tokens: [{ sha256: sha256Hex(CALLER_TOKEN), subject: 'e2e', namespaces: ['*'] }] },
    ...options.extra,
  };
  const configPath = join(dir, 'config.yaml');
  await writeFile(configPath, stringify(config));
  const running = new Set<ChildProcess>();
  return {
    configPath,
    async start() {
      const child = spawn(process.execPath, ['src/server.ts'], {
        env: { ...process.env, EXPOSURE_API_CONFIG: configPath, METADATA_SERVER_DETECTION: 'none' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      running.add(child);
      const logs: string[] = [];
      child.stdout?.on('data', (chunk: Buffer) => logs.push(...String(chunk).split('\n').filter(Boolean)));
      child.stderr?.on('data', (chunk: Buffer) => logs.push(...String(chunk).split('\n').filter(Boolean)));
      const exited = once(child, 'exit').then(([code, signal]) => {
        running.delete(child);
        return { code: code as number | null, signal: signal as NodeJS.Signals | null };
      });
      const url = `http://127.0.0.1:${port}`;
      await eventually(
        async () => {
          if (child.exitCode !== null) throw new Error(`the service exited: ${logs.slice(-5).join('\n')}`);
          return (await fetch(`${url}/readyz`)).status;
        },
        (status) => status === 200,
        { what: 'the service to be ready', timeoutMs: 30_000, intervalMs: 100 },
      );
      return { url, child, logs, exited };
    },
    async close() {
      for (const child of running) child.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export async function api(
  service: ServiceProcess,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: unknown; headers: Headers }> {
  const response = await fetch(`${service.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${CALLER_TOKEN}`,
      ...(body !== undefined && { 'content-type': 'application/json' }),
      ...headers,
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
}
