// Resync benchmark: a full resync with no drift over 10,000 firewall rules must cost list calls
// only (target ≤ 25 list calls, no per-exposure GET). The real runtime (reconciler, the GCE adapter
// on @google-cloud/compute) runs over the sandbox's in-memory cluster holding 10,000 exposures,
// against the Compute emulator in this process, whose rules were put in place beforehand. Calls
// are counted twice: on the wire (the emulator's request log) and as the adapter reports them.
// After the no-drift rounds, a few rules are deleted or edited out of band to show that a resync
// then costs the list calls plus work for the drifted exposures only.
//
// Run: npm run bench:resync   (options: --exposures=10000 --rounds=5 --drift=10)
import { startFleetService } from './fleet-service.ts';
import { machineFacts, numericOptions, printLine, stats, verdict } from './machine.ts';

const {
  exposures: EXPOSURES,
  rounds: ROUNDS,
  drift: DRIFT,
} = numericOptions({ exposures: 10_000, rounds: 5, drift: 10 });
const TARGET_LIST_CALLS = 25;

const out = printLine;
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

out(`resync benchmark: ${EXPOSURES.toLocaleString('en')} exposures, one firewall rule each`);
out(machineFacts());

// Installation defaults (4 reconciler workers, 600 s between periodic resyncs, pages of 500)
// except the fleet's cluster id, node-port range and firewall targets.
const service = await startFleetService({
  firewallQuota: EXPOSURES + 1000,
  source: 'resync benchmark configuration',
});
const { emulator, calls, firewalls, runtime, collection } = service;

try {
  // The rules exist before the service starts (as after a restart), put in through another client
  // without the service's write limit, so that the set-up takes seconds, not minutes.
  let started = performance.now();
  const rules = await service.seedRules(EXPOSURES);
  out(
    `${rules.length.toLocaleString('en')} rules put in the emulator in ${seconds(performance.now() - started)}`,
  );

  started = performance.now();
  await service.createServices(0, EXPOSURES);
  emulator.clearRequests();
  calls.length = 0;
  await runtime.start();
  // The start-up pass reads every exposure's rules once (by design: per-exposure reads at start,
  // list-based resyncs after) and records each exposure's firewall status.
  await service.allUpToDate(EXPOSURES);
  const startup = countCalls();
  out(
    `start-up pass over ${EXPOSURES.toLocaleString('en')} exposures (not the target; per-exposure reads by design): ${seconds(performance.now() - started)}, ` +
      `${startup.wire} GCE requests (${describe(startup.byKind)})`,
  );

  out(`\nfull resync, no drift, ${ROUNDS} rounds:`);
  const walls: number[] = [];
  let allMet = true;
  for (let round = 1; round <= ROUNDS; round++) {
    const { report, ms: wall, counted } = await timedResync();
    walls.push(wall);
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
    const { report, ms, counted } = await timedResync();
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
  await service.stop();
}

/** A full resync and the reconciler's work after it: its report, wall time and GCE calls. */
async function timedResync() {
  emulator.clearRequests();
  calls.length = 0;
  const begun = performance.now();
  const report = await runtime.reconciler.fullResync();
  await runtime.reconciler.idle();
  return { report, ms: performance.now() - begun, counted: countCalls() };
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
