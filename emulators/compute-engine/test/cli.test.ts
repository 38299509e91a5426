// The `compute-emulator` command: it listens where told, prints the gcloud settings that point at
// it, injects the faults its options ask for, and exits cleanly on SIGTERM.

import assert from 'node:assert/strict';
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));

/** Starts the command and resolves with its printed banner once it is listening. */
async function startCli(args: string[]): Promise<{ child: ChildProcessWithoutNullStreams; banner: string }> {
  const child = spawn(process.execPath, [cli, '--port', '0', ...args]);
  let banner = '';
  child.stdout.setEncoding('utf8');
  for await (const chunk of child.stdout) {
    banner += chunk;
    if (banner.includes('gcloud compute firewall-rules list')) break;
  }
  return { child, banner };
}

async function stop(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const [code] = await exited;
  return code as number | null;
}

test('prints the gcloud endpoint it serves and exits 0 on SIGTERM', async () => {
  const { child, banner } = await startCli(['--project', 'my-project']);
  try {
    const endpoint =
      /CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE=(http:\/\/127\.0\.0\.1:\d+\/compute\/v1\/)/.exec(banner)?.[1];
    assert.ok(endpoint, banner);
    assert.match(banner, /CLOUDSDK_CORE_PROJECT=my-project/);
    const response = await fetch(`${endpoint}projects/my-project/global/firewalls`);
    assert.equal(response.status, 200);
    assert.equal(((await response.json()) as { kind: string }).kind, 'compute#firewallList');
  } finally {
    assert.equal(await stop(child), 0);
  }
});

test('fault options: every request fails with one of the given statuses', async () => {
  const { child, banner } = await startCli(['--error-rate', '1', '--error-statuses', '429', '--seed', '7']);
  try {
    const url = /listening on (\S+)/.exec(banner)?.[1];
    assert.ok(url, banner);
    const statuses = [];
    for (let call = 0; call < 3; call++) {
      const response = await fetch(`${url}/compute/v1/projects/p/global/firewalls`);
      await response.body?.cancel();
      statuses.push(response.status);
    }
    assert.deepEqual(statuses, [429, 429, 429]);
  } finally {
    await stop(child);
  }
});

test('a malformed option is refused with the usage and exit code 2', () => {
  const result = spawnSync(process.execPath, [cli, '--latency-ms', 'soon'], { encoding: 'utf8' });
  assert.equal(result.status, 2);
  assert.match(result.stderr, /--latency-ms must be a non-negative number, got 'soon'/);
  assert.match(result.stderr, /Usage: compute-emulator/);
});
