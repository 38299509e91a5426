// The service on a real kube-apiserver with its audit log on, to count what requests that miss the
// caches cost the apiserver: GETs of unknown (recent) exposure ids, and creates that conflict on a
// taken node port. Shared by the bound test (lookups.test.ts) and `npm run bench:lookups`.
import { type ComputeEmulator, startComputeEmulator } from '@exposure-api/compute-emulator';
import pLimit from 'p-limit';
import { pino } from 'pino';
import type { GceFirewalls } from '../../src/adapters/gce/gce-firewalls.ts';
import { parseConfig } from '../../src/config/load.ts';
import { sha256Hex } from '../../src/edge/plugins/authentication.ts';
import { createRuntime, type Runtime } from '../../src/runtime.ts';
import { managedServiceManifest } from '../builders/service.ts';
import { gceFirewallsOn } from '../support/emulated-gce.ts';
import { eventually } from '../support/eventually.ts';
import {
  type AuditEvent,
  type ControlPlane,
  type ControlPlaneBinaries,
  grantServiceIdentity,
  kubernetesAdmin,
  SERVICE_USER,
  serviceCluster,
  startControlPlane,
} from './fixture/index.ts';

const TOKEN = 'lookup-bench-token';
export const MANAGED_HOLDER_PORT = 31001;
export const UNMANAGED_HOLDER_PORT = 31002;

export interface Measurement {
  /** HTTP statuses answered, by status. */
  statuses: Record<number, number>;
  /** Requests the service's identity made to the apiserver meanwhile, by `verb resource`. */
  calls: Record<string, number>;
  lists: number;
  total: number;
  ms: number;
}

export interface LookupHarness {
  controlPlane: ControlPlane;
  runtime: Runtime;
  /** Sends the requests, `concurrency` at a time, and counts what reached the apiserver. */
  measure(requests: (() => Promise<number>)[], concurrency: number): Promise<Measurement>;
  get(id: string): Promise<number>;
  /** A create asking for a node port that is taken. */
  createOn(nodePort: number, name: string): Promise<number>;
  stop(): Promise<void>;
}

export async function startLookupHarness(binaries?: ControlPlaneBinaries): Promise<LookupHarness> {
  const controlPlane = await startControlPlane({ audit: true, ...(binaries && { binaries }) });
  let emulator: ComputeEmulator | undefined;
  let firewalls: GceFirewalls | undefined;
  let runtime: Runtime | undefined;
  try {
    await grantServiceIdentity(controlPlane);
    const admin = kubernetesAdmin(controlPlane);
    for (const namespace of ['search', 'legacy']) await admin.createNamespace(namespace);
    // A node port held by a hand-written Service that exposure-api does not manage (nor cache).
    await admin.createUnmanagedService({
      ...managedServiceManifest('legacy', 'hand-written'),
      labels: { app: 'legacy' },
      annotations: {},
      finalizers: [],
      ports: [{ name: 'http', port: 80, targetPort: 80, nodePort: UNMANAGED_HOLDER_PORT, protocol: 'TCP' }],
    });
    emulator = await startComputeEmulator();
    firewalls = gceFirewallsOn(emulator, 'lookup-project');
    runtime = await createRuntime({
      config: parseConfig({
        cluster: { id: 'lookups' },
        gce: { project: 'lookup-project', endpoint: emulator.url },
        firewall: { targetTags: ['node'] },
        // Off, so that every create reaches the apiserver: the conflicts are what is measured.
        limits: {
          perNamespace: { exposures: 0, nodePorts: 0 },
          perSubject: { exposures: 0, nodePorts: 0 },
          installation: { firewallRules: 0 },
        },
        // Beyond a run's reach (the limiter still runs): apiserver calls are measured, not 429s.
        rateLimit: {
          reads: { max: 1_000_000, windowSeconds: 1 },
          writes: { max: 1_000_000, windowSeconds: 1 },
        },
        leaderElection: { enabled: false },
        auth: { tokens: [{ sha256: sha256Hex(TOKEN), subject: 'bench', namespaces: ['*'] }] },
      }),
      cluster: serviceCluster(controlPlane),
      firewalls,
      logger: pino({ level: 'silent' }),
    });
    await runtime.start();
  } catch (error) {
    await runtime?.stop();
    await firewalls?.close();
    await emulator?.close();
    await controlPlane.stop();
    throw error;
  }
  const started = runtime;

  const inject = async (method: 'GET' | 'POST', url: string, body?: unknown) =>
    (
      await started.app.inject({
        method,
        url,
        headers: {
          authorization: `Bearer ${TOKEN}`,
          ...(body !== undefined && { 'content-type': 'application/json' }),
        },
        ...(body !== undefined && { payload: JSON.stringify(body) }),
      })
    ).statusCode;
  const createOn = (nodePort: number, name: string) =>
    inject('POST', '/exposures', {
      namespace: 'search',
      name,
      selector: { app: name },
      ports: [{ name: 'http', port: 80, nodePort }],
      sourceRanges: ['203.0.113.0/24'],
    });

  // A node port held by an exposure: its Service is in the cache.
  const holder = await createOn(MANAGED_HOLDER_PORT, 'managed-holder');
  if (holder !== 201) throw new Error(`the managed holder was not created: ${holder}`);
  await eventually(
    () => started.index.size,
    (n) => n === 1,
    { what: 'the managed holder in the cache' },
  );

  return {
    controlPlane,
    runtime: started,
    get: (id) => inject('GET', `/exposures/${id}`),
    createOn,
    async measure(requests, concurrency) {
      const before = await settledRequests(controlPlane);
      const limit = pLimit(concurrency);
      const began = performance.now();
      const answers = await Promise.all(requests.map((send) => limit(send)));
      const ms = performance.now() - began;
      const after = await settledRequests(controlPlane);
      const made = [...after.values()].filter((event) => !before.has(event.auditID));
      const calls: Record<string, number> = {};
      for (const event of made) {
        const key = `${event.verb} ${event.objectRef?.resource ?? event.requestURI}`;
        calls[key] = (calls[key] ?? 0) + 1;
      }
      const statuses: Record<number, number> = {};
      for (const status of answers) statuses[status] = (statuses[status] ?? 0) + 1;
      return {
        statuses,
        calls,
        lists: made.filter((event) => event.verb === 'list').length,
        total: made.length,
        ms,
      };
    },
    async stop() {
      await started.stop();
      await firewalls?.close();
      await emulator?.close();
      await controlPlane.stop();
    },
  };
}

/** Requests of the service's identity (watches aside), once the audit log stops growing. */
async function settledRequests(controlPlane: ControlPlane): Promise<Map<string, AuditEvent>> {
  let previous = -1;
  for (;;) {
    const requests = new Map<string, AuditEvent>();
    for (const event of await controlPlane.auditEvents()) {
      if (event.user.username === SERVICE_USER && event.verb !== 'watch') requests.set(event.auditID, event);
    }
    if (requests.size === previous) return requests;
    previous = requests.size;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}
