import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RecentServiceEvents, type ServiceEventObservation } from '../../src/domain/recent-events.ts';

function event(serviceUid: string, reason: string, lastTimestamp: string): ServiceEventObservation {
  return {
    serviceUid,
    type: 'Normal',
    reason,
    message: reason,
    count: 1,
    firstTimestamp: lastTimestamp,
    lastTimestamp,
    source: 'exposure-api',
  };
}

const at = (second: number) => `2026-12-02T10:00:${String(second).padStart(2, '0')}Z`;

describe('the recent events of each Service', () => {
  test('newest first by lastTimestamp; ties go to the later arrival; other Services apart', () => {
    const events = new RecentServiceEvents();
    events.set('a1', event('a', 'Old', at(1)));
    events.set('a2', event('a', 'New', at(5)));
    events.set('a3', event('a', 'SameSecondEarlier', at(3)));
    events.set('a4', event('a', 'SameSecondLater', at(3)));
    events.set('b1', event('b', 'Other', at(9)));
    assert.deepEqual(
      events.forService('a').map((e) => e.reason),
      ['New', 'SameSecondLater', 'SameSecondEarlier', 'Old'],
    );
    assert.deepEqual(
      events.forService('b').map((e) => e.reason),
      ['Other'],
    );
    assert.deepEqual(events.forService('none'), []);
  });

  test('a repeat (same key, count bumped) replaces the event and moves it up', () => {
    const events = new RecentServiceEvents();
    events.set('x', event('a', 'Failed', at(1)));
    events.set('y', event('a', 'Created', at(2)));
    events.set('x', { ...event('a', 'Failed', at(4)), count: 2, firstTimestamp: at(1) });
    assert.deepEqual(
      events.forService('a').map((e) => [e.reason, e.count]),
      [
        ['Failed', 2],
        ['Created', 1],
      ],
    );
    assert.equal(events.size, 2);
  });

  test('the same array is returned while nothing changed for that Service', () => {
    const events = new RecentServiceEvents();
    events.set('a1', event('a', 'One', at(1)));
    const first = events.forService('a');
    events.set('b1', event('b', 'Elsewhere', at(2)));
    assert.equal(events.forService('a'), first);
    events.set('a2', event('a', 'Two', at(3)));
    assert.notEqual(events.forService('a'), first);
  });

  test('bounded per Service (the oldest go) and in total (the earliest arrivals go)', () => {
    const events = new RecentServiceEvents({ perService: 3, total: 5 });
    for (let i = 0; i < 5; i++) events.set(`a${i}`, event('a', `A${i}`, at(10 + i)));
    assert.deepEqual(
      events.forService('a').map((e) => e.reason),
      ['A4', 'A3', 'A2'],
    );
    for (let i = 0; i < 3; i++) events.set(`b${i}`, event('b', `B${i}`, at(20 + i)));
    assert.equal(events.size, 5);
    assert.deepEqual(
      events.forService('a').map((e) => e.reason),
      ['A4', 'A3'],
    );
    assert.equal(events.get('a2'), undefined);
  });

  test('events not accepted are not kept; a Service that is gone is forgotten', () => {
    const events = new RecentServiceEvents(undefined, (e) => e.serviceUid !== 'unmanaged');
    events.set('u', event('unmanaged', 'Elsewhere', at(1)));
    events.set('a', event('a', 'Ours', at(1)));
    assert.equal(events.get('u'), undefined);
    assert.deepEqual([...events.keys()], ['a']);
    events.forgetService('a');
    assert.equal(events.size, 0);
    assert.deepEqual(events.forService('a'), []);
  });
});
