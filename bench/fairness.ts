// Fairness benchmark: one tenant deletes 300 exposures while GCE operations take 10 s each; during
// the drain another tenant creates one. Prints how many GCE writes went out ahead of the new
// exposure's insert (at most workers + 1 with fair queuing; a single first-in, first-out queue put
// all 300 ahead) and how long it took to be Ready.
//
// Run: npm run bench:fairness   (options: --latency-ms=10000 --backlog=300 --workers=4 --writes-per-second=5)
import { parseArgs } from 'node:util';
import { runFairnessScenario } from '../test/support/fairness-scenario.ts';
import { machineFacts, verdict } from './machine.ts';

const { values } = parseArgs({
  options: {
    'latency-ms': { type: 'string', default: '10000' },
    backlog: { type: 'string', default: '300' },
    workers: { type: 'string', default: '4' },
    'writes-per-second': { type: 'string', default: '5' },
  },
});
const options = {
  operationLatencyMs: Number(values['latency-ms']),
  backlog: Number(values.backlog),
  workers: Number(values.workers),
  writesPerSecond: Number(values['writes-per-second']),
};
const out = (line = '') => process.stdout.write(`${line}\n`);

out(
  `fairness benchmark: ${options.backlog} deletes of one tenant draining, GCE operations of ${options.operationLatencyMs / 1000} s, ${options.workers} workers, ${options.writesPerSecond} writes/s`,
);
out(machineFacts());
const result = await runFairnessScenario(options);
const met = result.writesAhead <= options.workers + 1;
out(
  `  GCE writes ahead of the other tenant's new exposure: ${result.writesAhead} (at most ${options.workers + 1})  ${verdict(met)}`,
);
out(
  `  time to Ready: ${result.secondsToReady.toFixed(1)} s, while ${result.backlogLeft} of the ${options.backlog} deletes were still to finish`,
);
