// The installation's limits hold across replicas: two runtimes on one cluster (sharing its usage
// ledger, as replicas share the ConfigMap) take 50 concurrent creates at a limit of 10 between them.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type ComputeEmulator, startComputeEmulator } from '@exposure-api/compute-emulator';
import { pino } from 'pino';
import type { GceFirewalls } from '../../src/adapters/gce/gce-firewalls.ts';
import { parseConfig } from '../../src/config/load.ts';
import { usageLedgerLocation } from '../../src/config/settings.ts';
import { sha256Hex } from '../../src/edge/plugins/authentication.ts';
import { createRuntime, type Runtime } from '../../src/runtime.ts';
import { InMemoryCluster } from '../../src/sandbox/in-memory-cluster.ts';
import { InMemoryLeases } from '../../src/sandbox/in-memory-leases.ts';
import { gceFirewallsOn } from '../support/emulated-gce.ts';

const TOKEN = 'quota-replicas-token';
const config = parseConfig({
  cluster: { id: 'replicas' },
  gce: { project: 'p' },
  firewall: { targetTags: ['node'] },
  limits: { perNamespace: { exposures: 10 } },
  auth: { tokens: [{ sha256: sha256Hex(TOKEN), subject: 'tester', namespaces: ['*'] }] },
});

let emulator: ComputeEmulator;
let cluster: InMemoryCluster;
const replicas: { runtime: Runtime; gce: GceFirewalls }[] = [];

before(async () => {
  emulator = await startComputeEmulator();
  cluster = new InMemoryCluster({ namespaces: ['default', 'search'] });
  const leases = new InMemoryLeases();
  for (const _ of [1, 2]) {
    const gce = gceFirewallsOn(emulator, 'p');
    const runtime = await createRuntime({
      config,
      cluster,
      firewalls: gce,
      leases,
      logger: pino({ level: 'silent' }),
    });
    await runtime.start();
    replicas.push({ runtime, gce });
  }
});
after(async () => {
  for (const replica of replicas) {
    await replica.runtime.stop();
    await replica.gce.close();
  }
  await emulator.close();
});

test('50 concurrent creates at a limit of 10, split across two replicas: exactly 10 × 201, the rest a quota problem', async () => {
  const answers = await Promise.all(
    Array.from({ length: 50 }, (_, i) =>
      (replicas[i % 2] as (typeof replicas)[number]).runtime.app.inject({
        method: 'POST',
        url: '/exposures',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        payload: JSON.stringify({
          namespace: 'search',
          name: `racer-${i}`,
          selector: { app: `racer-${i}` },
          ports: [{ name: 'http', port: 80 }],
          sourceRanges: ['203.0.113.0/24'],
        }),
      }),
    ),
  );
  const statuses = answers.map((answer) => answer.statusCode);
  assert.equal(statuses.filter((s) => s === 201).length, 10, statuses.join(','));
  assert.equal(statuses.filter((s) => s === 403).length, 40, statuses.join(','));
  for (const answer of answers.filter((a) => a.statusCode === 403)) {
    const problem = JSON.parse(answer.body) as { type: string; quota: { name: string; exceeded: unknown[] } };
    assert.equal(problem.type, '/problems/quota-exceeded');
    assert.equal(problem.quota.name, 'limits.perNamespace.exposures');
  }
  const won = answers
    .filter((a) => a.statusCode === 201)
    .map((a) => (JSON.parse(a.body) as { name: string }).name);
  assert.deepEqual(
    cluster
      .allServices()
      .map((service) => service.name)
      .sort(),
    won.sort(),
    'exactly the 10 Services answered 201 exist',
  );
  const ledger = await cluster.usageLedger(usageLedgerLocation(config)).read();
  assert.deepEqual(ledger?.state?.namespaces.search, { exposures: 10, nodePorts: 10, firewallRules: 10 });
});
