// Runs the whole test suite with node:test. Extra arguments are passed to `node --test`
// (for instance a subset of files: `npm test -- test/domain/*.test.ts`).
//
// Before the tests it settles the real-Kubernetes tier once for all test processes: the pinned
// kube-apiserver, etcd, kubectl and helm are built on first use (minutes) and reused from the cache
// afterwards, and their location is handed to the tests through environment variables. Without Go, or
// when the build fails, the tier is skipped loudly; under CI that is an error instead.
import { spawnSync } from 'node:child_process';
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

function loudSkipNotice(reason: string): void {
  const bar = '!'.repeat(100);
  process.stderr.write(
    `\n${bar}\n!! SKIPPING the real-Kubernetes tier (kube-apiserver + etcd + helm tests).\n!! ${reason}\n` +
      `!! Install Go to run it; CI=true makes this an error.\n${bar}\n\n`,
  );
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
  tierEnv = await realKubernetesTier();
} catch (error) {
  process.stderr.write(`\nexposure-api tests: ${(error as Error).message}\n`);
  process.exit(1);
}

const result = spawnSync(
  process.execPath,
  ['--test', '--test-concurrency=2', '--test-timeout=300000', ...args, ...files],
  { stdio: 'inherit', env: { ...process.env, ...tierEnv, METADATA_SERVER_DETECTION: 'none' } },
);
process.exit(result.status ?? 1);
