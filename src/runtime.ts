// The composition root: wires the application to its adapters and the HTTP edge. The server
// (a real cluster) and the sandbox (an in-memory one) differ only in the adapters they pass in.
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import { PrometheusMetrics } from './adapters/metrics/prometheus-metrics.ts';
import { NetworkProber } from './adapters/prober/network-prober.ts';
import { CacheFreshness } from './application/cache-freshness.ts';
import { ExposureIndex } from './application/exposure-index.ts';
import { ExposureLookups } from './application/exposure-lookups.ts';
import { ExposureService } from './application/exposure-service.ts';
import { ExposureViews } from './application/exposure-views.ts';
import { HealthChecker } from './application/health-checker.ts';
import { InstallationLimits } from './application/installation-limits.ts';
import { LeaderElector } from './application/leader-election.ts';
import { LeaderGuardedFirewalls } from './application/leader-guarded-firewalls.ts';
import type { AccessReviews } from './application/ports/access-reviews.ts';
import { type Clock, systemClock } from './application/ports/clock.ts';
import type { Cluster } from './application/ports/cluster.ts';
import type { Firewalls } from './application/ports/firewalls.ts';
import type { Leases } from './application/ports/leases.ts';
import type { Prober } from './application/ports/prober.ts';
import { RateLimitedFirewalls } from './application/rate-limited-firewalls.ts';
import { ReachabilityTracker } from './application/reachability-tracker.ts';
import { Reconciler } from './application/reconciler/reconciler.ts';
import { SweepRecords } from './application/sweep-records.ts';
import { ExposureWatch } from './application/watch/exposure-watch.ts';
import type { Config } from './config/schema.ts';
import {
  edgeLimits,
  firewallSettings,
  healthCheckSettings,
  installationLimitSettings,
  leaderElectionSettings,
  reconcilerSettings,
  specRules,
  usageLedgerLocation,
  watchSettings,
  watchStreamLimits,
} from './config/settings.ts';
import { usageOfSpec } from './domain/usage.ts';
import { buildApp } from './edge/app.ts';
import { createIdentity, type Identity } from './runtime-identity.ts';

export interface RuntimeInputs {
  config: Config;
  cluster: Cluster;
  firewalls: Firewalls;
  logger: Logger;
  metrics?: PrometheusMetrics;
  prober?: Prober;
  clock?: Clock;
  /** With Leases, replicas elect the one that writes to GCE; without, this replica always does. */
  leases?: Leases;
  extraRoutes?: readonly FastifyPluginAsync[];
  /** TokenReview and SubjectAccessReview, for ServiceAccount tokens and Kubernetes authorization. */
  accessReviews?: AccessReviews;
  /** Fetch for OIDC discovery and JWKS (tests count the calls). */
  identityFetch?: typeof fetch;
  /** Authentication and authorization built beforehand (createIdentity), e.g. to share with extra routes. */
  identity?: Identity;
  /**
   * Called once when this replica, having led (its GCE writes stopped since), sees another replica
   * holding the lease. The server exits then (after finishing in-flight requests), so that it
   * restarts as a follower that holds nothing a follower does not need. A leader that only could
   * not renew for a while (the apiserver restarting) and takes the lease back goes on.
   */
  onLeadershipLost?: () => void;
  /**
   * Loads what only a leader needs (the Compute clients), when this replica is about to take the
   * lease: loading blocks for a while, which must not count against a running renew deadline.
   */
  prepareToLead?: () => Promise<void>;
}

