// Watch streams over real sockets: a client that stops reading gets only the latest event once it
// reads again, is cut when it stays behind too long, and never delays the others; idle streams get
// heartbeats; the limits per caller and in all; closing all of them ends each one cleanly.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, get, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, afterEach, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { WatchSnapshot } from '../../src/application/watch/watch-topic.ts';
import type { EventStream } from '../../src/edge/watch/event-stream.ts';
import { ExposureFrames } from '../../src/edge/watch/sse-frames.ts';
import { type StreamLimits, StreamRegistry } from '../../src/edge/watch/stream-registry.ts';
import type { Exposure } from '../../src/schemas/exposure.ts';
import { EventStreamReader } from '../support/event-stream-reader.ts';
import { eventually } from '../support/eventually.ts';

/** Large enough that a client who stops reading fills the socket buffers within a few dozen events. */
const PAYLOAD_BYTES = 512 * 1024;

function snapshot(version: number): WatchSnapshot {
  const exposure = { version, payload: 'x'.repeat(PAYLOAD_BYTES) } as unknown as Exposure;
  return { version: `v${version}`, exposure, etag: '"e"' };
}

/** The id of each event a client read (the name for events without one). */
function seen(reader: EventStreamReader): string[] {
  return reader.events.map((event) => event.id ?? event.event ?? '?');
}

