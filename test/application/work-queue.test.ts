// The work queue's promises: a key is queued once, never processed twice at the same time, looked
// at again if it changed meanwhile, and retried with growing, jittered backoff.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { WorkQueue, type WorkResult } from '../../src/application/work-queue.ts';

const settle = () => new Promise((resolve) => setTimeout(resolve, 5));
/** String items are their own key. */
const itself = (key: string) => key;

describe('WorkQueue', () => {
  test('a key added many times before it runs is processed once', async () => {
    const seen: string[] = [];
    const { promise: gate, resolve: release } = Promise.withResolvers<void>();
    const queue = new WorkQueue(
      async (key) => {
        seen.push(key);
        if (key === 'busy') await gate;
        return { kind: 'done' };
      },
      { workers: 1, backoff: { initialMs: 10, maxMs: 100 }, key: itself },
    );
    queue.add('busy'); // holds the only worker
    queue.add('a');
    queue.add('a');
    queue.add('b');
    queue.add('a');
    assert.equal(queue.length, 2);
    release();
    await queue.idle();
    assert.deepEqual(seen, ['busy', 'a', 'b']);
  });

  test('a key is never processed by two workers at once, and is processed again if added meanwhile', async () => {
    let running = 0;
    let maxRunning = 0;
    let runs = 0;
    const { promise: gate, resolve: release } = Promise.withResolvers<void>();
    const queue = new WorkQueue(
      async () => {
        running++;
        runs++;
        maxRunning = Math.max(maxRunning, running);
        if (runs === 1) await gate;
        running--;
        return { kind: 'done' };
      },
      { workers: 4, backoff: { initialMs: 10, maxMs: 100 }, key: itself },
    );
    queue.add('k');
    await settle();
    queue.add('k'); // changed while being processed
    queue.add('k');
    await settle();
    assert.equal(running, 1, 'the second add waits for the first run');
    release();
    await queue.idle();
    assert.equal(maxRunning, 1);
    assert.equal(runs, 2, 'processed again once, not once per add');
  });

  test('failures back off exponentially with jitter (half fixed, half random), capped; forget resets', () => {
    const queue = new WorkQueue(async () => ({ kind: 'done' }), {
      workers: 1,
      backoff: { initialMs: 100, maxMs: 1000 },
      key: itself,
      random: () => 0.5,
    });
    const delays = [1, 2, 3, 4, 5, 6].map(() => queue.addWithBackoff('x'));
    assert.deepEqual(delays, [75, 150, 300, 600, 750, 750]);
    assert.equal(queue.failures('x'), 6);
    queue.forget('x');
    assert.equal(queue.addWithBackoff('x'), 75);
    const lowest = new WorkQueue(async () => ({ kind: 'done' }), {
      workers: 1,
      backoff: { initialMs: 100, maxMs: 1000 },
      key: itself,
      random: () => 0,
    });
    assert.equal(lowest.addWithBackoff('y'), 50, 'never below half the step');
    assert.equal(lowest.addWithBackoff('y', 5000), 5000, 'a server-given pause is respected');
    void queue.stop();
    void lowest.stop();
  });

  test('a failing key is retried after its backoff; an add meanwhile retries it at once', async () => {
    const attempts: number[] = [];
    let fail = true;
    const started = Date.now();
    const queue = new WorkQueue(
      async (): Promise<WorkResult> => {
        attempts.push(Date.now() - started);
        return fail ? { kind: 'retry' } : { kind: 'done' };
      },
      { workers: 1, backoff: { initialMs: 200, maxMs: 1000 }, key: itself, random: () => 0.5 },
    );
    queue.add('k');
    await settle();
    assert.equal(attempts.length, 1);
    fail = false;
    queue.add('k'); // a new event for the key: no need to wait for the backoff
    await queue.idle();
    assert.equal(attempts.length, 2);
    assert.ok((attempts[1] ?? 0) < 100, `retried at ${attempts[1]} ms, not after the backoff`);
    await queue.stop();
  });

  test('after stop, adds are ignored and timers are cleared', async () => {
    let runs = 0;
    const queue = new WorkQueue(
      async () => {
        runs++;
        return { kind: 'done' };
      },
      { workers: 1, backoff: { initialMs: 10, maxMs: 100 }, key: itself },
    );
    queue.addAfter('later', 20);
    await queue.stop();
    queue.add('now');
    await new Promise((resolve) => setTimeout(resolve, 40));
    assert.equal(runs, 0);
  });

  test('typed items are one piece of work per key, and the handler gets the item itself', async () => {
    type Item = { kind: 'service'; name: string } | { kind: 'collect'; id: string };
    const seen: Item[] = [];
    const { promise: gate, resolve: release } = Promise.withResolvers<void>();
    const queue = new WorkQueue<Item>(
      async (item) => {
        seen.push(item);
        if (item.kind === 'collect') await gate;
        return { kind: 'done' };
      },
      {
        workers: 1,
        backoff: { initialMs: 10, maxMs: 100 },
        key: (item) => (item.kind === 'service' ? `service:${item.name}` : `collect:${item.id}`),
      },
    );
    queue.add({ kind: 'collect', id: 'x' }); // holds the only worker
    queue.add({ kind: 'service', name: 'a' });
    queue.add({ kind: 'service', name: 'a' });
    queue.add({ kind: 'collect', id: 'a' });
    assert.equal(queue.length, 2, 'a service and a collect of the same name are different work');
    release();
    await queue.idle();
    assert.deepEqual(seen, [
      { kind: 'collect', id: 'x' },
      { kind: 'service', name: 'a' },
      { kind: 'collect', id: 'a' },
    ]);
  });
});
