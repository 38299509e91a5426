// Fair GCE work: while one tenant's 300 deletes drain through the reconciler, another tenant's new
// exposure waits behind at most `workers + 1` GCE writes (a single first-in, first-out queue put
// it behind all 300). Run with short GCE operations to keep the test quick; `npm run
// bench:fairness` runs the same scenario with 10 s operations.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runFairnessScenario } from '../support/fairness-scenario.ts';

describe('fair queuing across namespaces', () => {
  test("another tenant's new exposure has at most workers + 1 GCE writes ahead of it", async () => {
    const workers = 4;
    const result = await runFairnessScenario({
      operationLatencyMs: 300,
      backlog: 300,
      workers,
      writesPerSecond: 5,
    });
    process.stdout.write(
      `# ${result.writesAhead} GCE writes ahead of the new exposure (at most ${workers + 1}); Ready after ${result.secondsToReady.toFixed(2)} s while ${result.backlogLeft} deletes of the other tenant were still to finish\n`,
    );
    assert.ok(result.backlogLeft > 250, `the backlog was still there (${result.backlogLeft})`);
    assert.ok(result.writesAhead <= workers + 1, `${result.writesAhead} writes ahead`);
    // One free worker and its own two calls: about two operations, far from the 60 s of draining 300.
    assert.ok(result.secondsToReady < 5, `Ready after ${result.secondsToReady} s`);
  });
});
