// What the container image promises, checked without a Docker engine: the production build (dist/
// plus production dependencies only, installed exactly as the Dockerfile does) runs under bwrap with
// a read-only root filesystem, as the distroless image's non-root user (65532), against a real
// kube-apiserver and the Compute emulator — and SIGTERM mid-request lets the request finish and
// the process exit 0.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { type ComputeEmulator, startComputeEmulator } from '@exposure-api/compute-emulator';
import { stringify } from 'yaml';
import { sha256Hex } from '../../src/edge/plugins/authentication.ts';
import {
  type ControlPlane,
  controlPlaneSkipReason,
  freePort,
  grantServiceIdentity,
  kubernetesAdmin,
  LEASE_NAMESPACE,
  startControlPlane,
} from '../real-cluster/fixture/index.ts';
import { eventually } from '../support/eventually.ts';

const hasBwrap = spawnSync('sh', ['-c', 'command -v bwrap']).status === 0;
const tierSkip = await controlPlaneSkipReason();
const skip =
  tierSkip || (!hasBwrap && process.env.CI !== 'true' ? 'bwrap (Debian bubblewrap) is not installed' : false);
const TOKEN = 'image-test-token';

let work: string;
let controlPlane: ControlPlane;
let emulator: ComputeEmulator;

function run(command: string, args: string[], cwd: string): void {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  assert.equal(result.status, 0, `${command} ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`);
}

/** bwrap arguments: system libraries, Node, the app and its config — all read-only — as uid 65532. */
function sandboxArgs(app: string, config: string): string[] {
  const nodeDir = dirname(process.execPath);
  return [
    '--ro-bind',
    '/usr',
    '/usr',
    '--ro-bind',
    '/lib',
    '/lib',
    '--ro-bind',
    '/lib64',
    '/lib64',
    '--ro-bind',
    nodeDir,
    '/nodejs/bin',
    '--ro-bind',
    app,
    '/app',
    '--ro-bind',
    config,
    '/config',
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    '--unshare-user',
    '--uid',
    '65532',
    '--gid',
    '65532',
    '--unshare-ipc',
    '--unshare-uts',
    '--die-with-parent',
    '--clearenv',
    '--setenv',
    'NODE_ENV',
    'production',
    '--setenv',
    'EXPOSURE_API_CONFIG',
    '/config/config.yaml',
    '--setenv',
    'METADATA_SERVER_DETECTION',
    'none',
    '--chdir',
    '/app',
  ];
}

before(async () => {
  if (skip) return;
  work = await mkdtemp(join(tmpdir(), 'exposure-api-image-'));
  const app = join(work, 'app');
  const manifests = ['clients/typescript/package.json', 'emulators/compute-engine/package.json'];
  for (const file of ['package.json', 'package-lock.json', ...manifests]) {
    await mkdir(dirname(join(app, file)), { recursive: true });
    await copyFile(file, join(app, file));
  }
  // As the Dockerfile's dependencies and build stages do.
  run(
    'npm',
    [
      'ci',
      '--omit=dev',
      '--workspaces=false',
      '--include-workspace-root',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
    ],
    app,
  );
  run(
    process.execPath,
    ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json', '--outDir', join(app, 'dist')],
    process.cwd(),
  );

  controlPlane = await startControlPlane();
  await grantServiceIdentity(controlPlane);
  await kubernetesAdmin(controlPlane).createNamespace(LEASE_NAMESPACE);
  await kubernetesAdmin(controlPlane).createNamespace('search');
  emulator = await startComputeEmulator();
});
after(async () => {
  await emulator?.close();
  await controlPlane?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

test('the sandbox really is read-only and non-root', { skip }, () => {
  const probe = spawnSync(
    'bwrap',
    [
      ...sandboxArgs(join(work, 'app'), join(work, 'app')),
      '/nodejs/bin/node',
      '-e',
      "const fs=require('fs');let w='writable';try{fs.writeFileSync('/app/x','')}catch(e){w=e.code}let t='writable';try{fs.writeFileSync('/tmp/x','')}catch(e){t=e.code}console.log(process.getuid(),w,t)",
    ],
    { encoding: 'utf8' },
  );
  assert.equal(probe.status, 0, probe.stderr);
  assert.equal(probe.stdout.trim(), '65532 EROFS ENOENT');
});

test('the production build serves, and SIGTERM mid-request finishes the request and exits 0', {
  skip,
}, async () => {
  const config = join(work, 'config');
  await mkdir(config);
  await copyFile(controlPlane.kubeconfigPath('service'), join(config, 'kubeconfig'));
  const port = await freePort();
  await writeFile(
    join(config, 'config.yaml'),
    stringify({
      server: { host: '127.0.0.1', port },
      cluster: { id: 'image', kubeconfig: '/config/kubeconfig' },
      gce: { project: 'image-project', endpoint: emulator.url },
      firewall: { targetTags: ['node'] },
      leaderElection: { namespace: LEASE_NAMESPACE },
      auth: { tokens: [{ sha256: sha256Hex(TOKEN), subject: 'image-test', namespaces: ['*'] }] },
    }),
  );
  const bwrap = spawn(
    'bwrap',
    [...sandboxArgs(join(work, 'app'), config), '/nodejs/bin/node', 'dist/server.js'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const logs: string[] = [];
  bwrap.stdout.on('data', (chunk: Buffer) => logs.push(String(chunk)));
  bwrap.stderr.on('data', (chunk: Buffer) => logs.push(String(chunk)));
  const exited = once(bwrap, 'exit');
  try {
    const url = `http://127.0.0.1:${port}`;
    await eventually(
      async () => (await fetch(`${url}/readyz`)).status,
      (status) => status === 200,
      {
        what: `readiness (logs: ${logs.join('').slice(-500)})`,
        timeoutMs: 30_000,
      },
    );
    const inFlight = fetch(`${url}/exposures`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', prefer: 'wait=2' },
      body: JSON.stringify({
        namespace: 'search',
        name: 'from-the-image',
        selector: { app: 'x' },
        ports: [{ name: 'http', port: 80 }],
        sourceRanges: ['203.0.113.0/24'],
      }),
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    // bwrap runs node as its direct child: SIGTERM goes to node, as the kubelet's does to PID 1.
    const children = spawnSync('pgrep', ['-P', String(bwrap.pid)], { encoding: 'utf8' })
      .stdout.trim()
      .split('\n');
    assert.equal(children.length, 1);
    const nodePid = Number(children[0]);
    assert.match(await readFile(`/proc/${nodePid}/cmdline`, 'utf8'), /dist\/server\.js/);
    process.kill(nodePid, 'SIGTERM');
    const answer = await inFlight;
    assert.equal(answer.status, 201, 'the request in flight was answered');
    const [code] = await exited;
    assert.equal(code, 0, logs.join('').slice(-2000));
    assert.doesNotMatch(logs.join(''), /EROFS|EACCES/);
  } finally {
    bwrap.kill('SIGKILL');
  }
});
