// Requests are typed values with a stable key, and the queue acts on each kind of result: done,
// requeue after a delay, retry with backoff (never before a given time), needs a person.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  collectRequest,
  type ReconcileRequest,
  type ReconcileResult,
  requestKey,
  serviceRequest,
} from '../../../src/application/reconciler/request.ts';
import { keyedRequestQueue } from '../../../src/application/reconciler/request-queue.ts';
import { eventually } from '../../support/eventually.ts';

describe('reconcile requests', () => {
  test('a key per Service and per collected exposure, stable and distinct', () => {
    const service = serviceRequest({ namespace: 'search', name: 'elasticsearch' });
    assert.equal(
      requestKey(service),
      requestKey(serviceRequest({ namespace: 'search', name: 'elasticsearch' })),
    );
    const keys = new Set(
      [
        service,
        serviceRequest({ namespace: 'search', name: 'kibana' }),
        serviceRequest({ namespace: 'logs', name: 'elasticsearch' }),
        collectRequest('exp_01jd6y8c3k2v7d9q4r5s6t7v8w'),
        collectRequest('exp_01jd6y8c3k2v7d9q4r5s6t7v8x'),
      ].map(requestKey),
    );
    assert.equal(keys.size, 5);
  });

  test('a Service request keeps the name only, not the Service it was made from', () => {
    const service = { namespace: 'search', name: 'elasticsearch', uid: 'u1', annotations: { big: 'x' } };
    assert.deepEqual(serviceRequest(service), {
      kind: 'service',
      ref: { namespace: 'search', name: 'elasticsearch' },
    });
  });
});

describe('keyedRequestQueue', () => {
  const request: ReconcileRequest = serviceRequest({ namespace: 'search', name: 'elasticsearch' });

  /** Runs `results` in turn for one request and returns when each attempt happened (ms from the add). */
  async function attempts(results: ReconcileResult[], backoff = { initialMs: 1_000, maxMs: 1_000 }) {
    const times: number[] = [];
    const started = performance.now();
    const queue = keyedRequestQueue({ workers: 1, backoff })(async () => {
      times.push(performance.now() - started);
      return results[times.length - 1] ?? { kind: 'done' };
    });
    queue.add(request);
    await eventually(
      () => times.length,
      (n) => n === results.length + 1,
      { what: `${results.length + 1} attempts`, timeoutMs: 5_000, intervalMs: 5 },
    );
    await queue.stop();
    return times;
  }

  /** The second attempt came 50 ms after the first (give or take a loaded machine), not at once. */
  function assertAfterTheDelay(second: number | undefined) {
    assert.ok((second ?? 0) >= 45 && (second ?? 0) < 400, `second attempt at ${second} ms`);
  }

  test('requeueAfter comes back after the delay, not after a backoff', async () => {
    const [, second] = await attempts([{ kind: 'requeueAfter', afterMs: 50 }]);
    assertAfterTheDelay(second);
  });

  test('needsPerson comes back after its recheck time', async () => {
    const [, second] = await attempts([{ kind: 'needsPerson', recheckAfterMs: 50 }]);
    assertAfterTheDelay(second);
  });

  test('retry backs off, and never comes back before notBeforeMs', async () => {
    const fast = { initialMs: 20, maxMs: 20 };
    const [, backedOff] = await attempts([{ kind: 'retry' }], fast);
    assert.ok((backedOff ?? 0) >= 9, `retried at ${backedOff} ms, at least half the step`);
    const [, held] = await attempts([{ kind: 'retry', notBeforeMs: 300 }], fast);
    assert.ok((held ?? 0) >= 295, `retried at ${held} ms, not before 300`);
  });
});
