// Drift sweep benchmark at design scale: 10,000 exposures with one rule each, the real runtime
// (reconciler, rate limit, the GCE adapter on @google-cloud/compute) over the sandbox's in-memory
// cluster, against the Compute emulator in this process.
//  0. Start-up: the leader's start-up pass (a list-based resync, then one pass per exposure that
//     has no status recorded yet) is waited for and reported on its own, never counted as a sweep.
//  1. No drift: list calls per sweep (target ≤ 25), GCE and Kubernetes writes (target 0), sweep
//     duration, and GCE reads per minute at the production interval (30 s).
//  2. 1 % drifted out of band (half widened to 0.0.0.0/0, half deleted): exactly those are
//     repaired, the widened ones first.
//  3. No false drift while the reconciler writes: sweeps racing 500 new exposures being created.
//
// Run: npm run bench:drift   (options: --exposures=10000 --rounds=5 --race=500)
import { loadavg } from 'node:os';
import { FLEET_PROJECT } from './fleet.ts';
import { startFleetService } from './fleet-service.ts';
import { machineFacts, numericOptions, printLine, stats, verdict } from './machine.ts';

const {
  exposures: EXPOSURES,
  rounds: ROUNDS,
  race: RACE,
} = numericOptions({ exposures: 10_000, rounds: 5, race: 500 });
const PRODUCTION_INTERVAL_SECONDS = 30;
const TARGET_LIST_CALLS = 25;

const out = printLine;
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

const loadAverage = () =>
  `load average ${loadavg()
    .map((load) => load.toFixed(2))
    .join(', ')} (1, 5, 15 min)`;

out(`drift sweep benchmark: ${EXPOSURES.toLocaleString('en')} exposures, one firewall rule each`);
out(machineFacts());
out(`${loadAverage()}: durations are wall-clock times on this machine and grow with its load`);

// Installation defaults but the fleet's cluster id and targets; the timed sweeps are run by hand,
// and no periodic resync may land among them.
const service = await startFleetService({
  firewallQuota: EXPOSURES + RACE + 1000,
  reconciler: { driftCheckSeconds: 3600, resyncSeconds: 86_400 },
  source: 'drift benchmark configuration',
});
const { emulator, firewalls, cluster, runtime, collection } = service;
// Kubernetes writes as the cluster sees them: Service changes (status writes) and events.
let serviceWrites = 0;
cluster.subscribe((event) => {
  if (event.kind === 'service') serviceWrites++;
});
const kubernetesWrites = () => serviceWrites + cluster.events().reduce((sum, e) => sum + e.count, 0);
const wire = () => {
  const requests = emulator.requests();
  const lists = requests.filter((r) => r.method === 'GET' && r.path === collection).length;
  const gets = requests.filter((r) => r.method === 'GET' && r.path.startsWith(`${collection}/`)).length;
  const writes = requests.filter((r) => r.method !== 'GET' && r.path.startsWith(collection));
  return { lists, gets, writes };
};

