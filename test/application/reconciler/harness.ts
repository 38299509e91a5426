// The reconcile function over the in-memory cluster and the GCE adapter talking to the Compute
// emulator (there is deliberately no in-memory Firewalls), with a clock the tests move by hand.
import type { Clock } from '../../../src/application/ports/clock.ts';
import type { Firewalls } from '../../../src/application/ports/firewalls.ts';
import {
  createReconcile,
  type Reconcile,
  type ReconcileSettings,
} from '../../../src/application/reconciler/reconcile.ts';
import type { ServiceRef } from '../../../src/domain/cluster-objects.ts';
import { type ExposureId, newExposureId } from '../../../src/domain/exposure-id.ts';
import type { ExposureSpec } from '../../../src/domain/exposure-spec.ts';
import { type FirewallStatusRecord, parseFirewallStatus } from '../../../src/domain/firewall-status.ts';
import { FIREWALL_STATUS_ANNOTATION, firewallRuleName } from '../../../src/domain/naming.ts';
import { InMemoryCluster } from '../../../src/sandbox/in-memory-cluster.ts';
import { exposureManifest } from '../../builders/exposure-spec.ts';
import { type EmulatedGce, emulatedGce } from '../../support/emulated-gce.ts';

export const CLUSTER_ID = 'test';

export interface Harness {
  cluster: InMemoryCluster;
  gce: EmulatedGce;
  clock: Clock & { advance(ms: number): void };
  settings: ReconcileSettings;
  /** The reconcile function under test, over these settings (or others given). */
  reconcile: Reconcile;
  reconcileWith(settings: ReconcileSettings, firewalls?: Firewalls): Reconcile;
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const cluster = new InMemoryCluster({ namespaces: ['search'] });
  await cluster.start();
  const gce = await emulatedGce();
  let now = Date.parse('2026-11-27T10:00:00Z');
  const clock = {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
  const settings: ReconcileSettings = {
    firewall: {
      clusterId: CLUSTER_ID,
      project: gce.firewalls.project,
      network: 'default',
      priority: 1000,
      targets: { targetTags: ['test-node'] },
    },
    spec: {
      nodePortRange: { min: 30000, max: 32767 },
      sourceRanges: {
        allowedSupernets: ['0.0.0.0/0', '::/0'],
        minPrefixLength: { ipv4: 8, ipv6: 32 },
        allowPublic: false,
      },
    },
    needsPersonRecheckMs: 60_000,
  };
  const quiet = { info() {}, warn() {} };
  const reconcileWith = (with_: ReconcileSettings, firewalls: Firewalls = gce.firewalls) =>
    createReconcile({ cluster, firewalls, clock, settings: with_, log: quiet });
  return {
    cluster,
    gce,
    clock,
    settings,
    reconcile: reconcileWith(settings),
    reconcileWith,
    async close() {
      await gce.close();
      await cluster.stop();
    },
  };
}

/** Lets the in-memory cluster deliver its change events, so its cache shows the last write. */
export function delivered(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export interface TestExposure {
  id: ExposureId;
  ref: ServiceRef;
  /** The name of its IPv4 rule. */
  rule: string;
}

/** Creates the Service that records an exposure, as POST /exposures does, and waits for the cache. */
export async function createExposure(
  harness: Harness,
  name: string,
  spec: Partial<ExposureSpec> = {},
): Promise<TestExposure> {
  const id = newExposureId();
  await harness.cluster.createService(exposureManifest({ name, ...spec }, { id, clusterId: CLUSTER_ID }));
  await delivered();
  return { id, ref: { namespace: 'search', name }, rule: firewallRuleName(CLUSTER_ID, id, 'IPv4') };
}

/** An exposure the reconciler has handled once (its rule in place), the cache up to date. */
export async function reconciledExposure(harness: Harness, name: string): Promise<TestExposure> {
  const exposure = await createExposure(harness, name);
  await harness.reconcile({ kind: 'service', ref: exposure.ref });
  await delivered();
  return exposure;
}

/** The firewall status the reconciler recorded on the Service (read from the API, not the cache). */
export async function statusOf(harness: Harness, ref: ServiceRef): Promise<FirewallStatusRecord | undefined> {
  const service = await harness.cluster.readService(ref);
  return parseFirewallStatus(service?.annotations[FIREWALL_STATUS_ANNOTATION]);
}

/** The reasons of the events recorded on the Service, once per occurrence (repeats are counted). */
export function eventReasons(harness: Harness, ref: ServiceRef): string[] {
  return harness.cluster
    .events()
    .filter(
      (event) => event.involvedObject.namespace === ref.namespace && event.involvedObject.name === ref.name,
    )
    .flatMap((event) => Array.from({ length: event.count }, () => event.reason));
}

/** The node port the cluster allocated to the Service's first port. */
export async function nodePortOf(harness: Harness, ref: ServiceRef): Promise<number> {
  const service = await harness.cluster.readService(ref);
  const port = service?.ports[0]?.nodePort;
  if (port === undefined) throw new Error(`${ref.namespace}/${ref.name} has no node port`);
  return port;
}
