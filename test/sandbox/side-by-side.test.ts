// Two sandboxes on one host — two terminals, or the tests beside a demo — never answer for each
// other: each has node addresses of its own, so a node failed in one is Unhealthy there and
// nowhere else. Started at the same instant, in one process and as two `npm run sandbox` processes.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, test } from 'node:test';
import { SANDBOX_TOKENS } from '../../src/sandbox/sandbox.ts';
import type { Exposure } from '../../src/schemas/exposure.ts';
import { createRequest } from '../builders/create-request.ts';
import { exposureApi } from '../support/exposure-api.ts';
import { ADMIN, startTestSandbox } from '../support/test-sandbox.ts';

const ADMIN_HEADERS = { authorization: `Bearer ${SANDBOX_TOKENS.admin.token}` };

function unhealthyNodes(exposure: Exposure): string[] {
  return exposure.endpoints.filter((e) => e.health.state !== 'Healthy').map((e) => e.node);
}

describe('two sandboxes on one host', () => {
  test('in one process: each reports exactly its own failed node Unhealthy', async () => {
    const [first, second] = await Promise.all([startTestSandbox(), startTestSandbox()]);
    assert.ok(first && second);
    try {
      assert.notEqual(first.addresses.clusterNetwork, second.addresses.clusterNetwork);
      const create = (sandbox: typeof first) =>
        exposureApi(sandbox, { authorization: ADMIN }).create(createRequest(), { prefer: 'wait=5' });
      const [a, b] = await Promise.all([create(first), create(second)]);
      assert.equal(a.status, 201);
      assert.equal(b.status, 201);
      await first.world.failNode('sandbox-node-2');
      await second.world.failNode('sandbox-node-3');
      const read = async (sandbox: typeof first, id: string) =>
        (await exposureApi(sandbox, { authorization: ADMIN }).read(id, '?refresh=true')).body;
      assert.deepEqual(unhealthyNodes(await read(first, a.body.id)), ['sandbox-node-2']);
      assert.deepEqual(unhealthyNodes(await read(second, b.body.id)), ['sandbox-node-3']);
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });

  test('as two `npm run sandbox` processes: each reports exactly its own failed node Unhealthy', async () => {
    const [first, second] = await Promise.all([startSandboxProcess(), startSandboxProcess()]);
    try {
      assert.notEqual(first.nodes, second.nodes);
      const [a, b] = await Promise.all([
        api<Exposure>(first.url, 'POST', '/exposures', createRequest()),
        api<Exposure>(second.url, 'POST', '/exposures', createRequest()),
      ]);
      await api(first.url, 'POST', '/sandbox/nodes/sandbox-node-2/fail');
      await api(second.url, 'POST', '/sandbox/nodes/sandbox-node-3/fail');
      const [readA, readB] = await Promise.all([
        api<Exposure>(first.url, 'GET', `/exposures/${a.id}?refresh=true`),
        api<Exposure>(second.url, 'GET', `/exposures/${b.id}?refresh=true`),
      ]);
      assert.deepEqual(unhealthyNodes(readA), ['sandbox-node-2']);
      assert.deepEqual(unhealthyNodes(readB), ['sandbox-node-3']);
    } finally {
      await Promise.all([first.stop(), second.stop()]);
    }
  });

  test('a sandbox told to use a block another one holds does not start, and says why', async () => {
    const holder = await startSandboxProcess();
    try {
      const block = /sandbox-node-1 [\d.]+\/(127\.\d+\.\d+)\.1\b/.exec(holder.nodes)?.[1];
      assert.ok(block, holder.nodes);
      const intruder = spawnSandbox({ SANDBOX_NODE_NETWORK: block });
      let stderr = '';
      intruder.stderr?.on('data', (chunk: Buffer) => {
        stderr += String(chunk);
      });
      const [code] = (await once(intruder, 'exit')) as [number | null];
      assert.notEqual(code, 0);
      assert.match(
        stderr,
        new RegExp(`node network ${block.replaceAll('.', '\\.')}\\.0/24 is held by another sandbox`),
      );
    } finally {
      await holder.stop();
    }
  });
});

interface SandboxProcess {
  url: string;
  /** The banner's nodes line. */
  nodes: string;
  stop(): Promise<void>;
}

function spawnSandbox(env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, ['src/sandbox/main.ts'], {
    env: { ...process.env, PORT: '0', EMULATOR_PORT: '0', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** `npm run sandbox` with free ports, once its banner is printed. */
async function startSandboxProcess(): Promise<SandboxProcess> {
  const child = spawnSandbox();
  let output = '';
  const exited = once(child, 'exit');
  const banner = new Promise<{ url: string; nodes: string }>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output += String(chunk);
      const url = /API\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
      const nodes = /nodes\s+(.+)/.exec(output)?.[1];
      if (url && nodes) resolve({ url, nodes });
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += String(chunk);
    });
    void exited.then(() => reject(new Error(`the sandbox exited before it was ready:\n${output}`)));
  });
  const timeout = setTimeout(() => child.kill('SIGKILL'), 60_000);
  try {
    const ready = await banner;
    return {
      ...ready,
      async stop() {
        child.kill('SIGTERM');
        await exited;
      },
    };
  } finally {
    clearTimeout(timeout);
  }
}

async function api<T = unknown>(base: string, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...ADMIN_HEADERS,
      ...(body !== undefined && { 'content-type': 'application/json', prefer: 'wait=5' }),
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  assert.ok(response.ok, `${method} ${path}: ${response.status} ${text}`);
  return JSON.parse(text) as T;
}
