// A real Kubernetes control plane for tests, in the spirit of controller-runtime's envtest:
// kube-apiserver, etcd, kubectl and helm are built once from the Go module proxy at the versions pinned
// by the wrapper modules under ./modules, cached outside the clone, and started on loopback per test file.
//
// Without a kube-controller-manager nothing creates EndpointSlices, default ServiceAccounts or finishes
// namespace deletion; tests create the objects they need themselves.
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, rmSync } from 'node:fs';
import {
  access,
  constants,
  mkdir,
  mkdtemp,
  open,
  readFile,
  rename,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

/** Directory holding `kube-apiserver`, `etcd` and `kubectl`; set by `npm test` for test processes. */
export const CONTROL_PLANE_BIN_ENV = 'EXPOSURE_API_TEST_CONTROLPLANE_BIN';
/** Path of the `helm` binary; set by `npm test` for test processes. */
export const HELM_ENV = 'EXPOSURE_API_TEST_HELM';
/** Kubernetes version of the binaries in `CONTROL_PLANE_BIN_ENV`, e.g. `v1.35.4`. */
export const KUBERNETES_VERSION_ENV = 'EXPOSURE_API_TEST_KUBERNETES_VERSION';
/** When set, the real-Kubernetes tier is skipped and its value is the reason shown for each skip. */
export const CONTROL_PLANE_SKIP_ENV = 'EXPOSURE_API_TEST_CONTROLPLANE_SKIP';

export interface ControlPlaneBinaries {
  kubeApiserver: string;
  etcd: string;
  kubectl: string;
  kubernetesVersion: string;
}

export type Identity = 'admin' | 'service';

export interface ControlPlaneOptions {
  /** Record every request at Metadata level in `auditLogPath`, so tests can count requests per user. */
  audit?: boolean;
  /** Binaries to run; by default those named by the environment, built if needed. */
  binaries?: ControlPlaneBinaries;
  /** Appended to the kube-apiserver command line (a later flag overrides an earlier one). */
  extraApiserverArgs?: readonly string[];
}

export interface CommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface KubectlOptions {
  identity?: Identity;
  /** Authenticate with this bearer token instead of one of the built-in identities. */
  token?: string;
  /** Written to kubectl's standard input, e.g. a manifest for `apply -f -`. */
  input?: string;
  /** Resolve with the result instead of rejecting when kubectl exits non-zero. */
  allowFailure?: boolean;
}

export interface ApiRequestOptions {
  identity?: Identity;
  token?: string;
  /** Serialised as JSON. */
  body?: unknown;
  headers?: Record<string, string>;
}

export interface ApiResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The parsed JSON body, or the raw text when it is not JSON. */
  body: unknown;
}

/** The fields of an `audit.k8s.io/v1` Event that tests look at. */
export interface AuditEvent {
  auditID: string;
  stage: string;
  verb: string;
  requestURI: string;
  user: { username: string; groups?: string[] };
  userAgent?: string;
  objectRef?: {
    resource?: string;
    namespace?: string;
    name?: string;
    apiGroup?: string;
    subresource?: string;
  };
  responseStatus?: { code?: number };
}

export interface ControlPlane {
  /** `https://127.0.0.1:PORT`; unchanged by `restart()`. */
  readonly url: string;
  readonly port: number;
  /** PEM bundle that verifies the apiserver's self-signed serving certificate. */
  readonly caCertPath: string;
  readonly caData: string;
  /** Static token of `admin` in `system:masters`. */
  readonly adminToken: string;
  /** Static token of the service's own identity: user `SERVICE_USER` in `SERVICE_GROUPS`, no RBAC grants. */
  readonly serviceToken: string;
  readonly kubernetesVersion: string;
  readonly binaries: ControlPlaneBinaries;
  /** Set when started with `{ audit: true }`: one JSON audit event per line. */
  readonly auditLogPath: string | undefined;
  /** Kubeconfig written at start for a built-in identity. */
  kubeconfigPath(identity: Identity): string;
  /** Writes a kubeconfig for any bearer token (e.g. a ServiceAccount token) and returns its path. */
  writeKubeconfig(options: {
    token: string;
    user?: string;
    namespace?: string;
    path?: string;
  }): Promise<string>;
  /** Runs the built kubectl against this control plane (as `admin` unless told otherwise). */
  kubectl(args: readonly string[], options?: KubectlOptions): Promise<CommandResult>;
  /** One HTTPS request to the apiserver (as `admin` unless told otherwise). */
  request(method: string, path: string, options?: ApiRequestOptions): Promise<ApiResponse>;
  /** Mints a token for an existing ServiceAccount through the TokenRequest API. */
  createServiceAccountToken(
    namespace: string,
    name: string,
    options?: { audiences?: string[]; expirationSeconds?: number },
  ): Promise<string>;
  /** Audit events logged so far (the log is written asynchronously: poll when counting). */
  auditEvents(): Promise<AuditEvent[]>;
  /**
   * Stops and starts kube-apiserver on the same port with the same tokens, keeping etcd's data.
   * Open watches are ended cleanly, or cut abruptly with `crash: true` (SIGKILL). The returned promise
   * resolves once the apiserver is ready again, `downtimeMs` after it went away.
   */
  restart(options?: { downtimeMs?: number; crash?: boolean }): Promise<void>;
  /** Stops both servers and removes the temporary directory. Idempotent. */
  stop(): Promise<void>;
}

