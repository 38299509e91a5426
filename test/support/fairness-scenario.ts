// One tenant deletes hundreds of exposures; while they drain, another tenant creates one. The real
// runtime (reconciler, rate limit, GCE adapter) runs over the in-memory cluster, against a Compute
// emulator whose operations take `operationLatencyMs` to finish. Answers how many GCE writes went
// out between the new exposure's creation and its rule's insert, and how long until it was Ready.
// Used by the fairness test (a short latency) and by `npm run bench:fairness` (10 s).
import { startComputeEmulator } from '@exposure-api/compute-emulator';
import { toFirewallResource } from '../../src/adapters/gce/firewall-mapping.ts';
import { parseConfig } from '../../src/config/load.ts';
import { firewallSettings } from '../../src/config/settings.ts';
import { recordFirewallRules } from '../../src/domain/desired-firewall.ts';
import { newExposureId } from '../../src/domain/exposure-id.ts';
import { readExposureRecord, serviceManifestFor } from '../../src/domain/exposure-record.ts';
import { createLogger } from '../../src/logger.ts';
import { createRuntime } from '../../src/runtime.ts';
import { InMemoryCluster } from '../../src/sandbox/in-memory-cluster.ts';
import { gceFirewallsOn } from './emulated-gce.ts';

export interface FairnessOptions {
  operationLatencyMs: number;
  /** Exposures the first tenant deletes at once. */
  backlog: number;
  workers: number;
  writesPerSecond: number;
}

export interface FairnessResult {
  /** GCE writes sent after the new exposure was created and before its rule's insert. */
  writesAhead: number;
  secondsToReady: number;
  /** The first tenant's deletes still waiting when the new exposure was created. */
  backlogLeft: number;
}

const PROJECT = 'fairness-project';

export async function runFairnessScenario(options: FairnessOptions): Promise<FairnessResult> {
  process.env.METADATA_SERVER_DETECTION = 'none';
  const emulator = await startComputeEmulator({
    operationDoneAfterMs: options.operationLatencyMs,
    firewallQuota: options.backlog + 100,
  });
  const firewalls = gceFirewallsOn(emulator, PROJECT, {
    operationTimeoutMs: options.operationLatencyMs * 3 + 10_000,
  });
  const cluster = new InMemoryCluster({ namespaces: ['tenant-a', 'tenant-b'] });
  const config = parseConfig(
    {
      server: { logLevel: 'silent' },
      cluster: { id: 'fair' },
      gce: { project: PROJECT, endpoint: emulator.url, writesPerSecond: options.writesPerSecond },
      firewall: { targetTags: ['fair-node'] },
      reconciler: { workers: options.workers, driftCheckSeconds: 3600 },
    },
    'fairness scenario',
  );
  const runtime = await createRuntime({ config, cluster, firewalls, logger: createLogger('silent') });
  const manifest = (namespace: string, name: string) =>
    serviceManifestFor({
      id: newExposureId(),
      clusterId: 'fair',
      createdBy: 'fairness',
      generation: 1,
      spec: {
        namespace,
        name,
        selector: { app: name },
        ports: [{ name: 'http', port: 80, targetPort: 80, protocol: 'TCP' }],
        externalTrafficPolicy: 'Cluster',
        sourceRanges: ['203.0.113.0/24'],
        labels: {},
      },
    });
  try {
    // The first tenant's exposures and their rules exist before the service starts; the rules are
    // put in on the wire without waiting for their operations, so that set-up takes no time.
    const backlog = [];
    for (let i = 0; i < options.backlog; i++) {
      const service = await cluster.createService(manifest('tenant-a', `bulk-${i}`));
      backlog.push(service);
      const read = readExposureRecord(service);
      if (!read.ok) throw new Error('unreadable exposure');
      for (const rule of recordFirewallRules(read.record, firewallSettings(config))) {
        const response = await fetch(`${emulator.url}/compute/v1/projects/${PROJECT}/global/firewalls`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(toFirewallResource(rule)),
        });
        if (!response.ok) throw new Error(`seeding ${rule.name}: ${response.status}`);
      }
    }
    await runtime.start();
    await until(() => runtime.index.all().every((r) => r.firewallStatus?.state === 'UpToDate'), 120_000);
    await runtime.reconciler.idle();

    // The first tenant deletes them all; the deletes start draining.
    for (const service of backlog) await cluster.deleteService(service);
    const isWrite = (r: { method: string; path: string }) =>
      r.method !== 'GET' && /\/global\/firewalls(\/[^/]+)?$/.test(r.path);
    await until(() => emulator.requests().filter(isWrite).length >= options.workers, 60_000);

    // The second tenant creates one exposure.
    emulator.clearRequests();
    const started = performance.now();
    const created = await cluster.createService(manifest('tenant-b', 'new'));
    const backlogLeft = cluster.allServices().filter((s) => s.namespace === 'tenant-a').length;
    await until(
      () => {
        const service = cluster.cachedService(created);
        const read = service && readExposureRecord(service);
        return Boolean(read?.ok && read.record.firewallStatus?.state === 'UpToDate');
      },
      options.operationLatencyMs * 10 + 60_000,
    );
    const secondsToReady = (performance.now() - started) / 1000;
    const writes = emulator.requests().filter(isWrite);
    const insertAt = writes.findIndex((r) => r.method === 'POST');
    if (insertAt < 0) throw new Error('the new exposure was Ready without an insert');
    return { writesAhead: insertAt, secondsToReady, backlogLeft };
  } finally {
    await runtime.stop();
    await firewalls.close();
    await emulator.close();
  }
}

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
