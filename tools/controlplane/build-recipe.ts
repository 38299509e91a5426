// What is built and from what: the versions pinned by the wrapper Go modules under ./modules, the
// build flags and version stamps, and the cache folder named after them (versions plus a hash of the
// modules' go.mod/go.sum and the flags, so a change of either builds a fresh set).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ControlPlaneBinaries {
  kubeApiserver: string;
  /** Runs the controllers a test asks for (the resource quota controller, say); none by default. */
  kubeControllerManager: string;
  etcd: string;
  kubectl: string;
  kubernetesVersion: string;
}

const modulesDir = fileURLToPath(new URL('modules/', import.meta.url));
export const kubernetesModuleDir = join(modulesDir, 'kubernetes');
export const etcdModuleDir = join(modulesDir, 'etcd');
export const helmModuleDir = join(modulesDir, 'helm');

// GOWORK=off keeps a go.work in a parent directory from changing what is built; -mod=readonly
// guarantees the committed go.mod/go.sum are used as they are.
export const goBuildFlags = ['-mod=readonly', '-trimpath', '-buildvcs=false'];
export const goBuildEnv = { CGO_ENABLED: '0', GOWORK: 'off' };
export const etcdLdflags = '-s -w';

export function cacheRoot(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'exposure-api', 'controlplane');
}

/** The version a wrapper module requires of `modulePath`, read from its go.mod (the single source of truth). */
function requiredVersion(moduleDir: string, modulePath: string): string {
  const goMod = readFileSync(join(moduleDir, 'go.mod'), 'utf8');
  const escaped = modulePath.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const match = new RegExp(`^\\s*(?:require\\s+)?${escaped}\\s+(v[^\\s]+)`, 'm').exec(goMod);
  if (!match?.[1]) throw new Error(`${modulePath} is not required by ${join(moduleDir, 'go.mod')}`);
  return match[1];
}

/** Changes with the pinned modules and with the way they are built, so a stale cache is never reused. */
function buildHash(recipe: readonly string[], moduleDirs: readonly string[]): string {
  const hash = createHash('sha256').update(JSON.stringify([goBuildFlags, goBuildEnv, ...recipe]));
  for (const dir of moduleDirs) {
    for (const file of ['go.mod', 'go.sum']) hash.update(readFileSync(join(dir, file)));
  }
  return hash.digest('hex').slice(0, 12);
}

interface ControlPlaneBuild {
  kubernetesVersion: string;
  etcdVersion: string;
  binDir: string;
}

export function controlPlaneBuild(): ControlPlaneBuild {
  const kubernetesVersion = requiredVersion(kubernetesModuleDir, 'k8s.io/kubernetes');
  const etcdVersion = requiredVersion(etcdModuleDir, 'go.etcd.io/etcd/server/v3');
  const hash = buildHash(
    [kubernetesLdflags(kubernetesVersion, 'BUILD_DATE'), etcdLdflags],
    [kubernetesModuleDir, etcdModuleDir],
  );
  const key = `kubernetes-${kubernetesVersion}-etcd-${etcdVersion}-${hash}`;
  return { kubernetesVersion, etcdVersion, binDir: join(cacheRoot(), key, 'bin') };
}

export function helmBuild(): { helmVersion: string; binDir: string } {
  const helmVersion = requiredVersion(helmModuleDir, 'helm.sh/helm/v3');
  return {
    helmVersion,
    binDir: join(
      cacheRoot(),
      `helm-${helmVersion}-${buildHash([helmLdflags(helmVersion)], [helmModuleDir])}`,
      'bin',
    ),
  };
}

export function binariesIn(binDir: string, kubernetesVersion: string): ControlPlaneBinaries {
  return {
    kubeApiserver: join(binDir, 'kube-apiserver'),
    kubeControllerManager: join(binDir, 'kube-controller-manager'),
    etcd: join(binDir, 'etcd'),
    kubectl: join(binDir, 'kubectl'),
    kubernetesVersion,
  };
}

export function kubernetesLdflags(
  version: string,
  buildDate = new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
): string {
  const [major, minor] = version.replace(/^v/, '').split('.');
  const flags = ['-s', '-w'];
  // The same stamps as Kubernetes' own release build (hack/lib/version.sh), so `--version`, `/version`
  // and `kubectl version` report the real release.
  for (const pkg of ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version']) {
    flags.push(
      `-X ${pkg}.gitVersion=${version}`,
      `-X ${pkg}.gitMajor=${major}`,
      `-X ${pkg}.gitMinor=${minor}`,
      `-X ${pkg}.gitTreeState=clean`,
      // The module proxy does not say which commit a release was cut from; empty beats the placeholder.
      `-X ${pkg}.gitCommit=`,
      `-X ${pkg}.buildDate=${buildDate}`,
    );
  }
  return flags.join(' ');
}

export function helmLdflags(helmVersion: string): string {
  // Like helm's Makefile: the default Kubernetes version helm assumes for templates is one major above
  // and the same minor as the k8s.io/client-go it is built with.
  const clientGo = requiredVersion(helmModuleDir, 'k8s.io/client-go').replace(/^v/, '').split('.');
  const k8sMajor = String(Number(clientGo[0]) + 1);
  const k8sMinor = clientGo[1] ?? '0';
  return [
    '-s',
    '-w',
    `-X helm.sh/helm/v3/internal/version.version=${helmVersion}`,
    '-X helm.sh/helm/v3/internal/version.gitTreeState=clean',
    `-X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=${k8sMajor}`,
    `-X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=${k8sMinor}`,
    `-X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=${k8sMajor}`,
    `-X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=${k8sMinor}`,
  ].join(' ');
}
