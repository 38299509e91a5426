// `node dist/cli/uninstall.js --mode=delete|orphan [--timeout-seconds=N]`: what `helm uninstall`
// runs (a pre-delete hook) so that nothing is stranded.
//
// - delete (default): deletes every exposure of this installation, firewall rules first. It runs
//   the reconciler itself, so it works even when no replica of the service is running any more;
//   if one is, both do the same idempotent steps.
// - orphan: removes the finalizers, so the Services (and their firewall rules) stay and no
//   namespace ever hangs on a finalizer nobody serves. The rules are listed for later cleanup.
import { parseArgs } from 'node:util';
import { computeEndpoint } from '../adapters/gce/compute-endpoint.ts';
import { createGceFirewalls } from '../adapters/gce/gce-firewalls.ts';
import { loadKubeConfig } from '../adapters/kubernetes/kubeconfig.ts';
import { createKubernetesCluster } from '../adapters/kubernetes/kubernetes-cluster.ts';
import type { Cluster } from '../application/ports/cluster.ts';
import type { Firewalls } from '../application/ports/firewalls.ts';
import { loadConfigFile } from '../config/load.ts';
import type { Config } from '../config/schema.ts';
import { firewallSettings } from '../config/settings.ts';
import { recordFirewallRules } from '../domain/desired-firewall.ts';
import { readExposureRecord } from '../domain/exposure-record.ts';
import { gcloudDeleteCommand } from '../domain/gcloud-command.ts';
import { FIREWALL_FINALIZER } from '../domain/naming.ts';
import { createLogger } from '../logger.ts';
import { createRuntime } from '../runtime.ts';

export interface UninstallReport {
  mode: 'delete' | 'orphan';
  exposures: number;
  remaining: string[];
  orphanedRules: string[];
}

/** Deletes (or orphans) every exposure of the installation; resolves when done or at the deadline. */
export async function uninstall(options: {
  config: Config;
  cluster: Cluster;
  firewalls: Firewalls;
  mode: 'delete' | 'orphan';
  timeoutMs: number;
  log: ReturnType<typeof createLogger>;
}): Promise<UninstallReport> {
  const { config, cluster, firewalls, mode, log } = options;
  if (mode === 'orphan') return orphan(config, cluster);
  // Without Leases the runtime's reconciler runs here: deleting needs it to remove the rules.
  const runtime = await createRuntime({ config, cluster, firewalls, logger: log });
  await runtime.start();
  const records = runtime.index.all();
  const report: UninstallReport = { mode, exposures: records.length, remaining: [], orphanedRules: [] };
  try {
    for (const record of records) {
      if (!record.service.deletionTimestamp)
        await cluster.deleteService(record.service, { uid: record.service.uid });
      runtime.reconciler.enqueue(record.service);
    }
    const deadline = Date.now() + options.timeoutMs;
    while (runtime.index.size > 0 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 500));
    report.remaining = runtime.index
      .all()
      .map((record) => `${record.spec.namespace}/${record.spec.name} (${record.id})`);
  } finally {
    await runtime.stop();
  }
  return report;
}

/** Removes the finalizers only: no reconciler runs, nothing in GCE is touched. */
async function orphan(config: Config, cluster: Cluster): Promise<UninstallReport> {
  await cluster.start();
  const report: UninstallReport = { mode: 'orphan', exposures: 0, remaining: [], orphanedRules: [] };
  try {
    for (const service of [...cluster.cachedServices()]) {
      const read = readExposureRecord(service);
      if (!read.ok || read.record.clusterId !== config.cluster.id) continue;
      const record = read.record;
      await cluster.removeFinalizer(service, FIREWALL_FINALIZER);
      report.exposures++;
      const rules = recordFirewallRules(record, firewallSettings(config));
      report.orphanedRules.push(...rules.map((rule) => rule.name));
    }
  } finally {
    await cluster.stop();
  }
  return report;
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      mode: { type: 'string', default: 'delete' },
      'timeout-seconds': { type: 'string', default: '300' },
    },
  });
  const mode = values.mode;
  if (mode !== 'delete' && mode !== 'orphan') {
    process.stderr.write('uninstall: --mode must be delete or orphan\n');
    process.exit(2);
  }
  const configPath = process.env.EXPOSURE_API_CONFIG;
  if (!configPath) {
    process.stderr.write('uninstall: set EXPOSURE_API_CONFIG to the configuration file\n');
    process.exit(2);
  }
  const config = loadConfigFile(configPath);
  const log = createLogger(config.server.logLevel);
  const kubeConfig = loadKubeConfig(config.cluster);
  const cluster = createKubernetesCluster({
    kubeConfig,
    ...(config.cluster.namespaces && { namespaces: config.cluster.namespaces }),
    log: log.child({ component: 'kubernetes' }),
  });
  const firewalls = createGceFirewalls({ project: config.gce.project, ...computeEndpoint(config) });
  const report = await uninstall({
    config,
    cluster,
    firewalls,
    mode,
    timeoutMs: Number(values['timeout-seconds']) * 1000,
    log,
  });
  await firewalls.close();
  if (mode === 'orphan') {
    log.info({ ...report }, `orphaned ${report.exposures} exposures: their Services and firewall rules stay`);
    for (const rule of report.orphanedRules)
      process.stdout.write(`${gcloudDeleteCommand(rule, config.gce.project)}\n`);
  } else if (report.remaining.length > 0) {
    log.error(
      { ...report },
      `${report.remaining.length} exposures are not deleted yet; run again, or use --mode=orphan`,
    );
    process.exit(1);
  } else {
    log.info({ ...report }, `deleted ${report.exposures} exposures (firewall rules first)`);
  }
}