/** Lets the in-memory cluster deliver the change events it has queued. */
function delivered(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** `a × 3 → b × 2`: a sequence told as its runs. */
function runs(items: readonly string[]): string {
  const counted: { item: string; count: number }[] = [];
  for (const item of items) {
    const last = counted.at(-1);
    if (last?.item === item) last.count++;
    else counted.push({ item, count: 1 });
  }
  return counted.map(({ item, count }) => `${item} × ${count}`).join(' → ') || 'none';
}

try {
  const rules = await service.seedRules(EXPOSURES);
  await service.createServices(0, EXPOSURES);
  // The cache holds every Service before the leader starts, as an informer's initial list does;
  // otherwise the creations would reach the reconciler as 10,000 events, one pass each.
  await delivered();

  out('\n0. start-up (not counted as a sweep):');
  emulator.clearRequests();
  const k8sAtStart = kubernetesWrites();
  const startedAt = performance.now();
  await runtime.start();
  await runtime.reconciler.startedUp();
  await service.allUpToDate(EXPOSURES);
  const startup = wire();
  out(
    `  list-based resync, then one pass per exposure with no status recorded yet: list calls ${startup.lists}, GETs ${startup.gets}, GCE writes ${startup.writes.length}, Kubernetes writes ${kubernetesWrites() - k8sAtStart}; ${seconds(performance.now() - startedAt)}`,
  );
  out(`  ${rules.length.toLocaleString('en')} rules in place and recorded UpToDate`);

  out(`\n1. sweeps with nothing drifted, ${ROUNDS} rounds:`);
  const walls: number[] = [];
  let allMet = true;
  let listCalls = 0;
  for (let round = 1; round <= ROUNDS; round++) {
    emulator.clearRequests();
    const k8sBefore = kubernetesWrites();
    const report = await runtime.reconciler.sweepDrift();
    await runtime.reconciler.idle();
    const counted = wire();
    const k8s = kubernetesWrites() - k8sBefore;
    walls.push(report.seconds * 1000);
    listCalls = report.listCalls;
    const met =
      report.outcome === 'completed' &&
      report.listCalls <= TARGET_LIST_CALLS &&
      counted.lists === report.listCalls &&
      counted.gets === 0 &&
      counted.writes.length === 0 &&
      k8s === 0 &&
      report.rules === EXPOSURES;
    allMet &&= met;
    out(
      `  round ${round}: ${report.rules.toLocaleString('en')} rules; list calls ${report.listCalls} (wire ${counted.lists}), GETs ${counted.gets}, GCE writes ${counted.writes.length}, Kubernetes writes ${k8s}; ${seconds(report.seconds * 1000)}  ${verdict(met)}`,
    );
  }
  const wall = stats(walls);
  out(
    `  list calls per sweep: ${listCalls} (at most ${TARGET_LIST_CALLS}); GCE and Kubernetes writes: 0 required  ${verdict(allMet)}`,
  );
  out(
    `  sweep duration (median of ${ROUNDS}): ${seconds(wall.median)} (min ${seconds(wall.min)}, max ${seconds(wall.max)}), the emulator on loopback in this process`,
  );
  out(
    `  GCE reads per minute at the production interval (${PRODUCTION_INTERVAL_SECONDS} s): ${(listCalls * 60) / PRODUCTION_INTERVAL_SECONDS} list calls`,
  );

  const drifted = Math.max(2, Math.round(EXPOSURES / 100));
  out(`\n2. ${drifted} rules (1 %) drifted out of band: half widened to 0.0.0.0/0, half deleted:`);
  const names = rules.map((rule) => rule.name);
  const widened = new Set(names.filter((_, i) => i % 100 === 7).slice(0, drifted / 2));
  const deleted = new Set(names.filter((_, i) => i % 100 === 3).slice(0, drifted / 2));
  for (const name of deleted) await firewalls.delete(name);
  for (const name of widened) await firewalls.patch(name, { sourceRanges: ['0.0.0.0/0'] });
  emulator.clearRequests();
  const begun = performance.now();
  const report = await runtime.reconciler.sweepDrift();
  await runtime.reconciler.idle();
  const repairMs = performance.now() - begun;
  const counted = wire();
  const repairWrites = counted.writes.map((w) => ({ name: w.path.split('/').pop() ?? '', method: w.method }));
  const repairedNames = new Set(repairWrites.map((w) => (w.method === 'POST' ? '' : w.name)).filter(Boolean));
  const inserts = repairWrites.filter((w) => w.method === 'POST').length;
  const exactlyThose =
    report.drifted.length === drifted &&
    [...widened].every((name) => repairedNames.has(name)) &&
    inserts === deleted.size &&
    repairWrites.length === drifted;
  const lastWidened = repairWrites.findLastIndex((w) => w.method === 'PATCH');
  const firstInsert = repairWrites.findIndex((w) => w.method === 'POST');
  const widenedFirst = lastWidened < firstInsert;
  const inGce = new Map(emulator.rules(FLEET_PROJECT).map((rule) => [rule.name as string, rule]));
  const restored =
    [...deleted].every((name) => inGce.has(name)) &&
    [...widened].every(
      (name) => JSON.stringify(inGce.get(name)?.sourceRanges) === JSON.stringify(['203.0.113.0/24']),
    );
  out(
    `  reported ${report.drifted.length} (${[...new Set(report.drifted.map((d) => d.kind))].join(', ')}); GCE writes ${repairWrites.length} (${repairWrites.filter((w) => w.method === 'PATCH').length} patches, ${inserts} inserts); exactly those repaired, and all of them back as their spec says  ${verdict(exactlyThose && restored)}`,
  );
  out(`  reported in this order: ${runs(report.drifted.map((d) => d.kind))}`);
  out(
    `  repaired in this order: ${runs(repairWrites.map((w) => (w.method === 'PATCH' ? 'narrowed (PATCH)' : 're-inserted (POST)')))}`,
  );
  out(
    `  widened ones first: last widened repair is write #${lastWidened + 1}, first re-insert is write #${firstInsert + 1}  ${verdict(widenedFirst)}`,
  );
  out(`  sweep, confirmation GETs (${counted.gets}) and every repair: ${seconds(repairMs)}`);

  out(`\n3. sweeps racing ${RACE} new exposures being created:`);
  const falseDrift: string[] = [];
  let sweeps = 0;
  const creating = service.createServices(EXPOSURES, EXPOSURES + RACE);
  let settled = false;
  void creating.then(() => {
    settled = true;
  });
  while (!settled || runtime.index.all().some((r) => r.firewallStatus?.state !== 'UpToDate')) {
    const raced = await runtime.reconciler.sweepDrift();
    sweeps++;
    falseDrift.push(...raced.drifted.map((d) => `${d.rule} (${d.kind})`));
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await runtime.reconciler.idle();
  out(
    `  ${sweeps} sweeps while ${RACE} rules were created: false drift reported ${falseDrift.length}  ${verdict(falseDrift.length === 0)}`,
  );
  out(`\n${loadAverage()}`);
} finally {
  await service.stop();
}
