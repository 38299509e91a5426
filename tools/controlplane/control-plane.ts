// A real Kubernetes control plane, in the spirit of controller-runtime's envtest: etcd and
// kube-apiserver from the binaries built by ./binaries.ts, started on loopback in a temporary folder,
// with static-token identities, kubeconfigs, kubectl and raw API requests at hand.
//
// kube-controller-manager runs only when a test asks for controllers, and then only those: without
// it nothing creates EndpointSlices, default ServiceAccounts, computes ResourceQuota usage or
// finishes namespace deletion; tests create the objects they need themselves.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type AuditEvent, auditPolicy, readAuditEvents } from './audit.ts';
import type { ControlPlaneBinaries } from './build-recipe.ts';
import { type CommandResult, run } from './command.ts';
import { type ApiRequestOptions, type ApiResponse, apiRequest, get } from './http.ts';
import { kubeconfig } from './kubeconfig.ts';
import {
  freePort,
  type Server,
  startServer,
  stopServer,
  trackTemporaryDir,
  untrackTemporaryDir,
  waitFor,
} from './server-process.ts';

export type Identity = 'admin' | 'service';

export interface ControlPlaneOptions {
  /** Record every request at Metadata level in `auditLogPath`, so tests can count requests per user. */
  audit?: boolean;
  /** Binaries to run; by default those named by the environment, built if needed. */
  binaries?: ControlPlaneBinaries;
  /** Appended to the kube-apiserver command line (a later flag overrides an earlier one). */
  extraApiserverArgs?: readonly string[];
  /** The apiserver's `--service-node-port-range`; 30000-32767 (Kubernetes' default) unless given. */
  nodePortRange?: { min: number; max: number };
  /**
   * Runs kube-controller-manager with exactly these controllers (`--controllers`), e.g.
   * `['resourcequota']` so that ResourceQuotas get their usage computed and enforced. None by default.
   */
  controllers?: readonly string[];
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

/**
 * Starts etcd and kube-apiserver from `binaries` on free loopback ports in a fresh temporary
 * directory and resolves once `/readyz` answers and the `default` namespace exists. Tests call
 * `startControlPlane` (./tier.ts), which picks the binaries.
 */
export async function launchControlPlane(
  binaries: ControlPlaneBinaries,
  options: ControlPlaneOptions = {},
): Promise<ControlPlane> {
  // A free port can be taken by someone else between probing and binding; try again with new ones.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(binaries, options);
    } catch (error) {
      if (attempt >= 3 || !/address already in use/.test((error as Error).message)) throw error;
    }
  }
}

async function startOnce(
  binaries: ControlPlaneBinaries,
  options: ControlPlaneOptions,
): Promise<ControlPlane> {
  const dir = await mkdtemp(join(tmpdir(), 'exposure-api-controlplane-'));
  trackTemporaryDir(dir);
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
      `--service-node-port-range=${options.nodePortRange ? `${options.nodePortRange.min}-${options.nodePortRange.max}` : '30000-32767'}`,
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
    const controllerManager =
      options.controllers && options.controllers.length > 0
        ? await startControllerManager(binaries, options.controllers, dir, kubeconfigs.admin, servers)
        : undefined;

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
        return readAuditEvents(auditLogPath);
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
          // Clients first, then the apiserver, so that neither logs errors about the other going away.
          if (controllerManager) await stopServer(controllerManager);
          await stopServer(apiserver);
          await stopServer(etcd);
          await rm(dir, { recursive: true, force: true });
          untrackTemporaryDir(dir);
        })();
        return stopped;
      },
    };
    return controlPlane;
  } catch (error) {
    for (const server of [...servers].reverse()) await stopServer(server);
    await rm(dir, { recursive: true, force: true });
    untrackTemporaryDir(dir);
    throw error;
  }
}

/**
 * kube-controller-manager with only the given controllers, as the admin (no per-controller
 * ServiceAccounts, no leader election, no serving port), resolved once its controllers started.
 */
async function startControllerManager(
  binaries: ControlPlaneBinaries,
  controllers: readonly string[],
  dir: string,
  kubeconfigPath: string,
  servers: Server[],
): Promise<Server> {
  const logPath = join(dir, 'kube-controller-manager.log');
  const server = startServer(
    'kube-controller-manager',
    binaries.kubeControllerManager,
    [
      `--kubeconfig=${kubeconfigPath}`,
      `--controllers=${controllers.join(',')}`,
      '--use-service-account-credentials=false',
      '--leader-elect=false',
      '--secure-port=0',
      // Replenishment after a delete is event-driven; the periodic full recount is shortened only so
      // that a test never waits minutes for one.
      '--resource-quota-sync-period=10s',
      '--v=2',
    ],
    logPath,
  );
  servers.push(server);
  await waitFor('kube-controller-manager to start its controllers', [...servers], async () => {
    const log = await readFile(logPath, 'utf8').catch(() => '');
    // Each logs `"Controller starting..." controller="<name>-controller"` (names or their short aliases).
    const started = [...log.matchAll(/"Controller starting\.\.\." controller="([^"]+)"/g)].map((m) => m[1]);
    return controllers.every((wanted) =>
      started.some((name) => name === wanted || name === `${wanted}-controller`),
    );
  });
  return server;
}