export interface Runtime {
  app: FastifyInstance;
  exposures: ExposureService;
  watch: ExposureWatch;
  index: ExposureIndex;
  reconciler: Reconciler;
  elector: LeaderElector | undefined;
  /** The installation's own limits and the usage ledger behind them. */
  limits: InstallationLimits;
  metrics: PrometheusMetrics;
  /** Authentication and authorization (their caches and the gates in front of the cluster). */
  identity: Identity;
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
  metrics.trackCapacity(() => heldCapacity(index));
  const freshness = new CacheFreshness(cluster, clock, config.cluster.staleAfterSeconds);
  metrics.trackWatchBroken(() => freshness.watchBrokenSeconds());
  const lookups = new ExposureLookups(cluster);
  const limits = new InstallationLimits({
    ledger: cluster.usageLedger(usageLedgerLocation(config)),
    index,
    clock,
    log: logger.child({ component: 'limits' }),
    settings: installationLimitSettings(config),
  });
  const health = new HealthChecker(
    inputs.prober ?? new NetworkProber(),
    clock,
    healthCheckSettings(config),
    metrics,
  );
  // The last drift sweep: recorded by the leader, published on its Lease, read by every replica.
  const sweeps = new SweepRecords();
  const views = new ExposureViews(
    cluster,
    health,
    { firewall: firewallSettings(config), probeAddressType: config.probe.addressType },
    clock,
    new ReachabilityTracker(),
    sweeps,
  );
  let elector: LeaderElector | undefined;
  let stopping = false;
  const isLeader = () => elector?.isLeader() ?? true;
  const reconciler = new Reconciler({
    cluster,
    // The leadership check sits inside the rate limit: a write that waited its turn is checked again.
    firewalls: new RateLimitedFirewalls(
      new LeaderGuardedFirewalls(firewalls, isLeader),
      config.gce.writesPerSecond,
    ),
    clock,
    settings: reconcilerSettings(config),
    log: logger.child({ component: 'reconciler' }),
    observer: metrics,
    sweeps,
  });
  if (inputs.leases && config.leaderElection.enabled) {
    elector = new LeaderElector(
      inputs.leases,
      clock,
      leaderElectionSettings(config),
      {
        ...(inputs.prepareToLead && { prepareToLead: inputs.prepareToLead }),
        onStartedLeading: () => {
          metrics.setLeader(true);
          reconciler.start();
          limits.startRecounting();
        },
        onStoppedLeading: async () => {
          metrics.setLeader(false);
          limits.stopRecounting();
          await reconciler.stop();
        },
        onSucceeded: () => {
          if (!stopping) inputs.onLeadershipLost?.();
        },
        leaseAnnotations: () => sweeps.leaseAnnotations(),
        onLeaseObserved: (annotations) => sweeps.observeLease(annotations),
      },
      logger.child({ component: 'leader-election' }),
    );
  }
  const identity =
    inputs.identity ??
    createIdentity(config, {
      accessReviews: inputs.accessReviews ?? cluster.accessReviews?.(),
      ...(inputs.identityFetch && { fetch: inputs.identityFetch }),
    });
  const exposures = new ExposureService({
    cluster,
    index,
    views,
    settings: {
      clusterId: config.cluster.id,
      spec: specRules(config),
      ...(config.cluster.namespaces && { namespaces: config.cluster.namespaces }),
    },
    clock,
    reconcile: reconciler,
    lookups,
    limits,
    freshness,
    authorizer: identity.authorizer,
  });
  const watch = new ExposureWatch({
    exposures,
    index,
    views,
    cluster,
    settings: watchSettings(config),
    log: logger.child({ component: 'watch' }),
  });
  const app = await buildApp({
    exposures,
    watch,
    watchStreams: watchStreamLimits(config),
    authentication: identity,
    metrics,
    readiness: [{ name: 'kubernetesCaches', ready: () => cluster.synced() }],
    deleteWaitSeconds: config.server.deleteWaitSeconds,
    bodyLimitBytes: config.server.bodyLimitBytes,
    limits: edgeLimits(config),
    logger,
    tls: config.server.tls,
    ...(inputs.extraRoutes && { extraRoutes: inputs.extraRoutes }),
  });
  return {
    app,
    exposures,
    watch,
    index,
    reconciler,
    elector,
    limits,
    metrics,
    identity,
    async start() {
      await cluster.start();
      index.start();
      lookups.start();
      watch.start();
      if (elector) {
        elector.start();
      } else {
        reconciler.start();
        limits.startRecounting();
        metrics.setLeader(true);
      }
    },
    async stop() {
      stopping = true;
      // Closing the app ends the watch streams first (see the watch route), then the watch stops.
      await app.close();
      watch.stop();
      // Stops the reconciler first, then releases the lease so another replica takes over at once.
      if (elector) await elector.stop();
      else await reconciler.stop();
      limits.stopRecounting();
      lookups.stop();
      index.stop();
      await cluster.stop();
    },
  };
}

/** What the installation's exposures hold: node ports of their Services, and one rule per IP family. */
function heldCapacity(index: ExposureIndex): { nodePorts: number; firewallRules: number } {
  let nodePorts = 0;
  let firewallRules = 0;
  for (const record of index.all()) {
    nodePorts += record.service.ports.length;
    firewallRules += usageOfSpec(record.spec).firewallRules;
  }
  return { nodePorts, firewallRules };
}
