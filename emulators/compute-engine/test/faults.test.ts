// Injected failures and denied projects: transient errors arrive with the envelopes Google's
// front ends send, latency is added, a seed makes the sequence repeatable, and a denied project
// answers 403 as a shared-VPC host project does to a caller without compute.firewalls.*.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type ComputeEmulator, startComputeEmulator } from '../src/index.ts';
import { computeWire, ruleBody, suiteEmulator } from './wire.ts';

describe('compute emulator faults', () => {
  const suite = suiteEmulator();

  test('429 comes as rateLimitExceeded in the usageLimits domain', async () => {
    suite.emulator.setFaults({ errorRate: 1, statuses: [429] });
    const response = await suite.api.get('any');
    suite.emulator.setFaults(undefined);
    assert.equal(response.status, 429);
    const envelope = response.json as { error: { code: number; message: string; errors: unknown[] } };
    assert.equal(envelope.error.code, 429);
    assert.match(envelope.error.message, /^Quota exceeded for quota metric 'Queries'/);
    assert.deepEqual(envelope.error.errors, [
      { domain: 'usageLimits', reason: 'rateLimitExceeded', message: envelope.error.message },
    ]);
  });

  test('503 and 500 come as backendError; 502 as the front end HTML page', async () => {
    suite.emulator.setFaults({ errorRate: 1, statuses: [503] });
    const unavailable = await suite.api.list();
    suite.emulator.setFaults({ errorRate: 1, statuses: [500] });
    const internal = await suite.api.list();
    suite.emulator.setFaults({ errorRate: 1, statuses: [502] });
    const badGateway = await suite.api.list();
    suite.emulator.setFaults(undefined);
    assert.equal(unavailable.status, 503);
    assert.partialDeepStrictEqual(unavailable.json, {
      error: { code: 503, errors: [{ reason: 'backendError' }] },
    });
    assert.equal(internal.status, 500);
    assert.partialDeepStrictEqual(internal.json, {
      error: { code: 500, errors: [{ reason: 'backendError' }] },
    });
    assert.equal(badGateway.status, 502);
    assert.match(badGateway.contentType, /^text\/html/);
    assert.match(badGateway.text, /Error 502 \(Server Error\)/);
  });

  test('a failed write changes nothing', async () => {
    suite.emulator.setFaults({ errorRate: 1, statuses: [503] });
    const response = await suite.api.insert(ruleBody('not-written'));
    suite.emulator.setFaults(undefined);
    assert.equal(response.status, 503);
    assert.equal((await suite.api.get('not-written')).status, 404);
  });

  test('latency delays each answer by the configured time', async () => {
    suite.emulator.setFaults({ latencyMs: 80 });
    const started = performance.now();
    await suite.api.get('slow');
    const fixed = performance.now() - started;
    suite.emulator.setFaults({ latencyMs: [30, 60] });
    const rangeStarted = performance.now();
    await suite.api.get('slow');
    const ranged = performance.now() - rangeStarted;
    suite.emulator.setFaults(undefined);
    assert.ok(fixed >= 75, `took ${fixed} ms`);
    assert.ok(ranged >= 28, `took ${ranged} ms`);
  });

  test('faults limited to some methods leave the others alone', async () => {
    suite.emulator.setFaults({ errorRate: 1, statuses: [503], latencyMs: 80, methods: ['POST', 'PATCH'] });
    const readStarted = performance.now();
    const read = await suite.api.get('held');
    const readMs = performance.now() - readStarted;
    const writeStarted = performance.now();
    const write = await suite.api.insert(ruleBody('held'));
    const writeMs = performance.now() - writeStarted;
    suite.emulator.setFaults(undefined);
    assert.equal(read.status, 404, 'a GET is answered as usual');
    assert.ok(readMs < 75, `the GET took ${readMs} ms`);
    assert.equal(write.status, 503, 'a POST fails');
    assert.ok(writeMs >= 75, `the POST took ${writeMs} ms`);
  });

  test('with a seed the same requests fail in the same order; the rate is honoured', async () => {
    const statuses = async (seed: number) => {
      suite.emulator.setFaults({ errorRate: 0.5, statuses: [429, 503], seed });
      const seen: number[] = [];
      for (let index = 0; index < 40; index++) seen.push((await suite.api.get('seeded')).status);
      suite.emulator.setFaults(undefined);
      return seen;
    };
    const first = await statuses(7);
    assert.deepEqual(await statuses(7), first);
    assert.notDeepEqual(await statuses(8), first);
    const failures = first.filter((status) => status !== 404);
    assert.ok(failures.length > 8 && failures.length < 32, `${failures.length} of 40 failed`);
    assert.ok(failures.includes(429) && failures.includes(503));
  });

  test('faulted requests are recorded with their status', async () => {
    suite.emulator.clearRequests();
    suite.emulator.setFaults({ errorRate: 1, statuses: [503] });
    await suite.api.get('logged');
    suite.emulator.setFaults(undefined);
    assert.equal(suite.emulator.requestCount(), 1);
    assert.partialDeepStrictEqual(suite.emulator.requests(), [
      { method: 'GET', path: '/compute/v1/projects/p/global/firewalls/logged', status: 503, batched: false },
    ]);
  });
});

describe('compute emulator denied project', () => {
  let emulator: ComputeEmulator;

  before(async () => {
    emulator = await startComputeEmulator({ operationDoneAfterMs: 0 });
  });
  after(() => emulator.close());

  test('every call on a denied project is a 403 forbidden naming the missing permission', async () => {
    const host = computeWire(emulator.url, 'host-project');
    await host.insert(ruleBody('existing'));
    emulator.denyProject('host-project', true);
    const expectations: [Promise<{ status: number; json: unknown }>, string, string][] = [
      [host.get('existing'), 'compute.firewalls.get', 'projects/host-project/global/firewalls/existing'],
      [host.list(), 'compute.firewalls.list', 'projects/host-project'],
      [
        host.insert(ruleBody('new-rule')),
        'compute.firewalls.create',
        'projects/host-project/global/firewalls/new-rule',
      ],
      [
        host.patch('existing', { disabled: true }),
        'compute.firewalls.update',
        'projects/host-project/global/firewalls/existing',
      ],
      [
        host.delete('existing'),
        'compute.firewalls.delete',
        'projects/host-project/global/firewalls/existing',
      ],
    ];
    for (const [call, permission, resource] of expectations) {
      const response = await call;
      assert.equal(response.status, 403);
      const message = `Required '${permission}' permission for '${resource}'`;
      assert.deepEqual(response.json, {
        error: { code: 403, message, errors: [{ domain: 'global', reason: 'forbidden', message }] },
      });
    }
    assert.equal(emulator.rules('host-project').length, 1, 'nothing changed');

    const service = computeWire(emulator.url, 'service-project');
    assert.equal((await service.insert(ruleBody('allowed'))).status, 200, 'other projects are unaffected');

    emulator.denyProject('host-project', false);
    assert.equal((await host.get('existing')).status, 200);
  });
});
