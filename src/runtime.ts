// The composition root: wires the application to its adapters and the HTTP edge. The server
// (a real cluster) and the sandbox (an in-memory one) differ only in the adapters they pass in.
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import { PrometheusMetrics } from './adapters/metrics/prometheus-metrics.ts';
import { NetworkProber } from './adapters/prober/network-prober.ts';
import { ExposureIndex } from './application/exposure-index.ts';
import { ExposureService } from './application/exposure-service.ts';
import { ExposureViews } from './application/exposure-views.ts';
import { HealthChecker } from './application/health-checker.ts';
import { type Clock, systemClock } from './application/ports/clock.ts';
import type { Cluster } from './application/ports/cluster.ts';
import type { Firewalls } from './application/ports/firewalls.ts';
import type { Prober } from './application/ports/prober.ts';
import { ReachabilityTracker } from './application/reachability-tracker.ts';
import { Reconciler } from './application/reconciler.ts';
import type { Config } from './config/schema.ts';
import { firewallSettings, healthCheckSettings, reconcilerSettings, specRules } from './config/settings.ts';
import { buildApp } from './edge/app.ts';
import { TokenAuthenticator } from './edge/plugins/authentication.ts';

export interface RuntimeInputs {
  config: Config;
  cluster: Cluster;
  firewalls: Firewalls;
  logger: Logger;
  metrics?: PrometheusMetrics;
  prober?: Prober;
  clock?: Clock;
  extraRoutes?: readonly FastifyPluginAsync[];
}

export interface Runtime {
  app: FastifyInstance;
  exposures: ExposureService;
  index: ExposureIndex;
  reconciler: Reconciler;
  metrics: PrometheusMetrics;
  /** Starts the caches (and waits for them), the index and the reconciler. */
  start(): Promise<void>;
  /** Stops taking requests, lets the reconciler finish its step, then stops the caches. */
  stop(): Promise<void>;
}

export async function createRuntime(inputs: RuntimeInputs): Promise<Runtime> {
  const { config, cluster, firewalls, logger } = inputs;
  const clock = inputs.clock ?? systemClock;
  const index = new ExposureIndex(cluster, config.cluster.id, logger.child({ component: 'index' }));
  const metrics =
    inputs.metrics ?? new PrometheusMetrics({ defaultMetrics: true, exposureCount: () => index.size });
  const health = new HealthChecker(
    inputs.prober ?? new NetworkProber(),
    clock,
    healthCheckSettings(config),
    metrics,
  );
  const views = new ExposureViews(
    cluster,
    health,
    { firewall: firewallSettings(config), probeAddressType: config.probe.addressType },
    clock,
    new ReachabilityTracker(),
  );
  const reconciler = new Reconciler({
    cluster,
    firewalls,
    clock,
    settings: reconcilerSettings(config),
    log: logger.child({ component: 'reconciler' }),
    observer: metrics,
  });
  const exposures = new ExposureService({
    cluster,
    index,
    views,
    settings: { clusterId: config.cluster.id, spec: specRules(config) },
    clock,
    reconcile: reconciler,
  });
  const app = await buildApp({
    exposures,
    authenticator: new TokenAuthenticator(config.auth.tokens),
    metrics,
    readiness: [{ name: 'kubernetesCaches', ready: () => cluster.synced() }],
    deleteWaitSeconds: config.server.deleteWaitSeconds,
    bodyLimitBytes: config.server.bodyLimitBytes,
    logger,
    ...(inputs.extraRoutes && { extraRoutes: inputs.extraRoutes }),
  });
  return {
    app,
    exposures,
    index,
    reconciler,
    metrics,
    async start() {
      await cluster.start();
      index.start();
      reconciler.start();
      metrics.setLeader(true);
    },
    async stop() {
      await app.close();
      await reconciler.stop();
      index.stop();
      await cluster.stop();
    },
  };
}
