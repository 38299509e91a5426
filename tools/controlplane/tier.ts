// The real-Kubernetes tier as the tests see it: the binaries `npm test` prepared (named by
// environment variables), or built here when a test file runs on its own; a control plane per test
// or per suite; and the skip reason when the tier is unavailable.
import type { TestContext } from 'node:test';
import { ensureControlPlaneBinaries, ensureHelm } from './binaries.ts';
import { binariesIn, type ControlPlaneBinaries, controlPlaneBuild } from './build-recipe.ts';
import { type ControlPlane, type ControlPlaneOptions, launchControlPlane } from './control-plane.ts';

/** Directory holding `kube-apiserver`, `etcd` and `kubectl`; set by `npm test` for test processes. */
export const CONTROL_PLANE_BIN_ENV = 'EXPOSURE_API_TEST_CONTROLPLANE_BIN';
/** Path of the `helm` binary; set by `npm test` for test processes. */
export const HELM_ENV = 'EXPOSURE_API_TEST_HELM';
/** Kubernetes version of the binaries in `CONTROL_PLANE_BIN_ENV`, e.g. `v1.35.4`. */
export const KUBERNETES_VERSION_ENV = 'EXPOSURE_API_TEST_KUBERNETES_VERSION';
/** When set, the real-Kubernetes tier is skipped and its value is the reason shown for each skip. */
export const CONTROL_PLANE_SKIP_ENV = 'EXPOSURE_API_TEST_CONTROLPLANE_SKIP';

export function isCi(): boolean {
  return ['true', '1'].includes((process.env.CI ?? '').toLowerCase());
}

let tier: Promise<{ available: true; binaries: ControlPlaneBinaries } | { available: false; reason: string }>;

/**
 * The real-Kubernetes tier as seen from a test process: the binaries `npm test` prepared, or (when a
 * file is run directly with `node --test`) binaries built here. Outside CI a missing toolchain or a
 * failed build skips the tier; under CI it fails.
 */
export function controlPlaneTier(): typeof tier {
  tier ??= (async () => {
    const skip = process.env[CONTROL_PLANE_SKIP_ENV];
    if (skip) return { available: false, reason: skip };
    const binDir = process.env[CONTROL_PLANE_BIN_ENV];
    if (binDir) {
      const { kubernetesVersion } = controlPlaneBuild();
      const version = process.env[KUBERNETES_VERSION_ENV] || kubernetesVersion;
      return { available: true, binaries: binariesIn(binDir, version) };
    }
    try {
      return { available: true, binaries: await ensureControlPlaneBinaries() };
    } catch (error) {
      if (isCi()) throw error;
      return {
        available: false,
        reason: `real Kubernetes control plane unavailable: ${(error as Error).message}`,
      };
    }
  })();
  return tier;
}

/** For `describe(name, { skip: await controlPlaneSkipReason() }, ...)`: false, or why the tier is skipped. */
export async function controlPlaneSkipReason(): Promise<string | false> {
  const current = await controlPlaneTier();
  return current.available ? false : current.reason;
}

/** Path of the built helm for tests, or undefined (after skipping `t`) when the tier is skipped. */
export async function helmForTests(t: TestContext): Promise<string | undefined> {
  const current = await controlPlaneTier();
  if (!current.available) {
    t.skip(current.reason);
    return undefined;
  }
  return process.env[HELM_ENV] || (await ensureHelm());
}

/**
 * Starts a control plane stopped when `t` ends, or skips `t` and returns undefined when the
 * real-Kubernetes tier is skipped.
 */
export async function controlPlaneForTests(
  t: TestContext,
  options: ControlPlaneOptions = {},
): Promise<ControlPlane | undefined> {
  const current = await controlPlaneTier();
  if (!current.available) {
    t.skip(current.reason);
    return undefined;
  }
  const controlPlane = await startControlPlane({ binaries: current.binaries, ...options });
  t.after(() => controlPlane.stop());
  return controlPlane;
}

/**
 * Starts etcd and kube-apiserver on free loopback ports in a fresh temporary directory and resolves
 * once `/readyz` answers and the `default` namespace exists. Without `options.binaries`, runs those
 * of the tier (and throws when the tier is unavailable).
 */
export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  return launchControlPlane(options.binaries ?? requireAvailable(await controlPlaneTier()), options);
}

function requireAvailable(
  current: { available: true; binaries: ControlPlaneBinaries } | { available: false; reason: string },
): ControlPlaneBinaries {
  if (!current.available) throw new Error(current.reason);
  return current.binaries;
}
