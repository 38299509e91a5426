// The typed client's watchExposure against the sandbox over real HTTP: the exposure now, exactly one
// event when a node fails (within a probe interval), resuming after a dropped connection without
// missing or repeating anything, the end of a deleted exposure, abort, problems; and the token
// provider and impersonation headers. The caller's signal (an abort, or a timeout combined with it as
// the Backstage step does) ends a watch whatever the garbage collector did meanwhile, while the
// response is read and while the request still waits for one, and when the caller's fetch does not
// pass the signal on: a watch that cannot be ended holds its connection, and its caller, forever.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  type CreateExposureRequest,
  createExposureClient,
  ExposureApiError,
  type ExposureClient,
  type WatchEvent,
} from '../../clients/typescript/src/index.ts';
import type { Sandbox } from '../../src/sandbox/sandbox.ts';
import { createRequest } from '../builders/create-request.ts';
import { ADMIN, call, probeSettings, startTestSandbox } from '../support/test-sandbox.ts';

const PROBE_INTERVAL_MS = 1500;
const TOKEN = 'search-team-token';
/** Far longer than an ended watch takes to notice, far shorter than a watch that never ends. */
const ENDS_WITHIN_MS = 5_000;

// A full collection on demand, in this process only: what a busy process does at some point.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/** Takes events from a watch one at a time, with a deadline for each. */
class EventTaker {
  readonly #iterator: AsyncIterator<WatchEvent>;
  #pending: Promise<IteratorResult<WatchEvent>> | undefined;

  constructor(events: AsyncIterable<WatchEvent>) {
    this.#iterator = events[Symbol.asyncIterator]();
  }

