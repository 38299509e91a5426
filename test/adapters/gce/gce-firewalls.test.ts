// What the GCE adapter does beyond the port's contract: one attempt per call (no hidden retries
// in the generated client), timeouts, operation polling and its recording, the list filter it
// sends, and that it never talks to anything but the emulator on loopback.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { FaultInjector } from '@exposure-api/compute-emulator';
import { usesReducedComputeProtos } from '../../../src/adapters/gce/compute-clients.ts';
import { FirewallError } from '../../../src/application/ports/firewalls.ts';
import { ruleSpec } from '../../contract/firewalls.contract.ts';
import { type EmulatedGce, emulatedGce } from '../../support/emulated-gce.ts';
import { nonLoopbackAttempts } from '../../support/loopback-only.ts';

async function withGce(
  options: Parameters<typeof emulatedGce>[0],
  body: (gce: EmulatedGce) => Promise<void>,
): Promise<void> {
  const gce = await emulatedGce(options);
  try {
    await body(gce);
  } finally {
    await gce.close();
  }
}

async function failure(promise: Promise<unknown>): Promise<FirewallError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof FirewallError, String(error));
    return error;
  }
  assert.fail('expected a FirewallError');
}

describe('GCE adapter', () => {
  test('runs on the subset of the Compute protocol definition (compute-clients.ts), as every test here does', () => {
    assert.equal(usesReducedComputeProtos, true);
  });

  test('makes one attempt per call: a 503 is not retried by the client library', async () => {
    await withGce({}, async (gce) => {
      const project = gce.firewalls.project;
      gce.failRequestsWith(503);
      gce.emulator.clearRequests();
      await failure(gce.firewalls.get('exp-any'));
      assert.equal(gce.emulator.requestCount(), 1, 'get');
      await failure(gce.firewalls.listPage());
      assert.equal(gce.emulator.requestCount(), 2, 'list');
      await failure(gce.firewalls.insert(ruleSpec(project, 'exp-any')));
      assert.equal(gce.emulator.requestCount(), 3, 'insert');
    });
  });

  test('a call slower than callTimeoutMs fails promptly as Unavailable', async () => {
    await withGce({ adapter: { callTimeoutMs: 100 } }, async (gce) => {
      gce.emulator.setFaults({ latencyMs: 1_000 });
      const started = performance.now();
      const error = await failure(gce.firewalls.get('exp-slow'));
      const elapsed = performance.now() - started;
      assert.equal(error.kind, 'Unavailable');
      assert.equal(error.retryable, true);
      assert.ok(elapsed < 800, `took ${elapsed} ms`);
      // Recorded as a timeout, apart from the failures GCE answered.
      assert.deepEqual(
        gce.calls().map((call) => [call.operation, call.outcome]),
        [['firewalls.get', 'Timeout']],
      );
    });
  });

  test('an operation that is not DONE within operationTimeoutMs fails as Unavailable', async () => {
    await withGce(
      { emulator: { operationDoneAfterMs: 10_000 }, adapter: { operationTimeoutMs: 300 } },
      async (gce) => {
        const started = performance.now();
        const error = await failure(gce.firewalls.insert(ruleSpec(gce.firewalls.project, 'exp-slow-op')));
        assert.equal(error.kind, 'Unavailable');
        assert.ok(performance.now() - started < 2_000);
      },
    );
  });

  test('a wait that outlasts callTimeoutMs is made again until the operation is DONE', async () => {
    // Each wait call is bounded by the per-call timeout, not by what is left of the operation's.
    await withGce(
      { emulator: { operationDoneAfterMs: 700 }, adapter: { callTimeoutMs: 200, operationTimeoutMs: 5_000 } },
      async (gce) => {
        await gce.firewalls.insert(ruleSpec(gce.firewalls.project, 'exp-long-wait'));
        const waits = gce.calls().filter((call) => call.operation === 'globalOperations.wait');
        assert.ok(waits.length >= 3, `${waits.length} waits`);
        assert.deepEqual(
          waits.map((call) => call.outcome),
          [...waits.slice(0, -1).map(() => 'Timeout'), 'ok'],
        );
        // Bounded by the 200 ms call timeout, not by the operation (DONE after 700 ms); the margin
        // is for a busy machine's late timers.
        assert.ok(
          waits.every((call) => call.seconds < 0.65),
          `no wait lasted until the operation was DONE: ${waits.map((call) => call.seconds.toFixed(2)).join(', ')} s`,
        );
        assert.ok(await gce.firewalls.get('exp-long-wait'));
      },
    );
  });

  test('an operation still RUNNING at the deadline says so, whichever call timed out', async () => {
    await withGce(
      {
        emulator: { operationDoneAfterMs: 10_000 },
        adapter: { callTimeoutMs: 200, operationTimeoutMs: 700 },
      },
      async (gce) => {
        const error = await failure(gce.firewalls.insert(ruleSpec(gce.firewalls.project, 'exp-late-op')));
        assert.equal(error.kind, 'Unavailable');
        assert.match(error.message, /was not DONE after 700 ms/);
      },
    );
  });

  test('waits on the operation with operations.wait and records each poll', async () => {
    await withGce({ emulator: { operationDoneAfterMs: 50 } }, async (gce) => {
      await gce.firewalls.insert(ruleSpec(gce.firewalls.project, 'exp-polled'));
      assert.deepEqual(
        gce.calls().map((call) => [call.operation, call.outcome]),
        [
          ['firewalls.insert', 'ok'],
          ['globalOperations.wait', 'ok'],
        ],
      );
      assert.ok(
        gce.emulator.requests().some((entry) => /\/global\/operations\/[^/]+\/wait$/.test(entry.path)),
        'polled with POST .../wait',
      );
    });
  });

  test('a transient failure of a poll does not fail the write: polling goes on', async () => {
    // A seed whose first three decisions are: the insert passes, the first wait gets a 503, the
    // second wait passes. Found with the emulator's own injector, so the test stays deterministic.
    const faults = { errorRate: 0.5, statuses: [503] };
    const pattern = (seed: number) => {
      const injector = new FaultInjector({ ...faults, seed });
      return [injector.decide(), injector.decide(), injector.decide()].map((decision) => decision.failWith);
    };
    const seed = Array.from({ length: 1000 }, (_, index) => index).find((candidate) =>
      isDeepStrictEqual(pattern(candidate), [undefined, 503, undefined]),
    );
    assert.ok(seed !== undefined);
    await withGce({ emulator: { operationDoneAfterMs: 0, faults: { ...faults, seed } } }, async (gce) => {
      await gce.firewalls.insert(ruleSpec(gce.firewalls.project, 'exp-bumpy'));
      gce.emulator.setFaults(undefined);
      assert.deepEqual(
        gce.calls().map((call) => [call.operation, call.outcome]),
        [
          ['firewalls.insert', 'ok'],
          ['globalOperations.wait', 'Unavailable'],
          ['globalOperations.wait', 'ok'],
        ],
      );
      assert.ok(await gce.firewalls.get('exp-bumpy'));
    });
  });

  test('a quota failure is recorded on the poll that saw it, with its GCE code and status', async () => {
    await withGce({}, async (gce) => {
      gce.setQuota(0);
      const error = await failure(gce.firewalls.insert(ruleSpec(gce.firewalls.project, 'exp-over')));
      assert.equal(error.kind, 'QuotaExceeded');
      assert.equal(error.code, 'QUOTA_EXCEEDED');
      assert.equal(error.httpStatus, 403);
      assert.deepEqual(
        gce.calls().map((call) => [call.operation, call.outcome]),
        [
          ['firewalls.insert', 'ok'],
          ['globalOperations.wait', 'QuotaExceeded'],
        ],
      );
    });
  });

  test('errors keep the HTTP status and GCE reason next to the kind', async () => {
    await withGce({}, async (gce) => {
      const project = gce.firewalls.project;
      await gce.firewalls.insert(ruleSpec(project, 'exp-twice'));
      const duplicate = await failure(gce.firewalls.insert(ruleSpec(project, 'exp-twice')));
      assert.deepEqual(
        [duplicate.kind, duplicate.httpStatus, duplicate.code],
        ['AlreadyExists', 409, 'alreadyExists'],
      );
      gce.denyAccess(true);
      const denied = await failure(gce.firewalls.get('exp-twice'));
      assert.deepEqual([denied.kind, denied.httpStatus, denied.code], ['PermissionDenied', 403, 'forbidden']);
      assert.match(denied.message, /Required 'compute\.firewalls\.get' permission/);
    });
  });

  test('a rule GCE refuses fails with Invalid and the API message', async () => {
    await withGce({}, async (gce) => {
      const error = await failure(gce.firewalls.insert(ruleSpec(gce.firewalls.project, 'Not_A_Valid_Name')));
      assert.equal(error.kind, 'Invalid');
      assert.equal(error.httpStatus, 400);
      assert.match(error.message, /resource\.name/);
    });
  });

  test('a 502 HTML page from the front end is Unavailable with its status', async () => {
    await withGce({}, async (gce) => {
      gce.failRequestsWith(502);
      const error = await failure(gce.firewalls.listPage());
      assert.deepEqual([error.kind, error.httpStatus], ['Unavailable', 502]);
    });
  });

  test('nothing listening at the endpoint is Unavailable without a status', async () => {
    const gce = await emulatedGce();
    await gce.emulator.close();
    try {
      const error = await failure(gce.firewalls.get('exp-nowhere'));
      assert.equal(error.kind, 'Unavailable');
      assert.equal(error.httpStatus, undefined);
    } finally {
      await gce.firewalls.close();
    }
  });

  test('listPage sends the name prefix as an escaped `name eq` regex filter', async () => {
    await withGce({}, async (gce) => {
      const project = gce.firewalls.project;
      await gce.firewalls.insert(ruleSpec(project, 'exp-a1'));
      await gce.firewalls.insert(ruleSpec(project, 'expxa1'));
      gce.emulator.clearRequests();
      const page = await gce.firewalls.listPage({ namePrefix: 'exp-a' });
      assert.deepEqual(
        page.rules.map((rule) => rule.name),
        ['exp-a1'],
      );
      const [list] = gce.emulator.requests();
      assert.equal(new URLSearchParams(list?.query).get('filter'), 'name eq "exp-a.*"');
      assert.equal(new URLSearchParams(list?.query).get('maxResults'), '500');
      await gce.firewalls.listPage({ namePrefix: 'a.b' });
      assert.equal(new URLSearchParams(gce.emulator.requests()[1]?.query).get('filter'), 'name eq "a\\.b.*"');
    });
  });

  test('observed rules are normalised: relative network, lower-case protocols, lists never missing', async () => {
    await withGce({}, async (gce) => {
      const project = gce.firewalls.project;
      // Written the way another tool might: upper-case protocol, a shared-VPC network URL, no tags.
      const response = await fetch(`${gce.emulator.url}/compute/v1/projects/${project}/global/firewalls`, {
        method: 'POST',
        body: JSON.stringify({
          name: 'hand-made',
          network: `https://compute.googleapis.com/compute/v1/projects/host/global/networks/shared`,
          allowed: [{ IPProtocol: 'TCP', ports: ['22'] }],
        }),
      });
      assert.equal(response.status, 200);
      const observed = await gce.firewalls.get('hand-made');
      assert.partialDeepStrictEqual(observed, {
        network: 'projects/host/global/networks/shared',
        allowed: [{ protocol: 'tcp', ports: ['22'] }],
        sourceRanges: ['0.0.0.0/0'],
        targetTags: [],
        targetServiceAccounts: [],
        description: '',
        disabled: false,
      });
    });
  });

  test('no connection left loopback', () => {
    assert.deepEqual(nonLoopbackAttempts(), []);
  });
});
