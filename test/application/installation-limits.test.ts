// The installation's limits over the usage ledger: reservations checked and counted before a write,
// committed together within a replica, retried against another replica's writes, taken back when
// a write fails, released on delete, and recounted from the Services.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ExposureIndex } from '../../src/application/exposure-index.ts';
import {
  type InstallationLimitSettings,
  InstallationLimits,
} from '../../src/application/installation-limits.ts';
import { ClusterError } from '../../src/application/ports/cluster.ts';
import type { StoredLedger, UsageLedger } from '../../src/application/ports/usage-ledger.ts';
import { ExposureProblem } from '../../src/application/problems.ts';
import { newExposureId } from '../../src/domain/exposure-id.ts';
import { serviceManifestFor } from '../../src/domain/exposure-record.ts';
import { NO_USAGE } from '../../src/domain/usage.ts';
import type { LedgerState, UsageChange } from '../../src/domain/usage-ledger.ts';
import { InMemoryCluster } from '../../src/sandbox/in-memory-cluster.ts';
import { InMemoryUsageLedger } from '../../src/sandbox/in-memory-usage-ledger.ts';
import { eventually } from '../support/eventually.ts';

const quiet = { info() {}, warn() {} };
const ONE = { exposures: 1, nodePorts: 1, firewallRules: 1 };

function settings(overrides: Partial<InstallationLimitSettings['limits']> = {}): InstallationLimitSettings {
  return {
    limits: {
      perNamespace: { exposures: 10, nodePorts: 100 },
      perSubject: { exposures: 100, nodePorts: 100 },
      installation: { firewallRules: 100 },
      ...overrides,
    },
    installation: 'dev',
    recountIntervalMs: 60_000,
    pendingGraceMs: 120_000,
    maxAttempts: 10,
  };
}

/** A ledger that counts its reads and writes. */
class CountingLedger implements UsageLedger {
  reads = 0;
  writes = 0;
  readonly inner: UsageLedger;
  constructor(inner: UsageLedger) {
    this.inner = inner;
  }
  read(): Promise<StoredLedger | undefined> {
    this.reads++;
    return this.inner.read();
  }
  write(state: LedgerState, version: string | undefined): Promise<string> {
    this.writes++;
    return this.inner.write(state, version);
  }
}

async function setUp(options: Partial<InstallationLimitSettings['limits']> & { ledger?: UsageLedger } = {}) {
  const cluster = new InMemoryCluster({ namespaces: ['search', 'shop'] });
  await cluster.start();
  const index = new ExposureIndex(cluster, 'dev', quiet);
  index.start();
  const { ledger: given, ...limits } = options;
  const ledger = new CountingLedger(given ?? new InMemoryUsageLedger('ledger'));
  const make = () =>
    new InstallationLimits({
      ledger,
      index,
      clock: { now: () => Date.now() },
      log: quiet,
      settings: settings(limits),
    });
  return { cluster, index, ledger, limits: make(), make };
}

function create(namespace = 'search', subject = 'bot'): UsageChange {
  return { id: newExposureId(), namespace, subject, before: NO_USAGE, after: ONE, generation: 1 };
}

async function stored(ledger: UsageLedger): Promise<LedgerState> {
  const read = await ledger.read();
  assert.ok(read?.state);
  return read.state;
}

function isLimitProblem(name: string) {
  return (error: unknown) => {
    assert.ok(error instanceof ExposureProblem, String(error));
    assert.equal(error.kind, 'quota-exceeded');
    assert.equal(error.quota?.source, 'InstallationLimit');
    assert.equal(error.quota?.name, name);
    return true;
  };
}