  /** The next event, or undefined if none arrives within `ms` (the wait goes on for the next call). */
  async next(ms: number): Promise<WatchEvent | 'end' | undefined> {
    this.#pending ??= this.#iterator.next();
    const result = await Promise.race([this.#pending, sleep(ms).then(() => undefined)]);
    if (result === undefined) return undefined;
    this.#pending = undefined;
    return result.done ? 'end' : result.value;
  }

  async stop(): Promise<void> {
    await this.#iterator.return?.();
  }
}

function exposureEvent(event: WatchEvent | 'end' | undefined): Extract<WatchEvent, { type: 'exposure' }> {
  assert.ok(
    event && event !== 'end' && event.type === 'exposure',
    `an exposure event, not ${JSON.stringify(event)}`,
  );
  return event;
}

function healthOf(event: WatchEvent | 'end' | undefined): Record<string, string> {
  return Object.fromEntries(exposureEvent(event).exposure.endpoints.map((e) => [e.node, e.health.state]));
}

/** Whether iterating `events` ends within ENDS_WITHIN_MS, collecting garbage on every event. */
async function endsInTime(events: AsyncIterable<WatchEvent>, whenFirst: () => void): Promise<boolean> {
  let first = true;
  const ended = (async () => {
    for await (const _ of events) {
      collectGarbage();
      if (first) whenFirst();
      first = false;
    }
    return true;
  })();
  return Promise.race([ended, sleep(ENDS_WITHIN_MS).then(() => false)]);
}

describe('watching through the typed client', () => {
  let sandbox: Sandbox;
  let client: ExposureClient;
  let id: string;

  async function patchLabel(value: string): Promise<void> {
    await client.patch(id, { labels: { app: 'elasticsearch', team: 'search', stage: value } });
  }

  before(async () => {
    sandbox = await startTestSandbox({
      config: {
        probe: probeSettings(PROBE_INTERVAL_MS),
      },
    });
    client = createExposureClient({ baseUrl: sandbox.apiUrl, token: TOKEN });
    const created = await client.create(createRequest() as CreateExposureRequest, { waitSeconds: 10 });
    assert.equal(created.value.status.phase, 'Ready');
    id = created.value.id;
  });
  after(() => sandbox.close());

  test('the exposure now, then exactly one event when a node fails, within one probe interval', async () => {
    const controller = new AbortController();
    const events = new EventTaker(client.watchExposure(id, { signal: controller.signal }));
    const first = exposureEvent(await events.next(5_000));
    assert.equal(first.exposure.id, id);
    assert.match(first.eventId, /^[A-Za-z0-9_-]{22}$/);
    assert.deepEqual(healthOf(first), {
      'sandbox-node-1': 'Healthy',
      'sandbox-node-2': 'Healthy',
      'sandbox-node-3': 'Healthy',
    });

    const failed = await call(sandbox, {
      method: 'POST',
      url: '/sandbox/nodes/sandbox-node-2/fail',
      headers: { authorization: ADMIN },
    });
    assert.equal(failed.status, 200);
    const failedAt = performance.now();
    // One probe round at most an interval away, plus the time the round takes on a busy machine.
    const change = await events.next(PROBE_INTERVAL_MS + 1_000);
    const seenAfterMs = performance.now() - failedAt;
    assert.deepEqual(healthOf(change), {
      'sandbox-node-1': 'Healthy',
      'sandbox-node-2': 'Unhealthy',
      'sandbox-node-3': 'Healthy',
    });
    assert.equal(exposureEvent(change).exposure.status.conditions[2]?.reason, 'PartiallyHealthy');
    assert.ok(seenAfterMs <= PROBE_INTERVAL_MS + 1_000, `seen after ${seenAfterMs.toFixed(0)} ms`);
    assert.equal(await events.next(PROBE_INTERVAL_MS * 2.5), undefined, 'exactly one event for the failure');

    await call(sandbox, {
      method: 'POST',
      url: '/sandbox/nodes/sandbox-node-2/restore',
      headers: { authorization: ADMIN },
    });
    assert.equal(healthOf(await events.next(PROBE_INTERVAL_MS * 3))['sandbox-node-2'], 'Healthy');
    controller.abort();
    assert.equal(await events.next(2_000), 'end', 'abort ends the iteration without an error');
  });

  test('a dropped connection is resumed with the last event id: nothing missed, nothing repeated', async () => {
    const requests: { lastEventId: string | null }[] = [];
    let cutNextAfterFirstEvent = true;
    // A fetch that cuts the first stream after its first event, as a proxy dropping it would.
    const dropping = async (request: Request): Promise<Response> => {
      requests.push({ lastEventId: request.headers.get('last-event-id') });
      const response = await fetch(request);
      if (!cutNextAfterFirstEvent || !response.body) return response;
      cutNextAfterFirstEvent = false;
      const reader = response.body.getReader();
      let eventPassed = false;
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          if (eventPassed) {
            // Give the event that passed time to reach the caller, then drop the connection.
            await sleep(100);
            await reader.cancel();
            controller.error(new TypeError('terminated'));
            return;
          }
          const { value, done } = await reader.read();
          if (done) return controller.close();
          controller.enqueue(value);
          eventPassed = new TextDecoder().decode(value).includes('event: exposure');
        },
      });
      return new Response(body, { status: response.status, headers: response.headers });
    };
    const dropped = createExposureClient({
      baseUrl: sandbox.apiUrl,
      token: TOKEN,
      fetch: dropping,
      reconnect: { initialDelayMs: 50 },
    });
    const controller = new AbortController();
    const events = new EventTaker(dropped.watchExposure(id, { signal: controller.signal }));
    const first = exposureEvent(await events.next(5_000));
    // Waiting for the next event, the watch finds the connection dropped and resumes.
    assert.equal(await events.next(PROBE_INTERVAL_MS * 2), undefined, 'unchanged: nothing repeated');
    assert.deepEqual(
      requests,
      [{ lastEventId: null }, { lastEventId: first.eventId }],
      'resumed after the cut',
    );
    await patchLabel('resumed');
    const changed = exposureEvent(await events.next(5_000));
    assert.equal(changed.exposure.labels.stage, 'resumed');
    controller.abort();
    await events.stop();

    // Changed while nobody watched: a watch resumed from the older id gets the new state at once.
    await patchLabel('while-away');
    const resumed = new EventTaker(client.watchExposure(id, { lastEventId: changed.eventId }));
    const missed = exposureEvent(await resumed.next(2_000));
    assert.equal(missed.exposure.labels.stage, 'while-away');
    assert.notEqual(missed.eventId, changed.eventId);
    await resumed.stop();
  });

  test('a deleted exposure ends the watch, also when it went while the watch was away', async () => {
    const doomed = await client.create(
      createRequest({
        name: 'doomed',
        ports: [{ port: 9200, nodePort: 30931 }],
      }) as CreateExposureRequest,
      { waitSeconds: 10 },
    );
    const events = new EventTaker(client.watchExposure(doomed.value.id));
    const seen = exposureEvent(await events.next(5_000));
    assert.deepEqual(await client.delete(doomed.value.id), { state: 'deleted' });
    let last: WatchEvent | 'end' | undefined;
    for (;;) {
      const event = await events.next(5_000);
      assert.ok(event, 'the watch goes on until the deleted event');
      if (event === 'end') break;
      last = event;
    }
    assert.deepEqual(last, { type: 'deleted', id: doomed.value.id });

    const late = new EventTaker(client.watchExposure(doomed.value.id, { lastEventId: seen.eventId }));
    assert.deepEqual(await late.next(5_000), { type: 'deleted', id: doomed.value.id });
    assert.equal(await late.next(1_000), 'end');
  });

