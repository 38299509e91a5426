// Resync benchmark: a full resync with no drift over 10,000 firewall rules must cost list calls
// only (target ≤ 25 list calls, no per-exposure GET). The real runtime (reconciler, the GCE adapter
// on @google-cloud/compute) runs over the sandbox's in-memory cluster holding 10,000 exposures,
// against the Compute emulator in this process, whose rules were put in place beforehand. Calls
// are counted twice: on the wire (the emulator's request log) and as the adapter reports them.
// After the no-drift rounds, a few rules are deleted or edited out of band to show that a resync
// then costs the list calls plus work for the drifted exposures only.
//
// Run: npm run bench:resync   (options: --exposures=10000 --rounds=5 --drift=10)
import { parseArgs } from 'node:util';
import { startComputeEmulator } from '@exposure-api/compute-emulator';
import { createGceFirewalls } from '../src/adapters/gce/gce-firewalls.ts';
import { passThroughAuthClient } from '../src/adapters/gce/pass-through-auth.ts';
import type { UpstreamCall } from '../src/application/ports/telemetry.ts';
import { parseConfig } from '../src/config/load.ts';
import { createLogger } from '../src/logger.ts';
import { createRuntime } from '../src/runtime.ts';
import { InMemoryCluster } from '../src/sandbox/in-memory-cluster.ts';
import {
  FLEET_CLUSTER_ID,
  FLEET_NAMESPACES,
  FLEET_NODE_PORTS,
  FLEET_PROJECT,
  FLEET_TARGET_TAG,
  type FleetOptions,
  fleetManifest,
  fleetNamespace,
  fleetNode,
  fleetRules,
} from './fleet.ts';
import { inParallel, machineFacts, stats, verdict } from './machine.ts';

const { values } = parseArgs({
  options: {
    exposures: { type: 'string', default: '10000' },
    rounds: { type: 'string', default: '5' },
    drift: { type: 'string', default: '10' },
  },
});
const EXPOSURES = Number(values.exposures);
const ROUNDS = Number(values.rounds);
const DRIFT = Number(values.drift);
const TARGET_LIST_CALLS = 25;
// One rule per exposure (IPv4 source ranges only), so that 10,000 exposures are 10,000 rules.
const FLEET: FleetOptions = { dualStackEvery: 0 };

