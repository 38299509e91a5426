// Runs the whole test suite with node:test. Extra arguments are passed to `node --test`
// (for instance a subset of files: `npm test -- test/domain/*.test.ts`).
//
// Before the tests it settles the real-Kubernetes tier once for all test processes: the pinned
// kube-apiserver, etcd, kubectl and helm are built on first use (minutes) and reused from the cache
// afterwards, and their location is handed to the tests through environment variables. Without Go, or
// when the build fails, the tier is skipped loudly; under CI that is an error instead.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  CONTROL_PLANE_BIN_ENV,
  CONTROL_PLANE_SKIP_ENV,
  controlPlaneAvailability,
  ensureControlPlaneBinaries,
  ensureHelm,
  HELM_ENV,
  isCi,
  KUBERNETES_VERSION_ENV,
} from '../tools/controlplane/index.ts';

const args = process.argv.slice(2);
// The service's tests and those of the workspace packages that live beside it (the emulators).
const files = args.some((arg) => !arg.startsWith('-'))
  ? []
  : ['test/**/*.test.ts', 'emulators/*/test/**/*.test.ts'];

function loudSkipNotice(
  reason: string,
  what = 'the real-Kubernetes tier (kube-apiserver + etcd + helm tests)',
  remedy = 'Install Go to run it',
): void {
  const bar = '!'.repeat(100);
  process.stderr.write(
    `\n${bar}\n!! SKIPPING ${what}.\n!! ${reason}\n` +
      `!! ${remedy}; CI=true makes this an error.\n${bar}\n\n`,
  );
}

// The Backstage packages are an npm project of their own (backstage/), which the service's `npm ci`
// does not install: their tests run once it is installed, as .ci/run does.
function backstageTests(): string[] {
  if (existsSync('backstage/node_modules/@backstage/backend-plugin-api')) {
    return ['backstage/test/**/*.test.ts', 'backstage/plugins/*/test/**/*.test.ts'];
  }
  const reason = 'backstage/ is not installed';
  if (isCi()) throw new Error(`${reason}, but CI requires the Backstage packages' tests`);
  loudSkipNotice(reason, "the Backstage packages' tests", 'Run `npm ci` in backstage/ to run them');
  return [];
}

async function realKubernetesTier(): Promise<Record<string, string>> {
  const optedOut = process.env[CONTROL_PLANE_SKIP_ENV];
  if (optedOut) {
    if (isCi()) throw new Error(`${CONTROL_PLANE_SKIP_ENV} is set, but CI requires the real-Kubernetes tier`);
    loudSkipNotice(optedOut);
    return {};
  }
  try {
    const started = performance.now();
    const availability = await controlPlaneAvailability();
    if (!availability.available) throw new Error(availability.reason);
    const binaries = await ensureControlPlaneBinaries();
    const helm = await ensureHelm();
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    process.stderr.write(`real-Kubernetes tier: ${binaries.kubernetesVersion} ready in ${seconds}s\n`);
    return {
      [CONTROL_PLANE_BIN_ENV]: dirname(binaries.kubeApiserver),
      [KUBERNETES_VERSION_ENV]: binaries.kubernetesVersion,
      [HELM_ENV]: helm,
    };
  } catch (error) {
    const reason = `real Kubernetes control plane unavailable: ${(error as Error).message}`;
    if (isCi()) throw new Error(reason);
    loudSkipNotice(reason);
    return { [CONTROL_PLANE_SKIP_ENV]: reason };
  }
}

let tierEnv: Record<string, string>;
try {
  if (files.length > 0) files.push(...backstageTests());
  tierEnv = await realKubernetesTier();
} catch (error) {
  process.stderr.write(`\nexposure-api tests: ${(error as Error).message}\n`);
  process.exit(1);
}

const result = spawnSync(
  process.execPath,
  // The exposure-api-source condition resolves the typed client, which the Backstage packages link, to
  // its sources.
  [
    '--conditions=exposure-api-source',
    '--test',
    '--test-concurrency=2',
    '--test-timeout=300000',
    ...args,
    ...files,
  ],
  { stdio: 'inherit', env: { ...process.env, ...tierEnv, METADATA_SERVER_DETECTION: 'none' } },
);
process.exit(result.status ?? 1);