describe('watch streams over sockets', () => {
  let server: Server;
  let port: number;
  let registry: StreamRegistry;
  const opened: EventStream[] = [];
  const frames = new ExposureFrames((exposure) => JSON.stringify(exposure));
  let limits: StreamLimits;

  function useRegistry(overrides: Partial<StreamLimits> = {}): void {
    limits = { perCaller: 10, total: 10, heartbeatMs: 60_000, slowReaderMs: 60_000, ...overrides };
    registry = new StreamRegistry(limits);
  }

  const connect = (subject: string, reading: boolean) =>
    EventStreamReader.open(`http://127.0.0.1:${port}/${subject}`, {}, { reading });

  before(async () => {
    server = createServer((request, response) => {
      const admitted = registry.admit(request.url?.slice(1) ?? '', response, frames);
      if ('refused' in admitted) {
        response.writeHead(429).end(admitted.refused);
        return;
      }
      admitted.open({ 'content-type': 'text/event-stream' }, 'hello');
      opened.push(admitted);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  });
  afterEach(() => {
    registry.closeAll('test over');
    opened.length = 0;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  /** Publishes each snapshot to every open stream once the reading client has the one before. */
  async function publishPaced(from: number, to: number, reader: EventStreamReader): Promise<void> {
    for (let version = from; version <= to; version++) {
      const current = snapshot(version);
      for (const stream of opened) stream.snapshot(current);
      await eventually(
        () => seen(reader).at(-1),
        (last) => last === `v${version}`,
        { timeoutMs: 5_000, intervalMs: 2, what: `v${version} at the reading client` },
      );
    }
  }

  /** A client that reads and one that does not, both with their stream open. */
  async function readerAndStalled() {
    const reader = await connect('reader', true);
    const stalled = await connect('stalled', false);
    await eventually(
      () => opened.length,
      (count) => count === 2,
    );
    return { reader, stalled, stalledStream: opened[1] as EventStream };
  }

  /** Publishes, paced by the reading client, until the stalled stream is behind; the last version. */
  async function publishUntilBehind(stalledStream: EventStream, reader: EventStreamReader): Promise<number> {
    let version = 0;
    while (stalledStream.behindFor(performance.now()) === 0) {
      version++;
      await publishPaced(version, version, reader);
      assert.ok(version < 200, 'the stalled client never fell behind');
    }
    return version;
  }

  test('a client that stops reading gets the latest event when it reads again, and delays no one', async () => {
    useRegistry();
    const { reader, stalled, stalledStream } = await readerAndStalled();
    const started = performance.now();
    await publishPaced(1, 40, reader);
    const elapsedMs = performance.now() - started;
    assert.deepEqual(
      seen(reader),
      Array.from({ length: 40 }, (_, i) => `v${i + 1}`),
      'the reading client gets every event',
    );
    assert.ok(stalledStream.behindFor(performance.now()) > 0, 'the stalled client is behind');
    assert.ok(elapsedMs < 10_000, `40 events took ${elapsedMs.toFixed(0)} ms at the reading client`);

    stalled.response.resume();
    await eventually(
      () => seen(stalled).at(-1),
      (last) => last === 'v40',
      { what: 'the latest event at the stalled client' },
    );
    assert.ok(stalled.events.length < 40, `only the latest was kept: ${stalled.events.length} of 40 arrived`);
    const versions = seen(stalled).map((id) => Number(id.slice(1)));
    assert.deepEqual(
      versions,
      [...versions].sort((a, b) => a - b),
      'in order',
    );

    for (const stream of opened) stream.deleted('exp_gone');
    await eventually(
      () => reader.ended && stalled.ended,
      (ended) => ended,
      { what: 'both streams ended after `deleted`' },
    );
    assert.equal(seen(reader).at(-1), 'deleted');
    assert.equal(seen(stalled).at(-1), 'deleted');
    await eventually(
      () => registry.open,
      (open) => open === 0,
    );
  });

  test('a client that stays behind longer than the limit is cut; the others go on', async () => {
    useRegistry({ slowReaderMs: 300 });
    const { reader, stalled, stalledStream } = await readerAndStalled();
    const version = await publishUntilBehind(stalledStream, reader);
    await eventually(
      () => stalledStream.closed,
      (closed) => closed,
      { timeoutMs: 3_000, what: 'the stalled stream cut' },
    );
    assert.equal(registry.open, 1);
    await publishPaced(version + 1, version + 1, reader);
    stalled.response.resume();
    await eventually(
      () => stalled.cut || stalled.ended,
      (over) => over,
      { what: 'the stalled client sees its connection end' },
    );
    assert.notEqual(seen(stalled).at(-1), `v${version + 1}`, 'nothing reaches a cut stream');
  });

  test('an idle stream gets heartbeat comments', async () => {
    useRegistry({ heartbeatMs: 200 });
    const client = await connect('idle', true);
    await sleep(700);
    assert.equal(client.comments[0], 'hello');
    const heartbeats = client.comments.filter((comment) => comment === 'heartbeat').length;
    assert.ok(heartbeats >= 2 && heartbeats <= 4, `${heartbeats} heartbeats in 700 ms`);
    const current = snapshot(1);
    for (const stream of opened) stream.snapshot(current);
    await sleep(150);
    assert.equal(
      client.comments.filter((comment) => comment === 'heartbeat').length,
      heartbeats,
      'no heartbeat right after an event',
    );
  });

  test('streams are limited per caller and in all; a closed stream frees its place', async () => {
    useRegistry({ perCaller: 2, total: 3 });
    const refusals: string[] = [];
    const statusOf = async (subject: string) => {
      const request = get({ host: '127.0.0.1', port, path: `/${subject}`, agent: false });
      const [response] = (await once(request, 'response')) as [IncomingMessage];
      if (response.statusCode === 429) {
        response.setEncoding('utf8');
        let body = '';
        for await (const chunk of response) body += chunk;
        refusals.push(body);
      }
      return { status: response.statusCode, response };
    };
    const first = await statusOf('alice');
    assert.equal(first.status, 200);
    assert.equal((await statusOf('alice')).status, 200);
    assert.equal((await statusOf('alice')).status, 429);
    assert.match(refusals[0] ?? '', /you hold 2 open watch streams/);
    assert.equal((await statusOf('bob')).status, 200);
    assert.equal((await statusOf('carol')).status, 429);
    assert.match(refusals[1] ?? '', /this replica holds 3 watch streams/);
    first.response.destroy();
    await eventually(
      () => registry.open,
      (open) => open === 2,
    );
    assert.equal((await statusOf('carol')).status, 200);
  });

  test('closing all ends each stream cleanly, cuts the ones that are behind, and admits no more', async () => {
    useRegistry();
    const { reader, stalled, stalledStream } = await readerAndStalled();
    await publishUntilBehind(stalledStream, reader);
    registry.closeAll('stopping');
    await eventually(
      () => reader.ended && stalledStream.closed,
      (over) => over,
      { what: 'every stream closed' },
    );
    assert.equal(reader.comments.at(-1), 'stopping');
    assert.equal(reader.cut, false, 'the reading client saw a clean end');
    stalled.response.resume();
    await stalled.closed();
    assert.equal(stalled.cut, true, 'the stalled client saw its connection cut');
    const late = get({ host: '127.0.0.1', port, path: '/late', agent: false });
    const [response] = (await once(late, 'response')) as [IncomingMessage];
    assert.equal(response.statusCode, 429);
    response.resume();
  });
});