export const SERVICE_USER = 'exposure-api';
export const SERVICE_GROUPS: readonly string[] = ['exposure-api:service'];
const ADMIN_USER = 'admin';

const modulesDir = fileURLToPath(new URL('modules/', import.meta.url));
const kubernetesModuleDir = join(modulesDir, 'kubernetes');
const etcdModuleDir = join(modulesDir, 'etcd');
const helmModuleDir = join(modulesDir, 'helm');

// GOWORK=off keeps a go.work in a parent directory from changing what is built; -mod=readonly
// guarantees the committed go.mod/go.sum are used as they are.
const goBuildFlags = ['-mod=readonly', '-trimpath', '-buildvcs=false'];
const goBuildEnv = { CGO_ENABLED: '0', GOWORK: 'off' };
const etcdLdflags = '-s -w';

const startupTimeoutMs = 90_000;
const stopTimeoutMs = 15_000;

function log(message: string): void {
  process.stderr.write(`exposure-api test control plane: ${message}\n`);
}

function cacheRoot(): string {
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

function controlPlaneBuild(): ControlPlaneBuild {
  const kubernetesVersion = requiredVersion(kubernetesModuleDir, 'k8s.io/kubernetes');
  const etcdVersion = requiredVersion(etcdModuleDir, 'go.etcd.io/etcd/server/v3');
  const hash = buildHash(
    [kubernetesLdflags(kubernetesVersion, 'BUILD_DATE'), etcdLdflags],
    [kubernetesModuleDir, etcdModuleDir],
  );
  const key = `kubernetes-${kubernetesVersion}-etcd-${etcdVersion}-${hash}`;
  return { kubernetesVersion, etcdVersion, binDir: join(cacheRoot(), key, 'bin') };
}

function helmBuild(): { helmVersion: string; binDir: string } {
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

function binariesIn(binDir: string, kubernetesVersion: string): ControlPlaneBinaries {
  return {
    kubeApiserver: join(binDir, 'kube-apiserver'),
    etcd: join(binDir, 'etcd'),
    kubectl: join(binDir, 'kubectl'),
    kubernetesVersion,
  };
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function tail(text: string, lines = 40): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

async function run(
  file: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {},
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      timeout: options.timeoutMs,
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ exitCode: code ?? (signal ? 128 : 1), stdout, stderr }));
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

async function goVersion(): Promise<string | undefined> {
  try {
    const result = await run('go', ['env', 'GOVERSION'], { timeoutMs: 60_000 });
    return result.exitCode === 0 ? result.stdout.trim() : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Runs `fn` holding an exclusive lock file, so that two test processes asking for the same build at
 * once build it only once. A lock left behind by a process that died is taken over.
 */
async function withLock<T>(lockPath: string, what: string, fn: () => Promise<T>): Promise<T> {
  await mkdir(dirname(lockPath), { recursive: true });
  let announced = false;
  for (;;) {
    try {
      const handle = await open(lockPath, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = Number.parseInt(await readFile(lockPath, 'utf8').catch(() => ''), 10);
    const age = await stat(lockPath).then(
      (s) => Date.now() - s.mtimeMs,
      () => 0,
    );
    // A pid-less lock older than a minute belongs to a process that died between creating and writing it.
    if ((Number.isInteger(owner) && !isAlive(owner)) || (!Number.isInteger(owner) && age > 60_000)) {
      await rm(lockPath, { force: true });
      continue;
    }
    if (!announced) {
      log(`waiting for process ${owner} to finish ${what} (lock ${lockPath})`);
      announced = true;
    }
    await sleep(500);
  }
  try {
    return await fn();
  } finally {
    await rm(lockPath, { force: true });
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

function kubernetesLdflags(
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

function helmLdflags(helmVersion: string): string {
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

/** Resolves when the binaries report the expected versions; rejects with what was found otherwise. */
async function verifyControlPlaneBinaries(
  binaries: ControlPlaneBinaries,
  etcdVersion: string,
): Promise<void> {
  const [apiserver, etcd, kubectl] = await Promise.all([
    run(binaries.kubeApiserver, ['--version'], { timeoutMs: 30_000 }),
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

/** Builds kube-apiserver, etcd and kubectl once (serialised across processes) and returns their paths. */
export async function ensureControlPlaneBinaries(): Promise<ControlPlaneBinaries> {
  const { kubernetesVersion, etcdVersion, binDir } = controlPlaneBuild();
  const binaries = binariesIn(binDir, kubernetesVersion);
  const all = [binaries.kubeApiserver, binaries.etcd, binaries.kubectl];
  await buildOnce(
    binDir,
    `kube-apiserver/kubectl ${kubernetesVersion} and etcd ${etcdVersion}`,
    async () => (await Promise.all(all.map(isExecutable))).every(Boolean),
    () => verifyControlPlaneBinaries(binaries, etcdVersion),
    async (into) => {
      const ldflags = kubernetesLdflags(kubernetesVersion);
      for (const [name, moduleDir, pkg, flags] of [
        ['kube-apiserver', kubernetesModuleDir, 'k8s.io/kubernetes/cmd/kube-apiserver', ldflags],
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
    await Promise.all([binaries.kubeApiserver, binaries.etcd, binaries.kubectl, helm].map(isExecutable))
  ).every(Boolean);
  if (cached) return { available: true, cached };
  if (await goVersion()) return { available: true, cached };
  return {
    available: false,
    reason: `the Go toolchain (\`go\` on PATH) is needed to build kube-apiserver, etcd, kubectl and helm into ${cacheRoot()}`,
  };
}

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

// Children and temporary directories that must not outlive this process, even when a test forgets
// stop() or the process is interrupted.
const liveChildren = new Set<ChildProcess>();
const liveDirs = new Set<string>();
let exitHooksInstalled = false;

function cleanUpNow(): void {
  for (const child of liveChildren) child.kill('SIGKILL');
  liveChildren.clear();
  for (const dir of liveDirs) rmSync(dir, { recursive: true, force: true });
  liveDirs.clear();
}

function installExitHooks(): void {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  process.on('exit', cleanUpNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      cleanUpNow();
      // Keep the default behaviour (terminate) unless someone else also handles the signal.
      if (process.listenerCount(signal) === 1) {
        process.off(signal, onSignal);
        process.kill(process.pid, signal);
      }
    };
    process.on(signal, onSignal);
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

interface Server {
  name: string;
  child: ChildProcess;
  logPath: string;
  exited: Promise<void>;
  exitStatus: string | undefined;
}

function startServer(name: string, file: string, args: readonly string[], logPath: string): Server {
  installExitHooks();
  // Output goes straight to a file: nothing flows through this process, and the log survives a crash.
  const fd = openSync(logPath, 'a');
  let child: ChildProcess;
  try {
    child = spawn(file, args, { stdio: ['ignore', fd, fd], env: { ...process.env } });
  } finally {
    closeSync(fd);
  }
  liveChildren.add(child);
  // Unref'd so that a test process that forgot stop() still exits; the exit hook then kills the child.
  child.unref();
  const server: Server = { name, child, logPath, exited: Promise.resolve(), exitStatus: undefined };
  server.exited = new Promise((resolve) => {
    const done = (status: string): void => {
      server.exitStatus ??= status;
      liveChildren.delete(child);
      resolve();
    };
    child.on('exit', (code, signal) => done(signal ? `killed by ${signal}` : `exited with code ${code}`));
    child.on('error', (error) => done(`failed to start: ${error.message}`));
  });
  return server;
}

async function stopServer(server: Server, signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
  if (server.exitStatus !== undefined) return;
  // Keep this process alive until the child is really gone.
  server.child.ref();
  server.child.kill(signal);
  const timedOut = await Promise.race([
    server.exited.then(() => false),
    sleep(stopTimeoutMs, true, { ref: false }),
  ]);
  if (timedOut) {
    server.child.kill('SIGKILL');
    await server.exited;
  }
}

async function logTail(server: Server): Promise<string> {
  const text = await readFile(server.logPath, 'utf8').catch(() => '');
  return `--- last lines of ${server.name} log (${server.logPath}) ---\n${tail(text)}`;
}

function get(
  url: string,
  options: { ca?: string; token?: string } = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const parsed = new URL(url);
    const requestFn = parsed.protocol === 'https:' ? httpsRequest : httpRequest;
    const request = requestFn(
      parsed,
      {
        method: 'GET',
        ca: options.ca,
        headers: options.token ? { authorization: `Bearer ${options.token}` } : {},
        timeout: 5_000,
        agent: false,
      },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          body += chunk;
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
        response.on('error', reject);
      },
    );
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', reject);
    request.end();
  });
}

/** Polls `check` until it returns true, failing early when one of `servers` exits. */
async function waitFor(what: string, servers: Server[], check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + startupTimeoutMs;
  let lastError = '';
  for (;;) {
    const dead = servers.find((server) => server.exitStatus !== undefined);
    if (dead) {
      throw new Error(`${dead.name} ${dead.exitStatus} while waiting for ${what}\n${await logTail(dead)}`);
    }
    try {
      if (await check()) return;
    } catch (error) {
      lastError = (error as Error).message;
    }
    if (Date.now() > deadline) {
      const tails = await Promise.all(servers.map(logTail));
      throw new Error(
        `timed out after ${startupTimeoutMs / 1000}s waiting for ${what} ${lastError}\n${tails.join('\n')}`,
      );
    }
    await sleep(100);
  }
}

function kubeconfig(options: {
  server: string;
  caData: string;
  user: string;
  token: string;
  namespace?: string;
}) {
  // JSON is valid YAML, and every kubeconfig reader (kubectl, client-go, @kubernetes/client-node) accepts it.
  return `${JSON.stringify(
    {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        {
          name: 'exposure-api-test',
          cluster: {
            server: options.server,
            'certificate-authority-data': Buffer.from(options.caData).toString('base64'),
          },
        },
      ],
      users: [{ name: options.user, user: { token: options.token } }],
      contexts: [
        {
          name: options.user,
          context: {
            cluster: 'exposure-api-test',
            user: options.user,
            namespace: options.namespace ?? 'default',
          },
        },
      ],
      'current-context': options.user,
    },
    null,
    2,
  )}\n`;
}

const auditPolicy = `apiVersion: audit.k8s.io/v1
kind: Policy
# One event per request (at ResponseComplete; watches also log ResponseStarted), without bodies.
omitStages: [RequestReceived]
rules:
  - level: Metadata
`;

/**
 * Starts etcd and kube-apiserver on free loopback ports in a fresh temporary directory and resolves
 * once `/readyz` answers and the `default` namespace exists.
 */
export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const binaries = options.binaries ?? requireAvailable(await controlPlaneTier());
  // A free port can be taken by someone else between probing and binding; try again with new ones.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(binaries, options);
    } catch (error) {
      if (attempt >= 3 || !/address already in use/.test((error as Error).message)) throw error;
    }
  }
}

function requireAvailable(
  current: { available: true; binaries: ControlPlaneBinaries } | { available: false; reason: string },
): ControlPlaneBinaries {
  if (!current.available) throw new Error(current.reason);
  return current.binaries;
}

async function startOnce(
  binaries: ControlPlaneBinaries,
  options: ControlPlaneOptions,
): Promise<ControlPlane> {
  const dir = await mkdtemp(join(tmpdir(), 'exposure-api-controlplane-'));
  liveDirs.add(dir);
  const servers: Server[] = [];
  try {
    const [etcdClientPort, etcdPeerPort, port] = await Promise.all([freePort(), freePort(), freePort()]);
    const etcdUrl = `http://127.0.0.1:${etcdClientPort}`;
    const etcdPeerUrl = `http://127.0.0.1:${etcdPeerPort}`;
    const etcd = startServer(
      'etcd',
      binaries.etcd,
      [
        '--name=test',
        `--data-dir=${join(dir, 'etcd')}`,
        `--listen-client-urls=${etcdUrl}`,
        `--advertise-client-urls=${etcdUrl}`,
        `--listen-peer-urls=${etcdPeerUrl}`,
        `--initial-advertise-peer-urls=${etcdPeerUrl}`,
        `--initial-cluster=test=${etcdPeerUrl}`,
        // Test data is disposable; skipping fsync makes every write much faster.
        '--unsafe-no-fsync',
        '--log-level=warn',
      ],
      join(dir, 'etcd.log'),
    );
    servers.push(etcd);
    await waitFor('etcd health', servers, async () => {
      const response = await get(`${etcdUrl}/health`);
      return response.status === 200 && response.body.includes('"health":"true"');
    });

    const adminToken = randomBytes(24).toString('hex');
    const serviceToken = randomBytes(24).toString('hex');
    await writeFile(
      join(dir, 'tokens.csv'),
      `${adminToken},${ADMIN_USER},${ADMIN_USER},"system:masters"\n` +
        `${serviceToken},${SERVICE_USER},${SERVICE_USER},"${SERVICE_GROUPS.join(',')}"\n`,
      { mode: 0o600 },
    );
    // The signing key for ServiceAccount tokens, so the TokenRequest API works without a controller-manager.
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    await writeFile(join(dir, 'sa.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }), {
      mode: 0o600,
    });
    await writeFile(join(dir, 'sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
    const auditLogPath = options.audit ? join(dir, 'audit.log') : undefined;
    if (options.audit) await writeFile(join(dir, 'audit-policy.yaml'), auditPolicy);

    const apiserverArgs = [
      `--etcd-servers=${etcdUrl}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${port}`,
      // With no certificate given, kube-apiserver writes a self-signed CA and serving certificate here
      // (for the advertise address); they are reused by restart().
      `--cert-dir=${join(dir, 'certs')}`,
      `--token-auth-file=${join(dir, 'tokens.csv')}`,
      '--authorization-mode=RBAC',
      '--service-cluster-ip-range=10.96.0.0/16',
      '--service-node-port-range=30000-32767',
      '--allow-privileged=true',
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${join(dir, 'sa.pub')}`,
      `--service-account-signing-key-file=${join(dir, 'sa.key')}`,
      '--profiling=false',
      // On SIGTERM, end open watches at once instead of waiting for the 60s server shutdown timeout,
      // so stop() and restart() are quick even while informers are connected.
      '--shutdown-watch-termination-grace-period=2s',
      ...(auditLogPath
        ? [`--audit-policy-file=${join(dir, 'audit-policy.yaml')}`, `--audit-log-path=${auditLogPath}`]
        : []),
      ...(options.extraApiserverArgs ?? []),
    ];
    const apiserverLogPath = join(dir, 'kube-apiserver.log');
    const url = `https://127.0.0.1:${port}`;
    const caCertPath = join(dir, 'certs', 'apiserver.crt');
    let caData = '';

    const startApiserver = async (): Promise<Server> => {
      const apiserver = startServer(
        'kube-apiserver',
        binaries.kubeApiserver,
        apiserverArgs,
        apiserverLogPath,
      );
      servers.push(apiserver);
      const watched = [etcd, apiserver];
      await waitFor('the serving certificate', watched, async () => existsSync(caCertPath));
      caData = await readFile(caCertPath, 'utf8');
      await waitFor('kube-apiserver /readyz', watched, async () => {
        return (await get(`${url}/readyz`, { ca: caData, token: adminToken })).status === 200;
      });
      // The system namespaces are created by a start-up loop that /readyz does not wait for.
      await waitFor('the default namespace', watched, async () => {
        return (
          (await get(`${url}/api/v1/namespaces/default`, { ca: caData, token: adminToken })).status === 200
        );
      });
      return apiserver;
    };
    let apiserver = await startApiserver();

    const kubeconfigs: Record<Identity, string> = {
      admin: join(dir, 'admin.kubeconfig'),
      service: join(dir, 'service.kubeconfig'),
    };
    const tokens: Record<Identity, string> = { admin: adminToken, service: serviceToken };
    await writeFile(
      kubeconfigs.admin,
      kubeconfig({ server: url, caData, user: ADMIN_USER, token: adminToken }),
    );
    await writeFile(
      kubeconfigs.service,
      kubeconfig({ server: url, caData, user: SERVICE_USER, token: serviceToken }),
    );
    let extraKubeconfigs = 0;
    let stopped: Promise<void> | undefined;

    const controlPlane: ControlPlane = {
      url,
      port,
      caCertPath,
      get caData() {
        return caData;
      },
      adminToken,
      serviceToken,
      kubernetesVersion: binaries.kubernetesVersion,
      binaries,
      auditLogPath,
      kubeconfigPath: (identity) => kubeconfigs[identity],
      async writeKubeconfig({ token, user = 'user', namespace, path }) {
        const target = path ?? join(dir, `kubeconfig-${++extraKubeconfigs}`);
        await writeFile(target, kubeconfig({ server: url, caData, user, token, namespace }), { mode: 0o600 });
        return target;
      },
      async kubectl(args, kubectlOptions = {}) {
        const config = kubectlOptions.token
          ? await controlPlane.writeKubeconfig({ token: kubectlOptions.token })
          : kubeconfigs[kubectlOptions.identity ?? 'admin'];
        const result = await run(binaries.kubectl, [`--kubeconfig=${config}`, ...args], {
          input: kubectlOptions.input,
          timeoutMs: 60_000,
          // Keeps kubectl's discovery cache out of the user's home.
          env: { ...process.env, KUBECONFIG: config, KUBECACHEDIR: join(dir, 'kubectl-cache') },
        });
        if (result.exitCode !== 0 && !kubectlOptions.allowFailure) {
          throw new Error(
            `kubectl ${args.join(' ')} exited with ${result.exitCode}: ${result.stderr.trim()}`,
          );
        }
        return result;
      },
      request: (method, path, requestOptions = {}) =>
        apiRequest(url, caData, method, path, {
          ...requestOptions,
          token: requestOptions.token ?? tokens[requestOptions.identity ?? 'admin'],
        }),
      async createServiceAccountToken(namespace, name, tokenOptions = {}) {
        const response = await controlPlane.request(
          'POST',
          `/api/v1/namespaces/${encodeURIComponent(namespace)}/serviceaccounts/${encodeURIComponent(name)}/token`,
          {
            body: {
              apiVersion: 'authentication.k8s.io/v1',
              kind: 'TokenRequest',
              spec: {
                audiences: tokenOptions.audiences ?? null,
                expirationSeconds: tokenOptions.expirationSeconds ?? 3600,
              },
            },
          },
        );
        const token = (response.body as { status?: { token?: string } } | undefined)?.status?.token;
        if (response.status !== 201 || !token) {
          throw new Error(
            `TokenRequest for ${namespace}/${name} failed: ${response.status} ${JSON.stringify(response.body)}`,
          );
        }
        return token;
      },
      async auditEvents() {
        if (!auditLogPath) throw new Error('the control plane was started without { audit: true }');
        const text = await readFile(auditLogPath, 'utf8').catch(() => '');
        return text
          .split('\n')
          .filter((line) => line.trim() !== '')
          .map((line) => JSON.parse(line) as AuditEvent);
      },
      async restart(restartOptions = {}) {
        if (stopped) throw new Error('the control plane was stopped');
        await stopServer(apiserver, restartOptions.crash ? 'SIGKILL' : 'SIGTERM');
        servers.splice(servers.indexOf(apiserver), 1);
        if (restartOptions.downtimeMs) await sleep(restartOptions.downtimeMs);
        apiserver = await startApiserver();
      },
      stop() {
        stopped ??= (async () => {
          // The apiserver first, so it does not log errors about etcd going away.
          await stopServer(apiserver);
          await stopServer(etcd);
          await rm(dir, { recursive: true, force: true });
          liveDirs.delete(dir);
        })();
        return stopped;
      },
    };
    return controlPlane;
  } catch (error) {
    for (const server of [...servers].reverse()) await stopServer(server);
    await rm(dir, { recursive: true, force: true });
    liveDirs.delete(dir);
    throw error;
  }
}

function apiRequest(
  baseUrl: string,
  ca: string,
  method: string,
  path: string,
  options: ApiRequestOptions,
): Promise<ApiResponse> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const request = httpsRequest(
      new URL(path, baseUrl),
      {
        method,
        ca,
        agent: false,
        headers: {
          accept: 'application/json',
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          ...(payload === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) }),
          ...options.headers,
        },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          text += chunk;
        });
        response.on('end', () => {
          let body: unknown = text;
          try {
            body = text === '' ? undefined : JSON.parse(text);
          } catch {
            // Not JSON (e.g. /readyz): keep the text.
          }
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body });
        });
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}
