// GCE misbehaving (a fifth of the calls failing with 5xx/429, added latency) and a crowd of
// clients racing for one node port: every exposure still converges, failures show in the
// conditions meanwhile, and nothing is left behind.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Sandbox } from '../../src/sandbox/sandbox.ts';
import { createRequest } from '../builders/create-request.ts';
import { eventually } from '../support/eventually.ts';
import { exposureApi, problemOf } from '../support/exposure-api.ts';
import { footprint, startTestSandbox } from '../support/test-sandbox.ts';

function request(name: string, nodePort?: number) {
  return createRequest({
    name,
    ports: [{ name: 'http', port: 9200, ...(nodePort !== undefined && { nodePort }) }],
  });
}

function post(sandbox: Sandbox, body: unknown) {
  return exposureApi(sandbox).create(body);
}

test('with 20% of GCE calls failing (5xx, 429) and added latency, every exposure converges to Ready', async () => {
  const sandbox = await startTestSandbox({ config: { gce: { writesPerSecond: 50 } } });
  try {
    sandbox.emulator.setFaults({
      errorRate: 0.2,
      statuses: [500, 502, 503, 429],
      latencyMs: [5, 60],
      seed: 11,
    });
    const count = 30;
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const created = await post(sandbox, request(`faulty-${i}`));
      assert.equal(created.status, 201);
      ids.push(created.body.id);
    }
    const seenFailures = new Set<string>();
    const started = Date.now();
    await eventually(
      async () => {
        const list = await exposureApi(sandbox).list('?limit=500');
        for (const item of list.body.items) {
          const firewall = item.status.conditions.find((c) => c.type === 'FirewallReady');
          if (firewall?.status === 'False')
            seenFailures.add(`${firewall.reason}: ${firewall.message.slice(0, 60)}`);
        }
        return list.body.items.filter((item) => item.firewall.state === 'UpToDate').length;
      },
      (upToDate) => upToDate === count,
      { what: 'every exposure up to date', timeoutMs: 90_000, intervalMs: 50 },
    );
    const seconds = (Date.now() - started) / 1000;
    const failed = sandbox.emulator.requests().filter((r) => r.status >= 500 || r.status === 429).length;
    process.stdout.write(
      `# faults: ${count} exposures converged in ${seconds.toFixed(1)} s; ${failed} of ${sandbox.emulator.requests().length} GCE calls failed; reasons seen meanwhile: ${[...new Set([...seenFailures].map((f) => f.split(':')[0]))].join(', ')}\n`,
    );
    assert.ok(failed > 0, 'the faults were injected');
    assert.ok(seenFailures.size > 0, 'failures showed in the conditions meanwhile');
    assert.ok(
      [...seenFailures].every((f) => /^(GceUnavailable|RateLimited): /.test(f)),
      [...seenFailures].join('\n'),
    );
    for (const id of ids.slice(0, 3)) {
      const read = await exposureApi(sandbox).read(id);
      assert.equal(read.body.status.phase, 'Ready', JSON.stringify(read.body.status));
    }
    assert.equal(sandbox.emulator.rules(sandbox.config.gce.project).length, count);
  } finally {
    sandbox.emulator.setFaults(undefined);
    await sandbox.close();
  }
});

test('50 concurrent creates asking for one node port: exactly one 201, the rest 409, no orphan rule', async () => {
  const sandbox = await startTestSandbox();
  try {
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => post(sandbox, request(`racer-${i}`, 31777))),
    );
    const statuses = answers.map((a) => a.status);
    assert.equal(statuses.filter((s) => s === 201).length, 1, statuses.join(','));
    assert.equal(statuses.filter((s) => s === 409).length, 49);
    const winner = answers.find((a) => a.status === 201)?.body;
    for (const loser of answers.filter((a) => a.status === 409)) {
      assert.equal(problemOf(loser).type, '/problems/node-port-taken');
    }
    await sandbox.runtime.reconciler.idle();
    await eventually(
      () => footprint(sandbox).rules.length,
      (n) => n === 1,
      { what: 'one rule' },
    );
    assert.deepEqual(footprint(sandbox).services, [`search/${winner?.name}`]);
    assert.equal(footprint(sandbox).rules[0], winner?.firewall.rules[0]?.name);
  } finally {
    await sandbox.close();
  }
});
