// `npm start`: the service against a real cluster and the real Compute Engine API (or the
// endpoints its configuration names). The configuration file is named by EXPOSURE_API_CONFIG.
import closeWithGrace from 'close-with-grace';
import { onDemandComputeFirewalls } from './adapters/gce/on-demand-firewalls.ts';
import { loadKubeConfig } from './adapters/kubernetes/kubeconfig.ts';
import { createKubernetesAccessReviews } from './adapters/kubernetes/kubernetes-access-reviews.ts';
import { createKubernetesCluster } from './adapters/kubernetes/kubernetes-cluster.ts';
import { createKubernetesLeases } from './adapters/kubernetes/kubernetes-leases.ts';
import { PrometheusMetrics } from './adapters/metrics/prometheus-metrics.ts';
import { ConfigError, loadConfigFile } from './config/load.ts';
import type { Config } from './config/schema.ts';
import { createLogger } from './logger.ts';
import { createRuntime, type Runtime } from './runtime.ts';

function fail(message: string): never {
  process.stderr.write(`exposure-api: ${message}\n`);
  process.exit(1);
}

const configPath = process.env.EXPOSURE_API_CONFIG;
if (!configPath) {
  fail(
    'set EXPOSURE_API_CONFIG to the configuration file (see the README), or try the service without a cluster: npm run sandbox',
  );
}
let config: Config;
try {
  config = loadConfigFile(configPath);
} catch (error) {
  fail(error instanceof ConfigError ? error.message : String(error));
}
const logger = createLogger(config.server.logLevel);
let kubeConfig: ReturnType<typeof loadKubeConfig>;
try {
  kubeConfig = loadKubeConfig(config.cluster);
} catch (error) {
  fail((error as Error).message);
}

let runtime: Runtime | undefined;
const metrics = new PrometheusMetrics({
  defaultMetrics: true,
  exposureCount: () => runtime?.index.size ?? 0,
});
const cluster = createKubernetesCluster({
  kubeConfig,
  ...(config.cluster.namespaces && { namespaces: config.cluster.namespaces }),
  recorder: metrics,
  log: logger.child({ component: 'kubernetes' }),
});
// A lease call must give up well before the renew deadline, so that a hung call cannot stall the
// decision to stop leading.
const leases = createKubernetesLeases({
  kubeConfig,
  recorder: metrics,
  callTimeoutMs: Math.min(5_000, (config.leaderElection.renewDeadlineSeconds * 1000) / 2),
});
// Built when this replica is about to take the lease (or first calls GCE, which only the leader
// does): a follower never loads the Compute client library.
const firewalls = onDemandComputeFirewalls(config, metrics, () =>
  logger.info('about to lead: loading the Compute Engine clients'),
);
// TokenReview and SubjectAccessReview, only when ServiceAccount tokens or Kubernetes authorization are configured.
const accessReviews =
  config.auth.serviceAccounts.enabled || config.authorization.mode === 'kubernetes'
    ? createKubernetesAccessReviews({ kubeConfig, recorder: metrics })
    : undefined;
runtime = await createRuntime({
  config,
  cluster,
  firewalls,
  leases,
  logger,
  metrics,
  ...(accessReviews && { accessReviews }),
  prepareToLead: () => firewalls.open(),
  onLeadershipLost: () => void exitAfterLosingLeadership(),
});

// Listen first, so that liveness answers while the caches fill; readiness waits for them.
await runtime.app.listen({ host: config.server.host, port: config.server.port });
const started = runtime;
const GRACE_MS = 25_000;
async function shutdown(): Promise<void> {
  await started.stop();
  await firewalls.close();
  await leases.close();
  await accessReviews?.close();
}
const graceful = closeWithGrace({ delay: GRACE_MS, logger }, async ({ signal, err }) => {
  if (err) logger.error({ err }, 'stopping after an error');
  else logger.info({ signal }, 'stopping: finishing in-flight requests, then releasing the lease');
  await shutdown();
});

/**
 * A replica that lost the lease stops as it would on SIGTERM, then exits with a failure code so
 * that its container restarts: as a follower, without the Compute clients the leader had loaded.
 */
async function exitAfterLosingLeadership(): Promise<void> {
  graceful.uninstall();
  logger.warn('lost the leadership: finishing in-flight requests, then exiting to restart as a follower');
  setTimeout(() => process.exit(1), GRACE_MS).unref();
  try {
    await shutdown();
  } catch (err) {
    logger.error({ err }, 'stopping after losing the leadership failed');
  }
  process.exit(1);
}
await runtime.start();
logger.info({ clusterId: config.cluster.id, project: config.gce.project }, 'caches synced; serving');
