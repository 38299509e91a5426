// Fair queuing of reconcile work: flows (namespaces) served in turn, a priority level above them,
// one entry per key, failures backed off, and no flow starved however busy the others are.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FairQueue } from '../../src/application/fair-queue.ts';
import { WorkQueue, type WorkResult } from '../../src/application/work-queue.ts';

/** Shifts everything, in order, as `flow/key`. */
function drain(queue: FairQueue<string>): string[] {
  const order: string[] = [];
  for (let next = queue.shift(); next; next = queue.shift()) order.push(next.item);
  return order;
}

describe('FairQueue', () => {
  test('busy flows take turns, one entry each', () => {
    const queue = new FairQueue<string>();
    for (let i = 0; i < 3; i++) queue.push(`a${i}`, `a${i}`, { flow: 'a', priority: 0 });
    for (let i = 0; i < 3; i++) queue.push(`b${i}`, `b${i}`, { flow: 'b', priority: 0 });
    queue.push('c0', 'c0', { flow: 'c', priority: 0 });
    assert.deepEqual(drain(queue), ['a0', 'b0', 'c0', 'a1', 'b1', 'a2', 'b2']);
  });

  test('a flow that was idle is served at the next turn, ahead of a long backlog', () => {
    const queue = new FairQueue<string>();
    for (let i = 0; i < 300; i++) queue.push(`a${i}`, `a${i}`, { flow: 'a', priority: 0 });
    assert.equal(queue.shift()?.item, 'a0');
    assert.equal(queue.shift()?.item, 'a1');
    queue.push('b0', 'b0', { flow: 'b', priority: 0 });
    assert.equal(queue.shift()?.item, 'b0');
    assert.equal(queue.shift()?.item, 'a2');
  });

  test('a flow that empties and refills at once goes to the back of the turns', () => {
    const queue = new FairQueue<string>();
    queue.push('a0', 'a0', { flow: 'a', priority: 0 });
    queue.push('b0', 'b0', { flow: 'b', priority: 0 });
    queue.push('b1', 'b1', { flow: 'b', priority: 0 });
    assert.equal(queue.shift()?.item, 'a0');
    queue.push('a1', 'a1', { flow: 'a', priority: 0 });
    assert.deepEqual(drain(queue), ['b0', 'a1', 'b1']);
  });

  test('the priority level is served before every flow', () => {
    const queue = new FairQueue<string>();
    for (let i = 0; i < 5; i++) queue.push(`a${i}`, `a${i}`, { flow: 'a', priority: 0 });
    queue.push('repair-b', 'repair-b', { flow: 'b', priority: 1 });
    queue.push('repair-a', 'repair-a', { flow: 'a', priority: 1 });
    assert.deepEqual(drain(queue).slice(0, 3), ['repair-b', 'repair-a', 'a0']);
  });

  test('one entry per key; a higher priority moves it up, a lower one changes nothing', () => {
    const queue = new FairQueue<string>();
    queue.push('x', 'first', { flow: 'a', priority: 0 });
    queue.push('y', 'y', { flow: 'a', priority: 0 });
    queue.push('x', 'again', { flow: 'a', priority: 0 });
    assert.equal(queue.size, 2);
    queue.push('y', 'urgent', { flow: 'a', priority: 1 });
    queue.push('y', 'calm', { flow: 'a', priority: 0 });
    assert.equal(queue.size, 2);
    assert.deepEqual(drain(queue), ['urgent', 'first']);
  });

  test('delete takes an entry out wherever it waits', () => {
    const queue = new FairQueue<string>();
    queue.push('x', 'x', { flow: 'a', priority: 1 });
    queue.push('y', 'y', { flow: 'b', priority: 0 });
    assert.equal(queue.delete('x'), true);
    assert.equal(queue.delete('x'), false);
    assert.deepEqual(drain(queue), ['y']);
    assert.equal(queue.size, 0);
  });

  test('no starvation: with 1,000 flows adding as fast as they are served, each is served every round', () => {
    const queue = new FairQueue<string>();
    const flows = 1000;
    for (let f = 0; f < flows; f++) queue.push(`${f}:0`, String(f), { flow: String(f), priority: 0 });
    const served = new Map<string, number>();
    let seq = 0;
    for (let i = 0; i < flows * 5; i++) {
      const next = queue.shift();
      assert.ok(next);
      served.set(next.item, (served.get(next.item) ?? 0) + 1);
      // Every flow adds another entry as soon as it is served: a flood that never ends.
      queue.push(`${next.item}:${++seq}`, next.item, { flow: next.item, priority: 0 });
    }
    assert.deepEqual(new Set(served.values()), new Set([5]));
  });
});

describe('WorkQueue with flows and priorities', () => {
  const backoff = { initialMs: 20, maxMs: 20 };
  interface Job {
    key: string;
    flow: string;
    urgent?: boolean;
  }
  function queueOf(handler: (job: Job) => Promise<WorkResult>, workers = 1) {
    return new WorkQueue<Job>(handler, {
      workers,
      backoff,
      key: (job) => job.key,
      flow: (job) => job.flow,
      priority: (job) => (job.urgent ? 1 : 0),
    });
  }

  test("one tenant's backlog does not hold up another's one item; urgent work goes first", async () => {
    const order: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const queue = queueOf(async (job) => {
      order.push(job.key);
      if (job.key === 'hold') await gate;
      return { kind: 'done' };
    });
    queue.add({ key: 'hold', flow: 'a' });
    for (let i = 0; i < 100; i++) queue.add({ key: `a${i}`, flow: 'a' });
    queue.add({ key: 'b0', flow: 'b' });
    queue.add({ key: 'a50', flow: 'a', urgent: true });
    release();
    await queue.idle();
    assert.deepEqual(order.slice(0, 4), ['hold', 'a50', 'b0', 'a0']);
    assert.equal(order.length, 102);
  });

  test('an item re-added while it runs is run again once, at the higher priority of the two', async () => {
    const runs: Job[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const queue = queueOf(async (job) => {
      runs.push(job);
      if (runs.length === 1) await gate;
      return { kind: 'done' };
    });
    queue.add({ key: 'k', flow: 'a' });
    await new Promise((resolve) => setTimeout(resolve, 5));
    queue.add({ key: 'k', flow: 'a', urgent: true });
    queue.add({ key: 'k', flow: 'a' });
    release();
    await queue.idle();
    assert.deepEqual(
      runs.map((job) => Boolean(job.urgent)),
      [false, true],
    );
  });

  test('a failing item backs off in its own flow; the other flow is served meanwhile', async () => {
    const times = new Map<string, number[]>();
    const started = performance.now();
    const queue = queueOf(async (job) => {
      const seen = times.get(job.key) ?? [];
      seen.push(performance.now() - started);
      times.set(job.key, seen);
      return seen.length < 3 && job.key === 'broken' ? { kind: 'retry' } : { kind: 'done' };
    });
    queue.add({ key: 'broken', flow: 'a' });
    queue.add({ key: 'fine', flow: 'b' });
    for (let i = 0; i < 100 && (times.get('broken')?.length ?? 0) < 3; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await queue.idle();
    const broken = times.get('broken') ?? [];
    assert.equal(broken.length, 3);
    assert.equal(times.get('fine')?.length, 1);
    assert.ok((times.get('fine')?.[0] ?? Infinity) < (broken[1] ?? 0), 'served during the backoff');
    assert.ok((broken[1] ?? 0) - (broken[0] ?? 0) >= 9, 'retried after at least half the backoff step');
    await queue.stop();
  });
});
