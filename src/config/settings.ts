// Maps the configuration file's shape onto the settings each part of the application takes.
import { hostname } from 'node:os';
import type { HealthCheckSettings } from '../application/health-checker.ts';
import type { InstallationLimitSettings } from '../application/installation-limits.ts';
import type { LeaderElectionSettings } from '../application/leader-election.ts';
import type { ReconcilerSettings } from '../application/reconciler/reconciler.ts';
import type { ExposureWatchSettings } from '../application/watch/exposure-watch.ts';
import type { FirewallSettings } from '../domain/desired-firewall.ts';
import type { SpecRules } from '../domain/exposure-spec.ts';
import type { EdgeLimits } from '../edge/edge-limits.ts';
import type { StreamLimits } from '../edge/watch/stream-registry.ts';
import type { Config } from './schema.ts';

export function firewallSettings(config: Config): FirewallSettings {
  return {
    clusterId: config.cluster.id,
    project: config.gce.project,
    network: config.gce.network,
    priority: config.firewall.priority,
    targets:
      config.firewall.targetTags.length > 0
        ? { targetTags: config.firewall.targetTags }
        : { targetServiceAccounts: config.firewall.targetServiceAccounts },
  };
}

export function specRules(config: Config): SpecRules {
  return {
    nodePortRange: config.cluster.nodePortRange,
    sourceRanges: {
      allowedSupernets: config.sourceRanges.allowed,
      minPrefixLength: config.sourceRanges.minPrefixLength,
      allowPublic: config.sourceRanges.allowPublic,
    },
  };
}

export function healthCheckSettings(config: Config): HealthCheckSettings {
  return {
    timeoutMs: config.probe.timeoutMs,
    cacheTtlMs: config.probe.cacheTtlMs,
    concurrency: config.probe.concurrency,
    maxProbesPerRead: config.probe.maxProbesPerRead,
    cacheEntries: config.probe.cacheEntries,
  };
}

/** Watched exposures are probed on the probe cache's TTL, but never more than once a second. */
const MIN_WATCH_PROBE_INTERVAL_MS = 1000;

export function watchSettings(config: Config): ExposureWatchSettings {
  return { probeIntervalMs: Math.max(config.probe.cacheTtlMs, MIN_WATCH_PROBE_INTERVAL_MS) };
}

export function watchStreamLimits(config: Config): StreamLimits {
  return {
    perCaller: config.server.watchStreamsPerCaller,
    total: config.server.watchStreamsMax,
    heartbeatMs: config.server.watchHeartbeatSeconds * 1000,
    slowReaderMs: config.server.watchSlowReaderSeconds * 1000,
  };
}

export function reconcilerSettings(config: Config): ReconcilerSettings {
  return {
    firewall: firewallSettings(config),
    spec: specRules(config),
    workers: config.reconciler.workers,
    backoff: { initialMs: config.reconciler.backoffInitialMs, maxMs: config.reconciler.backoffMaxMs },
    resyncIntervalMs: config.reconciler.resyncSeconds * 1000,
    driftCheckIntervalMs: config.reconciler.driftCheckSeconds * 1000,
    needsPersonRecheckMs: Math.min(config.reconciler.backoffMaxMs, 5 * 60_000),
  };
}

export function leaderElectionSettings(
  config: Config,
  env: NodeJS.ProcessEnv = process.env,
): LeaderElectionSettings {
  const election = config.leaderElection;
  return {
    namespace: env.POD_NAMESPACE ?? election.namespace,
    name: election.leaseName ?? `exposure-api-${config.cluster.id}`,
    // Unique per process: a restarted pod must not believe it still holds its predecessor's lease.
    identity: `${env.POD_NAME ?? hostname()}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`,
    leaseDurationMs: election.leaseDurationSeconds * 1000,
    renewDeadlineMs: election.renewDeadlineSeconds * 1000,
    retryPeriodMs: election.retryPeriodSeconds * 1000,
  };
}

export function edgeLimits(config: Config): EdgeLimits {
  const { server, rateLimit } = config;
  const window = (limit: { max: number; windowSeconds: number }) => ({
    max: limit.max,
    windowMs: limit.windowSeconds * 1000,
  });
  return {
    trustProxy: server.trustProxy,
    requestTimeoutMs: server.requestTimeoutMs,
    headersTimeoutMs: server.headersTimeoutMs,
    connectionsCheckingIntervalMs: server.connectionsCheckingIntervalMs,
    keepAliveTimeoutMs: server.keepAliveTimeoutMs,
    connectionTimeoutMs: server.connectionTimeoutMs,
    maxConnectionsPerAddress: server.maxConnectionsPerAddress,
    rateLimits: {
      reads: window(rateLimit.reads),
      writes: window(rateLimit.writes),
      failedAuthentication: window(rateLimit.failedAuthentication),
    },
  };
}

/** How long a write may take to reach every replica's cache: the ledger trusts its own record until then. */
const LEDGER_PENDING_GRACE_MS = 2 * 60_000;
/** Compare-and-swap attempts against other replicas' writes before a request gives up (503). */
const LEDGER_ATTEMPTS = 10;

export function installationLimitSettings(config: Config): InstallationLimitSettings {
  return {
    limits: {
      perNamespace: config.limits.perNamespace,
      perSubject: config.limits.perSubject,
      installation: config.limits.installation,
    },
    installation: config.cluster.id,
    recountIntervalMs: config.limits.recountSeconds * 1000,
    pendingGraceMs: LEDGER_PENDING_GRACE_MS,
    maxAttempts: LEDGER_ATTEMPTS,
  };
}

/** Where the usage ledger is kept: a ConfigMap in the service's own namespace (that of its Lease). */
export function usageLedgerLocation(
  config: Config,
  env: NodeJS.ProcessEnv = process.env,
): { namespace: string; name: string } {
  return {
    namespace: env.POD_NAMESPACE ?? config.leaderElection.namespace,
    name: `exposure-api-${config.cluster.id}-usage`,
  };
}