  test('a service that stays unavailable is retried with backoff, a bounded number of times', async () => {
    const attempts: number[] = [];
    const unavailable = createServer((_request, response) => {
      attempts.push(performance.now());
      const status = attempts.length === 1 ? 429 : 503;
      response.writeHead(status, { 'content-type': 'application/problem+json' });
      response.end(
        JSON.stringify({ type: '/problems/kubernetes-unavailable', title: 'Unavailable', status }),
      );
    });
    unavailable.listen(0, '127.0.0.1');
    await once(unavailable, 'listening');
    const { port } = unavailable.address() as AddressInfo;
    const retrying = createExposureClient({
      baseUrl: `http://127.0.0.1:${port}`,
      token: TOKEN,
      reconnect: { initialDelayMs: 40, maxAttempts: 4 },
    });
    try {
      await assert.rejects(
        retrying.watchExposure(id)[Symbol.asyncIterator]().next(),
        (error: unknown) => error instanceof ExposureApiError && error.status === 503,
      );
    } finally {
      unavailable.close();
    }
    assert.equal(attempts.length, 4, 'four attempts, then the last problem is thrown');
    const gaps = attempts.slice(1).map((at, i) => at - (attempts[i] as number));
    // Doubling from 40 ms, each delay between half and all of its ceiling: 20-40, 40-80, 80-160.
    assert.ok(
      gaps.every((gap, i) => gap >= 20 * 2 ** i - 5),
      `delays ${gaps.map((g) => g.toFixed(0))}`,
    );
  });

  test('an abort after a garbage collection ends the watch', async () => {
    const controller = new AbortController();
    const events = client.watchExposure(id, { signal: controller.signal });
    assert.ok(await endsInTime(events, () => setTimeout(() => controller.abort(), 200)));
  });

  test("a timeout combined with the caller's signal ends the watch after a garbage collection", async () => {
    const cancel = new AbortController();
    const signal = AbortSignal.any([cancel.signal, AbortSignal.timeout(1_000)]);
    assert.ok(await endsInTime(client.watchExposure(id, { signal }), () => {}));
    assert.equal(cancel.signal.aborted, false, 'ended by the timeout');
  });

  test('an abort ends the watch when the fetch does not pass the signal on', async () => {
    const signalDropping = createExposureClient({
      baseUrl: sandbox.apiUrl,
      token: TOKEN,
      fetch: (request) => fetch(request.url, { headers: request.headers }),
    });
    const controller = new AbortController();
    const events = signalDropping.watchExposure(id, { signal: controller.signal });
    assert.ok(await endsInTime(events, () => controller.abort()));
  });

  test('an abort ends a watch still waiting for its response, after a garbage collection', async () => {
    // Takes the request and never answers, as a stuck proxy would.
    const silent = createServer(() => {});
    await new Promise<void>((listening) => silent.listen(0, '127.0.0.1', listening));
    const { port } = silent.address() as AddressInfo;
    const waiting = createExposureClient({ baseUrl: `http://127.0.0.1:${port}`, token: TOKEN });
    const controller = new AbortController();
    const collecting = setInterval(collectGarbage, 50);
    try {
      const events = waiting.watchExposure(id, { signal: controller.signal });
      setTimeout(() => controller.abort(), 500);
      assert.ok(await endsInTime(events, () => {}), 'the pending request was given up');
    } finally {
      clearInterval(collecting);
      silent.closeAllConnections();
      silent.close();
    }
  });

  test('problems throw ExposureApiError; a token provider is asked per request; impersonation is sent', async () => {
    const unknown = client.watchExposure('exp_01jd6y8c3k2v7d9q4r5s6t7v8w')[Symbol.asyncIterator]().next();
    await assert.rejects(unknown, (error: unknown) => {
      assert.ok(error instanceof ExposureApiError);
      assert.equal(error.status, 404);
      assert.equal(error.type, '/problems/exposure-not-found');
      return true;
    });
    const unauthenticated = createExposureClient({ baseUrl: sandbox.apiUrl, token: 'wrong' });
    await assert.rejects(
      unauthenticated.watchExposure(id)[Symbol.asyncIterator]().next(),
      (error: unknown) => error instanceof ExposureApiError && error.status === 401,
    );

    const sent: Headers[] = [];
    let asked = 0;
    const acting = createExposureClient({
      baseUrl: sandbox.apiUrl,
      token: async () => {
        asked++;
        return `${TOKEN}\n`;
      },
      impersonate: { user: 'user:default/jane', groups: ['group:default/search', 'group:default/oncall'] },
      fetch: (request) => {
        sent.push(new Headers(request.headers));
        return fetch(request);
      },
    });
    assert.equal((await acting.get(id)).value.id, id);
    const watching = new EventTaker(acting.watchExposure(id));
    exposureEvent(await watching.next(5_000));
    await watching.stop();
    assert.equal(asked, 2, 'once per request');
    for (const headers of sent) {
      assert.equal(headers.get('authorization'), `Bearer ${TOKEN}`);
      assert.equal(headers.get('impersonate-user'), 'user:default/jane');
      assert.equal(headers.get('impersonate-group'), 'group:default/search, group:default/oncall');
    }
    assert.equal(sent[1]?.get('accept'), 'text/event-stream');
  });
});
