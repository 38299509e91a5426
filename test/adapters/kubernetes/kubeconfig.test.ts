// Where the adapter finds its cluster, and the startup error when there is none.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadKubeConfig } from '../../../src/adapters/kubernetes/kubeconfig.ts';

const kubeconfig = JSON.stringify({
  apiVersion: 'v1',
  kind: 'Config',
  clusters: [
    { name: 'one', cluster: { server: 'https://127.0.0.1:6443' } },
    { name: 'two', cluster: { server: 'https://127.0.0.2:6443' } },
  ],
  users: [{ name: 'u', user: { token: 't' } }],
  contexts: [
    { name: 'first', context: { cluster: 'one', user: 'u' } },
    { name: 'second', context: { cluster: 'two', user: 'u' } },
  ],
  'current-context': 'first',
});

test('a kubeconfig file, its current context or the one asked for', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'kubeconfig-test-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'config');
  await writeFile(path, kubeconfig);
  assert.equal(loadKubeConfig({ kubeconfig: path }).getCurrentCluster()?.server, 'https://127.0.0.1:6443');
  assert.equal(
    loadKubeConfig({ kubeconfig: path, context: 'second' }).getCurrentCluster()?.server,
    'https://127.0.0.2:6443',
  );
  assert.throws(
    () => loadKubeConfig({ kubeconfig: path, context: 'third' }),
    /no context "third".*first, second/,
  );
  assert.throws(() => loadKubeConfig({ kubeconfig: join(dir, 'missing') }), /cannot read the kubeconfig/);
});

test('the in-cluster service account when KUBERNETES_SERVICE_HOST is set', () => {
  const saved = { host: process.env.KUBERNETES_SERVICE_HOST, port: process.env.KUBERNETES_SERVICE_PORT };
  process.env.KUBERNETES_SERVICE_HOST = '10.96.0.1';
  process.env.KUBERNETES_SERVICE_PORT = '443';
  try {
    const config = loadKubeConfig({ env: process.env });
    assert.equal(config.getCurrentCluster()?.server, 'https://10.96.0.1:443');
  } finally {
    for (const [key, value] of [
      ['KUBERNETES_SERVICE_HOST', saved.host],
      ['KUBERNETES_SERVICE_PORT', saved.port],
    ] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
});

test('with neither, a startup error that names the sandbox', () => {
  assert.throws(
    () => loadKubeConfig({ env: {} }),
    (error: unknown) => {
      assert.ok(error instanceof Error);
      assert.match(error.message, /no Kubernetes cluster is configured/);
      assert.match(error.message, /npm run sandbox/);
      return true;
    },
  );
  assert.throws(() => loadKubeConfig({ context: 'prod', env: {} }), /no cluster.kubeconfig/);
});
