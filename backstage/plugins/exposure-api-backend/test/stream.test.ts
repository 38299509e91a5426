// An exposure's status stream through the plugin and Backstage's production HTTP stack, whose root
// router compresses answers: the stream passes uncompressed and unbuffered — the first event arrives
// while the stream is open, the deletion ends it — while an ordinary answer is compressed. It is read
// with the typed client, as a browser-side fetch would read it (gzip accepted), resuming included.
import '../../../test-support/jest-shim.ts';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { mockCredentials } from '@backstage/backend-test-utils';
import { createExposureClient, type WatchEvent } from '@exposure-api/client';
import type { TestBackend } from '../../../test-support/backend.ts';
import { SANDBOX_TOKENS, type Sandbox, startExposureSandbox } from '../../../test-support/sandbox.ts';
import { callPlugin, startPluginBackend } from './plugin-backend.ts';

const ENTITY = '/api/exposure-api/entities/default/component/search-es';

let sandbox: Sandbox;
let backend: TestBackend;
/** Ends the watches if the test fails before they end by themselves. */
const watches = new AbortController();
before(async () => {
  sandbox = await startExposureSandbox();
  backend = await startPluginBackend({ exposureApiUrl: sandbox.apiUrl });
});
after(async () => {
  watches.abort();
  await backend?.stop();
  await sandbox?.close();
});

test('the stream passes through the compressing root router as it is written, and resumes with Last-Event-ID', async () => {
  const exposures = createExposureClient({ baseUrl: sandbox.apiUrl, token: SANDBOX_TOKENS.admin.token });
  const { value } = await exposures.create(
    {
      namespace: 'search',
      name: 'es-watched',
      selector: { app: 'elasticsearch' },
      ports: [{ port: 9200 }],
      sourceRanges: ['203.0.113.0/24'],
      labels: { app: 'elasticsearch' },
    },
    { waitSeconds: 10 },
  );
  // An ordinary answer is gzipped by the root router: the compression the stream has to get past.
  const read = await callPlugin(
    backend,
    'GET',
    `/entities/default/component/search-es/exposures/${value.id}`,
  );
  assert.equal(read.status, 200);
  assert.equal(read.headers.get('content-encoding'), 'gzip');

  const streamHeaders: Headers[] = [];
  // The typed client reads the plugin's stream: the plugin serves /…/exposures/{id}/watch under the entity.
  const throughBackstage = createExposureClient({
    baseUrl: `${backend.url}${ENTITY}`,
    token: mockCredentials.user.token('user:default/alice'),
    fetch: async (request) => {
      const response = await fetch(request);
      streamHeaders.push(response.headers);
      return response;
    },
  });
  const started = performance.now();
  const watch = throughBackstage.watchExposure(value.id, { signal: watches.signal })[Symbol.asyncIterator]();
  // Were the stream held back (compressed, buffered), this would wait until the stream ends, and the
  // stream only ends once the exposure is deleted, below.
  const first = await within(10_000, watch.next());
  const firstAfterMs = performance.now() - started;
  console.log(`first event through Backstage after ${firstAfterMs.toFixed(0)} ms`);
  assert.equal(first.done, false);
  const event = first.value as WatchEvent;
  assert.ok(event.type === 'exposure' && event.exposure.status.phase === 'Ready');
  assert.equal(streamHeaders[0]?.get('content-type'), 'text/event-stream; charset=utf-8');
  assert.equal(streamHeaders[0]?.get('content-encoding'), null, 'not compressed');
  assert.equal(streamHeaders[0]?.get('cache-control'), 'no-cache, no-transform');

  // A second watcher resuming from the first event: nothing is repeated.
  const resumed = throughBackstage
    .watchExposure(value.id, { lastEventId: event.eventId, signal: watches.signal })
    [Symbol.asyncIterator]();
  const resumedEvents = drain(resumed);
  await exposures.delete(value.id);
  for (const events of [await drain(watch), await resumedEvents]) {
    assert.deepEqual(events.at(-1), { type: 'deleted', id: value.id }, 'the deletion ends the stream');
    const before = events.slice(0, -1);
    assert.ok(before.every((e) => e.type === 'exposure' && e.exposure.status.phase === 'Deleting'));
    assert.ok(!events.some((e) => e.eventId === event.eventId), 'the first state is not sent again');
  }
});

function within<T>(ms: number, promise: Promise<T>): Promise<T> {
  const timeout = new Promise<never>((_, reject) => {
    setTimeout(() => reject(new Error(`nothing arrived within ${ms} ms`)), ms).unref();
  });
  return Promise.race([promise, timeout]);
}

async function drain(events: AsyncIterator<WatchEvent>): Promise<WatchEvent[]> {
  const all: WatchEvent[] = [];
  for (let next = await events.next(); !next.done; next = await events.next()) all.push(next.value);
  return all;
}
