// Building kube-apiserver, kube-controller-manager, etcd, kubectl and helm once into the cache, and checking what a cache
// holds before it is trusted.
import { mkdir, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { withLock } from './build-lock.ts';
import {
  binariesIn,
  type ControlPlaneBinaries,
  cacheRoot,
  controlPlaneBuild,
  etcdLdflags,
  etcdModuleDir,
  goBuildEnv,
  goBuildFlags,
  helmBuild,
  helmLdflags,
  helmModuleDir,
  kubernetesLdflags,
  kubernetesModuleDir,
} from './build-recipe.ts';
import { isExecutable, run, tail } from './command.ts';
import { log } from './log.ts';

async function goVersion(): Promise<string | undefined> {
  try {
    const result = await run('go', ['env', 'GOVERSION'], { timeoutMs: 60_000 });
    return result.exitCode === 0 ? result.stdout.trim() : undefined;
  } catch {
    return undefined;
  }
}

async function goBuild(moduleDir: string, pkg: string, output: string, ldflags: string): Promise<number> {
  const started = performance.now();
  const result = await run('go', ['build', ...goBuildFlags, `-ldflags=${ldflags}`, '-o', output, pkg], {
    cwd: moduleDir,
    env: { ...process.env, ...goBuildEnv },
  });
  if (result.exitCode !== 0) {
    throw new Error(
      `go build ${pkg} failed (exit ${result.exitCode}):\n${tail(result.stderr + result.stdout)}`,
    );
  }
  return (performance.now() - started) / 1000;
}

/** Resolves when the binaries report the expected versions; rejects with what was found otherwise. */
async function verifyControlPlaneBinaries(
  binaries: ControlPlaneBinaries,
  etcdVersion: string,
): Promise<void> {
  const [apiserver, controllerManager, etcd, kubectl] = await Promise.all([
    run(binaries.kubeApiserver, ['--version'], { timeoutMs: 30_000 }),
    run(binaries.kubeControllerManager, ['--version'], { timeoutMs: 30_000 }),
    run(binaries.etcd, ['--version'], { timeoutMs: 30_000 }),
    run(binaries.kubectl, ['version', '--client', '--output=json'], { timeoutMs: 30_000 }),
  ]);
  const kubectlVersion = (() => {
    try {
      return (JSON.parse(kubectl.stdout) as { clientVersion?: { gitVersion?: string } }).clientVersion
        ?.gitVersion;
    } catch {
      return undefined;
    }
  })();
  const problems: string[] = [];
  if (apiserver.stdout.trim() !== `Kubernetes ${binaries.kubernetesVersion}`) {
    problems.push(`kube-apiserver --version: ${apiserver.stdout.trim() || apiserver.stderr.trim()}`);
  }
  if (controllerManager.stdout.trim() !== `Kubernetes ${binaries.kubernetesVersion}`) {
    problems.push(
      `kube-controller-manager --version: ${controllerManager.stdout.trim() || controllerManager.stderr.trim()}`,
    );
  }
  if (!etcd.stdout.includes(`etcd Version: ${etcdVersion.replace(/^v/, '')}\n`)) {
    problems.push(`etcd --version: ${etcd.stdout.trim() || etcd.stderr.trim()}`);
  }
  if (kubectlVersion !== binaries.kubernetesVersion) {
    problems.push(`kubectl version: ${kubectl.stdout.trim() || kubectl.stderr.trim()}`);
  }
  if (problems.length > 0) throw new Error(`unexpected versions:\n${problems.join('\n')}`);
}

async function verifyHelm(helm: string, helmVersion: string): Promise<void> {
  const result = await run(helm, ['version', '--template={{.Version}}'], {
    timeoutMs: 30_000,
    // helm reads and writes its configuration under HOME; a throwaway one keeps the check side-effect free.
    env: { ...process.env, HELM_CONFIG_HOME: tmpdir(), HELM_CACHE_HOME: tmpdir(), HELM_DATA_HOME: tmpdir() },
  });
  if (result.stdout.trim() !== helmVersion) {
    throw new Error(
      `helm version: expected ${helmVersion}, got ${result.stdout.trim() || result.stderr.trim()}`,
    );
  }
}

/**
 * Builds into `<cache>/<key>/bin` unless a complete build is already there. The build goes to a
 * private folder renamed into place at the end, so `bin` only ever holds a complete, verified set.
 */
async function buildOnce(
  binDir: string,
  what: string,
  isComplete: () => Promise<boolean>,
  verify: () => Promise<void>,
  build: (into: string) => Promise<void>,
): Promise<void> {
  if (await isComplete()) {
    try {
      await verify();
      return;
    } catch (error) {
      log(`cached ${what} in ${binDir} is unusable, rebuilding: ${(error as Error).message}`);
    }
  }
  await withLock(join(dirname(binDir), 'build.lock'), `building ${what}`, async () => {
    // Another process may have finished the build while this one waited for the lock.
    if (await isComplete()) {
      try {
        await verify();
        return;
      } catch {
        await rm(binDir, { recursive: true, force: true });
      }
    }
    const version = await goVersion();
    if (!version)
      throw new Error(`building ${what} needs the Go toolchain (\`go\` on PATH), which was not found`);
    const partial = `${binDir}.partial-${process.pid}`;
    await rm(partial, { recursive: true, force: true });
    await mkdir(partial, { recursive: true });
    try {
      log(`building ${what} with ${version} into ${dirname(binDir)} (first run only; takes minutes)`);
      await build(partial);
      await rm(binDir, { recursive: true, force: true });
      await rename(partial, binDir);
    } finally {
      await rm(partial, { recursive: true, force: true });
    }
    await verify();
  });
}

/** Builds kube-apiserver, kube-controller-manager, etcd and kubectl once (serialised across processes) and returns their paths. */
export async function ensureControlPlaneBinaries(): Promise<ControlPlaneBinaries> {
  const { kubernetesVersion, etcdVersion, binDir } = controlPlaneBuild();
  const binaries = binariesIn(binDir, kubernetesVersion);
  const all = [binaries.kubeApiserver, binaries.kubeControllerManager, binaries.etcd, binaries.kubectl];
  await buildOnce(
    binDir,
    `kube-apiserver/kube-controller-manager/kubectl ${kubernetesVersion} and etcd ${etcdVersion}`,
    async () => (await Promise.all(all.map(isExecutable))).every(Boolean),
    () => verifyControlPlaneBinaries(binaries, etcdVersion),
    async (into) => {
      const ldflags = kubernetesLdflags(kubernetesVersion);
      for (const [name, moduleDir, pkg, flags] of [
        ['kube-apiserver', kubernetesModuleDir, 'k8s.io/kubernetes/cmd/kube-apiserver', ldflags],
        [
          'kube-controller-manager',
          kubernetesModuleDir,
          'k8s.io/kubernetes/cmd/kube-controller-manager',
          ldflags,
        ],
        ['kubectl', kubernetesModuleDir, 'k8s.io/kubernetes/cmd/kubectl', ldflags],
        ['etcd', etcdModuleDir, 'go.etcd.io/etcd/server/v3', etcdLdflags],
      ] as const) {
        log(`building ${name}...`);
        const seconds = await goBuild(moduleDir, pkg, join(into, name), flags);
        log(`built ${name} in ${seconds.toFixed(0)}s`);
      }
    },
  );
  return binaries;
}

/** Builds helm once (serialised across processes) and returns its path. */
export async function ensureHelm(): Promise<string> {
  const { helmVersion, binDir } = helmBuild();
  const helm = join(binDir, 'helm');
  await buildOnce(
    binDir,
    `helm ${helmVersion}`,
    () => isExecutable(helm),
    () => verifyHelm(helm, helmVersion),
    async (into) => {
      log('building helm...');
      const seconds = await goBuild(
        helmModuleDir,
        'helm.sh/helm/v3/cmd/helm',
        join(into, 'helm'),
        helmLdflags(helmVersion),
      );
      log(`built helm in ${seconds.toFixed(0)}s`);
    },
  );
  return helm;
}

export type Availability = { available: true; cached: boolean } | { available: false; reason: string };

/** Whether the binaries can be had: already cached, or buildable because Go is installed. */
export async function controlPlaneAvailability(): Promise<Availability> {
  const { binDir, kubernetesVersion } = controlPlaneBuild();
  const binaries = binariesIn(binDir, kubernetesVersion);
  const helm = join(helmBuild().binDir, 'helm');
  const cached = (
    await Promise.all(
      [binaries.kubeApiserver, binaries.kubeControllerManager, binaries.etcd, binaries.kubectl, helm].map(
        isExecutable,
      ),
    )
  ).every(Boolean);
  if (cached) return { available: true, cached };
  if (await goVersion()) return { available: true, cached };
  return {
    available: false,
    reason: `the Go toolchain (\`go\` on PATH) is needed to build kube-apiserver, kube-controller-manager, etcd, kubectl and helm into ${cacheRoot()}`,
  };
}