process.env.METADATA_SERVER_DETECTION = 'none';
const out = (line = '') => process.stdout.write(`${line}\n`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

out(`resync benchmark: ${EXPOSURES.toLocaleString('en')} exposures, one firewall rule each`);
out(machineFacts());

const emulator = await startComputeEmulator({ firewallQuota: EXPOSURES + 1000 });
const calls: UpstreamCall[] = [];
const firewalls = createGceFirewalls({
  project: FLEET_PROJECT,
  apiEndpoint: '127.0.0.1',
  port: emulator.port,
  protocol: 'http',
  authClient: passThroughAuthClient(),
  recorder: { record: (call) => calls.push(call) },
});
const cluster = new InMemoryCluster({
  namespaces: Array.from({ length: FLEET_NAMESPACES }, (_, i) => fleetNamespace(i)),
  nodePortRange: FLEET_NODE_PORTS,
});
// Installation defaults (4 reconciler workers, 600 s between periodic resyncs, pages of 500)
// except the fleet's cluster id, node-port range and firewall targets.
const config = parseConfig(
  {
    server: { logLevel: 'silent' },
    cluster: { id: FLEET_CLUSTER_ID, nodePortRange: FLEET_NODE_PORTS },
    gce: { project: FLEET_PROJECT, endpoint: emulator.url, writesPerSecond: 100 },
    firewall: { targetTags: [FLEET_TARGET_TAG] },
  },
  'resync benchmark configuration',
);
const runtime = await createRuntime({ config, cluster, firewalls, logger: createLogger('silent') });

try {
  // The rules exist before the service starts (as after a restart), put in through another client
  // without the service's write limit, so that the set-up takes seconds, not minutes.
  let started = performance.now();
  const seeder = createGceFirewalls({
    project: FLEET_PROJECT,
    apiEndpoint: '127.0.0.1',
    port: emulator.port,
    protocol: 'http',
    authClient: passThroughAuthClient(),
  });
  const rules = Array.from({ length: EXPOSURES }, (_, i) => fleetRules(i, FLEET)).flat();
  await inParallel(rules, 64, (rule) => seeder.insert(rule));
  await seeder.close();
  out(
    `${rules.length.toLocaleString('en')} rules put in the emulator in ${seconds(performance.now() - started)}`,
  );

  started = performance.now();
  for (let n = 0; n < 3; n++) cluster.setNode(fleetNode(n));
  for (let i = 0; i < EXPOSURES; i++) await cluster.createService(fleetManifest(i, FLEET));
  emulator.clearRequests();
  calls.length = 0;
  await runtime.start();
  // The start-up pass reads every exposure's rules once (by design: per-exposure reads at start,
  // list-based resyncs after) and records each exposure's firewall status.
  for (;;) {
    const records = runtime.index.all();
    if (
      records.length === EXPOSURES &&
      records.every((record) => record.firewallStatus?.state === 'UpToDate')
    )
      break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await runtime.reconciler.idle();
  const startup = countCalls();
  out(
    `start-up pass over ${EXPOSURES.toLocaleString('en')} exposures (not the target; per-exposure reads by design): ${seconds(performance.now() - started)}, ` +
      `${startup.wire} GCE requests (${describe(startup.byKind)})`,
  );

  out(`\nfull resync, no drift, ${ROUNDS} rounds:`);
  const walls: number[] = [];
  let allMet = true;
  for (let round = 1; round <= ROUNDS; round++) {
    emulator.clearRequests();
    calls.length = 0;
    const begun = performance.now();
    const report = await runtime.reconciler.fullResync();
    await runtime.reconciler.idle();
    const wall = performance.now() - begun;
    walls.push(wall);
    const counted = countCalls();
    const other = counted.wire - counted.lists;
    const met =
      counted.lists <= TARGET_LIST_CALLS &&
      report.listCalls === counted.lists &&
      other === 0 &&
      report.drifted === 0 &&
      report.rules === EXPOSURES;
    allMet &&= met;
    out(
      `  round ${round}: ${report.rules.toLocaleString('en')} rules, drifted ${report.drifted}, collected ${report.collected}; ` +
        `list calls ${report.listCalls} (wire ${counted.lists}, adapter ${counted.adapterLists}), other GCE calls ${other} ` +
        `(adapter: ${counted.adapterOther}); ${seconds(wall)}  ${verdict(met)}`,
    );
  }
  const wall = stats(walls);

  // Out-of-band changes: some rules deleted, some edited; the next resync repairs just those.
  let driftLine = '';
  if (DRIFT > 0) {
    const names = rules.map((rule) => rule.name);
    const deleted = names.slice(0, Math.ceil(DRIFT / 2));
    const edited = names.slice(Math.ceil(DRIFT / 2), DRIFT);
    for (const name of deleted) await firewalls.delete(name);
    for (const name of edited) await firewalls.patch(name, { sourceRanges: ['0.0.0.0/0'] });
    emulator.clearRequests();
    calls.length = 0;
    const begun = performance.now();
    const report = await runtime.reconciler.fullResync();
    await runtime.reconciler.idle();
    const ms = performance.now() - begun;
    const counted = countCalls();
    driftLine =
      `  with ${deleted.length} rules deleted and ${edited.length} edited out of band: drifted ${report.drifted}, ` +
      `list calls ${counted.lists}, other GCE calls ${counted.wire - counted.lists} (${describe(counted.byKind, true)}), ${seconds(ms)}`;
  }

  out(`\nfull resync with no drift, ${EXPOSURES.toLocaleString('en')} rules, pages of 500:`);
  out(
    `  list calls per resync: ${EXPOSURES / 500} expected, at most ${TARGET_LIST_CALLS} allowed; per-exposure GETs: 0 allowed  ${verdict(allMet)}`,
  );
  out(
    `  wall time (median of ${ROUNDS}): ${seconds(wall.median)} (min ${seconds(wall.min)}, max ${seconds(wall.max)}), ` +
      'with the emulator answering on loopback in this same process; against the real API the pages are fetched one after another, so add about one API round trip per page',
  );
  if (driftLine) out(driftLine);
} finally {
  await runtime.stop();
  await firewalls.close();
  await emulator.close();
}

/** GCE calls since the last clear: on the wire by kind, and as the adapter recorded them. */
function countCalls(): {
  wire: number;
  lists: number;
  byKind: Map<string, number>;
  adapterLists: number;
  adapterOther: number;
} {
  const byKind = new Map<string, number>();
  let lists = 0;
  const collection = `/compute/v1/projects/${FLEET_PROJECT}/global/firewalls`;
  for (const request of emulator.requests()) {
    const kind =
      request.method === 'GET' && request.path === collection
        ? 'firewalls.list'
        : request.path.startsWith(`${collection}/`)
          ? `${request.method} firewalls/{rule}`
          : `${request.method} ${request.path.replace(/\/operations\/[^/]+/, '/operations/{op}')}`;
    if (kind === 'firewalls.list') lists++;
    byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
  }
  const adapterLists = calls.filter((call) => call.operation === 'firewalls.list').length;
  return {
    wire: emulator.requests().length,
    lists,
    byKind,
    adapterLists,
    adapterOther: calls.length - adapterLists,
  };
}

function describe(byKind: Map<string, number>, all = false): string {
  const entries = [...byKind]
    .filter(([kind]) => !all || kind !== 'firewalls.list')
    .sort((a, b) => b[1] - a[1]);
  return (all ? entries : entries.slice(0, 4)).map(([kind, n]) => `${n} ${kind}`).join(', ');
}
