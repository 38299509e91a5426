// The real gcloud CLI against the emulator: what an operator types by hand must work the same
// on the sandbox. gcloud starts slowly, so the calls are few and each checks several things.
// Its configuration lives in a throw-away folder; it is pointed at the emulator, given a dummy
// token, and kept away from the metadata server, usage reporting and update checks.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { access, constants, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { type ComputeEmulator, startComputeEmulator } from '../src/index.ts';
import { computeWire, ruleBody } from './wire.ts';

const run = promisify(execFile);

/** Looks gcloud up on PATH without starting it (a start costs a second). */
async function gcloudInstalled(): Promise<boolean> {
  for (const directory of (process.env.PATH ?? '').split(delimiter)) {
    try {
      await access(join(directory, 'gcloud'), constants.X_OK);
      return true;
    } catch {}
  }
  return false;
}

const installed = await gcloudInstalled();

describe('gcloud against the compute emulator', { skip: installed ? false : 'gcloud is not on PATH' }, () => {
  let emulator: ComputeEmulator;
  let configDir: string;

  /** Runs gcloud; a failing command resolves too, with its exit code and stderr. */
  async function gcloud(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: configDir,
      CLOUDSDK_CONFIG: configDir,
      CLOUDSDK_CORE_CHECK_GCE_METADATA: 'false',
      CLOUDSDK_CORE_DISABLE_USAGE_REPORTING: 'true',
      CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK: 'true',
      CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE: emulator.computeEndpoint,
      CLOUDSDK_AUTH_ACCESS_TOKEN: 'emulator',
      CLOUDSDK_CORE_PROJECT: 'p',
    };
    try {
      const { stdout, stderr } = await run('gcloud', [...args, '--quiet'], { env, timeout: 60_000 });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code?: number; stdout?: string; stderr?: string };
      return { code: failed.code ?? 1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
    }
  }

  before(async () => {
    emulator = await startComputeEmulator();
    configDir = await mkdtemp(join(tmpdir(), 'gcloud-config-'));
  });
  after(async () => {
    await emulator.close();
    await rm(configDir, { recursive: true, force: true });
  });

  test('create makes the rule, waiting on its operation', async () => {
    const created = await gcloud(
      'compute',
      'firewall-rules',
      'create',
      'elastic-svc-rule',
      '--allow=tcp:30920',
      '--source-ranges=203.0.113.0/24',
      '--target-tags=gke-node',
    );
    assert.equal(created.code, 0, created.stderr);
    assert.match(
      created.stderr,
      /Created \[https:\/\/www\.googleapis\.com\/compute\/v1\/projects\/p\/global\/firewalls\/elastic-svc-rule\]/,
    );
    assert.equal(emulator.rules('p').length, 1);
    assert.partialDeepStrictEqual(emulator.rules('p'), [
      {
        name: 'elastic-svc-rule',
        direction: 'INGRESS',
        priority: 1000,
        allowed: [{ IPProtocol: 'tcp', ports: ['30920'] }],
        sourceRanges: ['203.0.113.0/24'],
        targetTags: ['gke-node'],
        network: 'https://www.googleapis.com/compute/v1/projects/p/global/networks/default',
      },
    ]);
    const paths = emulator.requests().map((entry) => `${entry.method} ${entry.path}`);
    assert.ok(paths.includes('POST /compute/v1/projects/p/global/firewalls'));
    assert.ok(
      paths.some((path) => /^POST \/compute\/v1\/projects\/p\/global\/operations\/[^/]+\/wait$/.test(path)),
    );
  });

  test('list shows the rule, as JSON and as the default table', async () => {
    const listed = await gcloud('compute', 'firewall-rules', 'list', '--format=json');
    assert.equal(listed.code, 0, listed.stderr);
    const rules = JSON.parse(listed.stdout) as Record<string, unknown>[];
    assert.equal(rules.length, 1);
    assert.partialDeepStrictEqual(rules, [
      {
        name: 'elastic-svc-rule',
        allowed: [{ IPProtocol: 'tcp', ports: ['30920'] }],
        sourceRanges: ['203.0.113.0/24'],
        targetTags: ['gke-node'],
      },
    ]);
    assert.ok(
      emulator
        .requests()
        .some((entry) => entry.path.endsWith('/global/firewalls') && entry.query.includes('maxResults=500')),
      'gcloud pages with maxResults=500',
    );

    const table = await gcloud('compute', 'firewall-rules', 'list');
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^NAME\s+NETWORK\s+DIRECTION\s+PRIORITY\s+ALLOW\s+DENY\s+DISABLED$/m);
    assert.match(table.stdout, /^elastic-svc-rule\s+default\s+INGRESS\s+1000\s+tcp:30920\s+False$/m);
  });

  test('describe shows the server-side defaults', async () => {
    const described = await gcloud(
      'compute',
      'firewall-rules',
      'describe',
      'elastic-svc-rule',
      '--format=json',
    );
    assert.equal(described.code, 0, described.stderr);
    assert.partialDeepStrictEqual(JSON.parse(described.stdout), {
      kind: 'compute#firewall',
      name: 'elastic-svc-rule',
      description: '',
      disabled: false,
      enableLogging: false,
      logConfig: { enable: false },
      selfLink: 'https://www.googleapis.com/compute/v1/projects/p/global/firewalls/elastic-svc-rule',
    });
  });

  test('update patches the source ranges', async () => {
    const updated = await gcloud(
      'compute',
      'firewall-rules',
      'update',
      'elastic-svc-rule',
      '--source-ranges=198.51.100.0/24,192.0.2.0/24',
    );
    assert.equal(updated.code, 0, updated.stderr);
    assert.ok(emulator.requests().some((entry) => entry.method === 'PATCH'));
    assert.equal(emulator.rules('p').length, 1);
    assert.partialDeepStrictEqual(emulator.rules('p'), [
      {
        name: 'elastic-svc-rule',
        sourceRanges: ['198.51.100.0/24', '192.0.2.0/24'],
        targetTags: ['gke-node'],
        allowed: [{ IPProtocol: 'tcp', ports: ['30920'] }],
      },
    ]);
  });

  test('delete of several rules goes through the batch endpoint', async () => {
    await computeWire(emulator.url, 'p').insert(ruleBody('second-rule'));
    emulator.clearRequests();
    const deleted = await gcloud('compute', 'firewall-rules', 'delete', 'elastic-svc-rule', 'second-rule');
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.match(deleted.stderr, /Deleted \[.*\/global\/firewalls\/elastic-svc-rule\]/);
    assert.match(deleted.stderr, /Deleted \[.*\/global\/firewalls\/second-rule\]/);
    assert.deepEqual(emulator.rules('p'), []);
    const batchedDeletes = emulator.requests().filter((entry) => entry.batched && entry.method === 'DELETE');
    assert.equal(batchedDeletes.length, 2);
  });

  test('describe of a missing rule shows the API error message', async () => {
    const missing = await gcloud('compute', 'firewall-rules', 'describe', 'elastic-svc-rule');
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /Could not fetch resource:/);
    assert.match(
      missing.stderr,
      /The resource 'projects\/p\/global\/firewalls\/elastic-svc-rule' was not found/,
    );
  });
});
