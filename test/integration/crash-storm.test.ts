// The crash storm and the fault tests on the sandbox's in-memory cluster (the real-apiserver
// variant kills a server process; see test/real-cluster/crash-storm.test.ts).
import { test } from 'node:test';
import { assertConverged, runCrashStorm } from '../support/crash-storm.ts';
import { inProcessStormTarget } from './crash-storm-in-process-target.ts';

test('kill at random points during 200+ creates and deletes: converges with nothing lost or leaked', async () => {
  const target = await inProcessStormTarget();
  try {
    const report = await runCrashStorm(target, { operations: 240, seed: 7 });
    process.stdout.write(`# crash storm (in-process): ${JSON.stringify(report)}\n`);
    assertConverged(report);
  } finally {
    await target.close();
  }
});
