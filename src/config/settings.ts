// Maps the configuration file's shape onto the settings each part of the application takes.
import { hostname } from 'node:os';
import type { HealthCheckSettings } from '../application/health-checker.ts';
import type { LeaderElectionSettings } from '../application/leader-election.ts';
import type { ReconcilerSettings } from '../application/reconciler/reconciler.ts';
import type { FirewallSettings } from '../domain/desired-firewall.ts';
import type { SpecRules } from '../domain/exposure-spec.ts';
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
