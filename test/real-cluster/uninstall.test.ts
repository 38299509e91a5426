// The uninstall command (what the Helm chart's pre-delete hook runs): `delete` removes every
// exposure, rules first, even with no replica running; `orphan` removes the finalizers so that no
// namespace can hang on them, and leaves Services and rules in place (listing how to delete the rules).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { type ComputeEmulator, startComputeEmulator } from '@exposure-api/compute-emulator';
import { eventually } from '../support/eventually.ts';
import {
  api,
  type ControlPlane,
  controlPlaneSkipReason,
  grantServiceIdentity,
  kubernetesAdmin,
  LEASE_NAMESPACE,
  type ServiceProcessFactory,
  serviceProcesses,
  startControlPlane,
} from './fixture/index.ts';

const skip = await controlPlaneSkipReason();

describe('uninstall', { skip }, () => {
  let controlPlane: ControlPlane;
  let emulator: ComputeEmulator;
  let processes: ServiceProcessFactory;
  let configPath: string;

  before(async () => {
    controlPlane = await startControlPlane();
    await grantServiceIdentity(controlPlane);
    await kubernetesAdmin(controlPlane).createNamespace('apps');
    await kubernetesAdmin(controlPlane).createNamespace(LEASE_NAMESPACE);
    emulator = await startComputeEmulator();
    processes = await serviceProcesses({
      kubeconfig: controlPlane.kubeconfigPath('service'),
      emulatorUrl: emulator.url,
      project: 'uninstall-project',
      clusterId: 'uninstall',
    });
    configPath = processes.configPath;
  });
  after(async () => {
    await processes?.close();
    await emulator?.close();
    await controlPlane?.stop();
  });

  async function createThree(prefix: string): Promise<void> {
    const service = await processes.start();
    for (const n of [1, 2, 3]) {
      const created = await api(
        service,
        'POST',
        '/exposures',
        {
          namespace: 'apps',
          name: `${prefix}-${n}`,
          selector: { app: prefix },
          ports: [{ name: 'http', port: 80 }],
          sourceRanges: ['203.0.113.0/24'],
        },
        { prefer: 'wait=5' },
      );
      assert.equal(created.status, 201);
    }
    await eventually(
      () => emulator.rules('uninstall-project').length,
      (n) => n === 3,
      { what: 'three rules' },
    );
    // The service is gone when the uninstall runs: the command must manage on its own.
    service.child.kill('SIGKILL');
    await service.exited;
  }

  // Asynchronously: the Compute emulator lives in this process and must keep answering the command.
  async function uninstall(mode: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
    const child = spawn(
      process.execPath,
      ['src/cli/uninstall.ts', `--mode=${mode}`, '--timeout-seconds=60'],
      {
        env: { ...process.env, EXPOSURE_API_CONFIG: configPath, METADATA_SERVER_DETECTION: 'none' },
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk;
    });
    const [status] = (await once(child, 'exit')) as [number | null];
    return { status, stdout, stderr };
  }

  const services = async () =>
    (
      (await controlPlane.request('GET', '/api/v1/namespaces/apps/services')).body as {
        items: { metadata: { name: string; finalizers?: string[] } }[];
      }
    ).items;

  test('orphan: finalizers removed, Services and rules stay, and the rules are listed with delete commands', async () => {
    await createThree('kept');
    const result = await uninstall('orphan');
    assert.equal(result.status, 0, result.stderr + result.stdout);
    const left = await services();
    assert.equal(left.length, 3);
    assert.ok(left.every((s) => (s.metadata.finalizers ?? []).length === 0));
    assert.equal(emulator.rules('uninstall-project').length, 3);
    const commands = result.stdout
      .split('\n')
      .filter((line) => line.startsWith('gcloud compute firewall-rules delete'));
    assert.equal(commands.length, 3);
    // Clean up for the next test, as an administrator would with those commands.
    for (const rule of emulator.rules('uninstall-project')) {
      await fetch(
        `${emulator.url}/compute/v1/projects/uninstall-project/global/firewalls/${String(rule.name)}`,
        { method: 'DELETE' },
      );
    }
    for (const s of left)
      await controlPlane.request('DELETE', `/api/v1/namespaces/apps/services/${s.metadata.name}`);
    await eventually(
      () => services(),
      (list) => list.length === 0,
      { what: 'the orphans deleted' },
    );
  });

  test('delete: every exposure goes, rules first, with no replica of the service running', async () => {
    await createThree('gone');
    const result = await uninstall('delete');
    assert.equal(result.status, 0, result.stderr + result.stdout);
    assert.deepEqual(await services(), []);
    assert.deepEqual(emulator.rules('uninstall-project'), []);
    assert.match(result.stdout, /deleted 3 exposures/);
  });

  test('the chart runs exactly this command in its pre-delete hook', () => {
    const hook = readFileSync('helm/exposure-api/templates/pre-delete-hook.yaml', 'utf8');
    assert.match(hook, /dist\/cli\/uninstall\.js/);
    assert.match(hook, /--mode=/);
  });
});