describe('installation limits', () => {
  test('50 reservations at once at a limit of 10: exactly 10 pass, in few ledger writes', async () => {
    const { ledger, limits } = await setUp();
    const outcomes = await Promise.allSettled(Array.from({ length: 50 }, () => limits.reserve(create())));
    assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 10);
    for (const refused of outcomes.filter((o) => o.status === 'rejected')) {
      isLimitProblem('limits.perNamespace.exposures')(refused.reason);
      assert.deepEqual(refused.reason.quota.exceeded, [
        { resource: 'exposures', requested: 1, used: 10, limit: 10 },
      ]);
      assert.equal(refused.reason.quota.namespace, 'search');
    }
    assert.deepEqual((await stored(ledger.inner)).namespaces.search, {
      exposures: 10,
      nodePorts: 10,
      firewallRules: 10,
    });
    assert.ok(ledger.writes <= 3, `${ledger.writes} writes: committed together, not one by one`);
  });

  test('two replicas on one ledger: 50 reservations split across them, exactly 10 pass; conflicts are retried', async () => {
    // Each call takes a moment, as over the network, so that the replicas' writes interleave.
    const inner = new InMemoryUsageLedger('ledger');
    let conflicts = 0;
    const slow: UsageLedger = {
      read: async () => {
        await new Promise((resolve) => setTimeout(resolve, 2));
        return inner.read();
      },
      write: async (state, version) => {
        await new Promise((resolve) => setTimeout(resolve, 2));
        try {
          return await inner.write(state, version);
        } catch (error) {
          if (error instanceof ClusterError && error.kind === 'Conflict') conflicts++;
          throw error;
        }
      },
    };
    const { make } = await setUp({ ledger: slow });
    const [first, second] = [make(), make()];
    const outcomes = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? first : second).reserve(create())),
    );
    assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 10);
    assert.equal((await stored(inner)).installation.exposures, 10);
    assert.ok(conflicts > 0, 'the replicas met each other');
  });

  test('the subject and the installation limits are named when they are the ones exceeded', async () => {
    const { limits } = await setUp({
      perSubject: { exposures: 1, nodePorts: 0 },
      installation: { firewallRules: 2 },
    });
    await limits.reserve(create('search', 'bot'));
    await assert.rejects(
      limits.reserve(create('shop', 'bot')),
      isLimitProblem('limits.perSubject.exposures'),
    );
    await limits.reserve(create('shop', 'other'));
    await assert.rejects(
      limits.reserve(create('shop', 'third')),
      isLimitProblem('limits.installation.firewallRules'),
    );
  });

  test('revert takes a reservation back; release counts a deleted exposure out', async () => {
    const { ledger, limits } = await setUp({ perNamespace: { exposures: 1, nodePorts: 0 } });
    const first = create();
    await limits.reserve(first);
    await assert.rejects(limits.reserve(create()), isLimitProblem('limits.perNamespace.exposures'));
    await limits.revert(first);
    assert.deepEqual((await stored(ledger.inner)).installation, NO_USAGE);
    const second = create();
    await limits.reserve(second);
    await limits.release({ ...second, before: ONE, after: NO_USAGE });
    assert.deepEqual((await stored(ledger.inner)).namespaces, {});
    await limits.reserve(create());
  });

  test('a change holding more is checked for what it adds; one holding less frees room', async () => {
    const { limits } = await setUp({ perNamespace: { exposures: 0, nodePorts: 3 } });
    const change = { ...create(), after: { exposures: 1, nodePorts: 2, firewallRules: 1 } };
    await limits.reserve(change);
    const grow = {
      ...change,
      before: change.after,
      after: { exposures: 1, nodePorts: 4, firewallRules: 1 },
      generation: 2,
    };
    await assert.rejects(limits.reserve(grow), (error: unknown) => {
      isLimitProblem('limits.perNamespace.nodePorts')(error);
      assert.deepEqual((error as ExposureProblem).quota?.exceeded, [
        { resource: 'nodePorts', requested: 2, used: 2, limit: 3 },
      ]);
      return true;
    });
    await limits.reserve({ ...change, before: change.after, after: ONE, generation: 2 });
    await limits.reserve({ ...create(), after: { exposures: 1, nodePorts: 2, firewallRules: 1 } });
  });

  test('a ledger that cannot be written fails the reservation (the caller answers 503); release and revert only log', async () => {
    const failing: UsageLedger = {
      read: async () => undefined,
      write: async () => {
        throw new ClusterError('Unavailable', 'the Kubernetes API could not be reached');
      },
    };
    const { limits } = await setUp({ ledger: failing });
    await assert.rejects(
      limits.reserve(create()),
      (error: unknown) => error instanceof ClusterError && error.kind === 'Unavailable',
    );
    await limits.release(create());
    await limits.revert(create());
  });

  test("a ledger in a namespace that does not exist is exposure-api's misconfiguration, never the caller's namespace", async () => {
    const cluster = new InMemoryCluster({ namespaces: ['search'] });
    const { limits } = await setUp({
      ledger: cluster.usageLedger({ namespace: 'exposure-api', name: 'ledger' }),
    });
    await assert.rejects(limits.reserve(create()), (error: unknown) => {
      assert.ok(error instanceof ExposureProblem, String(error));
      assert.equal(error.kind, 'kubernetes-misconfigured');
      assert.match(error.message, /usage ledger/);
      return true;
    });
  });

  test('a ledger that keeps changing under this replica gives up after the attempts allowed (503, retry)', async () => {
    let version = 0;
    const churning: UsageLedger = {
      read: async () => ({ state: undefined, version: String(++version) }),
      write: async () => {
        throw new ClusterError('Conflict', 'the object has been modified');
      },
    };
    const { limits } = await setUp({ ledger: churning });
    await assert.rejects(limits.reserve(create()), (error: unknown) => {
      assert.ok(error instanceof ExposureProblem);
      assert.equal(error.kind, 'kubernetes-unavailable');
      assert.equal(error.retryAfterSeconds, 1);
      return true;
    });
  });

  test('a recount repairs what a crash left counted, and starts the ledger from the Services', async () => {
    const { cluster, index, ledger, limits } = await setUp();
    const spec = {
      namespace: 'search',
      name: 'web',
      selector: { app: 'web' },
      ports: [
        { name: 'http', port: 80, targetPort: 80, protocol: 'TCP' as const },
        { name: 'https', port: 443, targetPort: 443, protocol: 'TCP' as const },
      ],
      externalTrafficPolicy: 'Cluster' as const,
      sourceRanges: ['203.0.113.0/24', '2001:db8::/48'],
      labels: {},
    };
    await cluster.createService(
      serviceManifestFor({ id: newExposureId(), clusterId: 'dev', createdBy: 'bot', generation: 1, spec }),
    );
    await eventually(
      () => index.size,
      (n) => n === 1,
      { what: 'the exposure in the index' },
    );
    // The first use of the ledger starts it from the Services (nothing stored yet).
    await limits.reserve(create('shop', 'other'));
    const started = await stored(ledger.inner);
    assert.deepEqual(started.namespaces.search, { exposures: 1, nodePorts: 2, firewallRules: 2 });
    // A reservation whose create never happened (a crash before the revert): counted until it ages.
    await limits.reserve(create());
    assert.equal((await stored(ledger.inner)).namespaces.search?.exposures, 2);
    const aged = new InstallationLimits({
      ledger,
      index,
      clock: { now: () => Date.now() + 10 * 60_000 },
      log: quiet,
      settings: settings(),
    });
    await aged.recount();
    const repaired = await stored(ledger.inner);
    assert.deepEqual(repaired.namespaces, { search: { exposures: 1, nodePorts: 2, firewallRules: 2 } });
    assert.deepEqual(repaired.pending, {});
    assert.ok(repaired.recountedAt);
  });

  test('an unreadable ledger is recounted from the Services', async () => {
    const inner = new InMemoryUsageLedger('ledger');
    inner.overwrite('edited by hand');
    const { ledger, limits } = await setUp({ ledger: inner });
    await limits.reserve(create());
    assert.deepEqual((await stored(ledger.inner)).installation, ONE);
  });

  test('with every limit 0 nothing is checked and nothing written', async () => {
    const { ledger, limits } = await setUp({
      perNamespace: { exposures: 0, nodePorts: 0 },
      perSubject: { exposures: 0, nodePorts: 0 },
      installation: { firewallRules: 0 },
    });
    assert.equal(limits.enabled, false);
    await Promise.all(Array.from({ length: 20 }, () => limits.reserve(create())));
    await limits.recount();
    assert.equal(ledger.writes + ledger.reads, 0);
  });
});
