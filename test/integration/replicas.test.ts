// Two replicas of the service over one cluster and one GCE project: both answer the API, exactly
// one writes to GCE, and the other takes over when the leader can no longer renew its lease.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type ComputeEmulator, startComputeEmulator } from '@exposure-api/compute-emulator';
import { pino } from 'pino';
import { type OnDemandFirewalls, onDemandFirewalls } from '../../src/adapters/gce/on-demand-firewalls.ts';
import { ClusterError } from '../../src/application/ports/cluster.ts';
import type { Leases } from '../../src/application/ports/leases.ts';
import { parseConfig } from '../../src/config/load.ts';
import { sha256Hex } from '../../src/edge/plugins/authentication.ts';
import { createRuntime, type Runtime } from '../../src/runtime.ts';
import { InMemoryCluster } from '../../src/sandbox/in-memory-cluster.ts';
import { InMemoryLeases } from '../../src/sandbox/in-memory-leases.ts';
import { countingFirewalls } from '../support/counting-firewalls.ts';
import { gceFirewallsOn } from '../support/emulated-gce.ts';
import { eventually } from '../support/eventually.ts';

const TOKEN = 'replica-test-token';

describe('two replicas', () => {
  let emulator: ComputeEmulator;
  let cluster: InMemoryCluster;
  const leases = new InMemoryLeases();
  const replicas: {
    runtime: Runtime;
    writes: () => number;
    /** What this replica wrote, one line per write (for assertion messages). */
    writeLog: () => string;
    partition: (on: boolean) => void;
    gce: OnDemandFirewalls;
    /** How many times the runtime said this replica lost the leadership. */
    lost: () => number;
  }[] = [];
  const stopped = new Set<Runtime>();

  before(async () => {
    emulator = await startComputeEmulator();
    cluster = new InMemoryCluster({ namespaces: ['default', 'search'] });
    for (const _ of [1, 2]) {
      // As the server builds them: the Compute clients only when the replica first calls GCE.
      const gce = onDemandFirewalls('p', async () => gceFirewallsOn(emulator, 'p'));
      let lost = 0;
      const counted = countingFirewalls(gce);
      let partitioned = false;
      const guarded = <T>(call: () => Promise<T>) =>
        partitioned ? Promise.reject(new ClusterError('Unavailable', 'partitioned')) : call();
      const view: Leases = {
        get: (ns, name) => guarded(() => leases.get(ns, name)),
        create: (ns, name, lease) => guarded(() => leases.create(ns, name, lease)),
        update: (ns, name, lease, rv) => guarded(() => leases.update(ns, name, lease, rv)),
      };
      const runtime = await createRuntime({
        config: parseConfig({
          cluster: { id: 'replicas' },
          gce: { project: 'p' },
          firewall: { targetTags: ['node'] },
          reconciler: { backoffInitialMs: 50, backoffMaxMs: 500 },
          leaderElection: { leaseDurationSeconds: 2, renewDeadlineSeconds: 1, retryPeriodSeconds: 1 },
          auth: { tokens: [{ sha256: sha256Hex(TOKEN), subject: 'tester', namespaces: ['*'] }] },
        }),
        cluster,
        firewalls: counted,
        leases: view,
        logger: pino({ level: 'silent' }),
        onLeadershipLost: () => lost++,
      });
      await runtime.start();
      replicas.push({
        runtime,
        writes: () => counted.writes,
        writeLog: () => counted.log.join('\n'),
        partition: (on) => (partitioned = on),
        gce,
        lost: () => lost,
      });
    }
  });
  after(async () => {
    for (const replica of replicas) {
      replica.partition(false);
      if (!stopped.has(replica.runtime)) await replica.runtime.stop();
      await replica.gce.close();
    }
    await emulator.close();
  });

  const leaderIndex = () => replicas.findIndex((r) => r.runtime.elector?.isLeader());
  const create = (replica: number, name: string) =>
    replicas[replica]!.runtime.app.inject({
      method: 'POST',
      url: '/exposures',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      payload: JSON.stringify({
        namespace: 'search',
        name,
        selector: { app: name },
        ports: [{ name: 'http', port: 80 }],
        sourceRanges: ['203.0.113.0/24'],
      }),
    });

  test('exactly one replica writes to GCE, whichever replica took the request', async () => {
    await eventually(
      () => leaderIndex(),
      (i) => i >= 0,
      { what: 'a leader' },
    );
    const leader = leaderIndex();
    const follower = 1 - leader;
    assert.equal(replicas.filter((r) => r.runtime.elector?.isLeader()).length, 1);
    for (const [replica, name] of [
      [follower, 'via-follower'],
      [leader, 'via-leader'],
    ] as const) {
      const response = await create(replica, name);
      assert.equal(response.statusCode, 201, response.body);
    }
    await eventually(
      () => emulator.rules('p').length,
      (n) => n === 2,
      { what: 'two rules' },
    );
    assert.equal(
      replicas[follower]!.writes(),
      0,
      `the follower never wrote:\n${replicas[follower]!.writeLog()}`,
    );
    assert.ok(replicas[leader]!.writes() >= 2);
    assert.equal(replicas[follower]!.gce.opened, false, 'the follower never built the Compute clients');
    assert.equal(replicas[leader]!.gce.opened, true);
  });

  test('when the leader cannot renew, it stops writing and the other replica takes over', async () => {
    const oldLeader = leaderIndex();
    const newLeader = 1 - oldLeader;
    const lostBefore = replicas[oldLeader]!.lost();
    replicas[oldLeader]!.partition(true);
    await eventually(
      () => replicas[oldLeader]!.runtime.elector?.isLeader(),
      (v) => v === false,
      {
        what: 'the old leader to step down',
        timeoutMs: 5_000,
      },
    );
    // Counted from the step-down: until its renew deadline passes the old leader still holds the
    // lease and may finish work of the previous test (a write then is allowed; one after is not).
    // Once it has stepped down while partitioned it cannot lead again, so nothing may be added.
    const writesAtStepDown = replicas[oldLeader]!.writes();
    await eventually(() => replicas[newLeader]!.runtime.elector?.isLeader(), Boolean, {
      what: 'the other replica to take over',
      timeoutMs: 10_000,
    });
    const response = await create(oldLeader, 'after-takeover');
    assert.equal(response.statusCode, 201, 'the API still answers on the old leader');
    await eventually(
      () => emulator.rules('p').length,
      (n) => n === 3,
      { what: 'the new rule' },
    );
    assert.equal(
      replicas[oldLeader]!.writes(),
      writesAtStepDown,
      `the old leader wrote nothing after stepping down; its writes:\n${replicas[oldLeader]!.writeLog()}`,
    );
    assert.equal(replicas[oldLeader]!.lost(), lostBefore, 'not told while it cannot see who leads');
    // Reconnected, it sees the other replica holding the lease: told once (the server exits then).
    replicas[oldLeader]!.partition(false);
    await eventually(
      () => replicas[oldLeader]!.lost(),
      (lost) => lost > lostBefore,
      { what: 'the old leader to be told another replica leads', timeoutMs: 5_000 },
    );
    assert.equal(
      replicas[newLeader]!.gce.opened,
      true,
      'the new leader built the Compute clients when it took over',
    );
  });

  test('a leader that stops on its own (shutdown) is not told it lost the leadership', async () => {
    const leader = await eventually(
      () => leaderIndex(),
      (i) => i >= 0,
      { what: 'a leader' },
    );
    const lostBefore = replicas[leader]!.lost();
    stopped.add(replicas[leader]!.runtime);
    await replicas[leader]!.runtime.stop();
    assert.equal(replicas[leader]!.runtime.elector?.isLeader(), false);
    assert.equal(replicas[leader]!.lost(), lostBefore);
  });
});
