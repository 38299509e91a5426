// GET /exposures/{id}/watch through a real listener: the stream's headers and first event (the
// exposure as GET serves it), heartbeats, resuming with Last-Event-ID or ?lastEventId, 200 watchers
// at no cost to the Kubernetes or GCE API, tenancy, deletion, the limits on open streams, and a
// graceful stop that ends the streams instead of waiting for them.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Sandbox } from '../../src/sandbox/sandbox.ts';
import { createRequest } from '../builders/create-request.ts';
import { countApiCalls } from '../support/counting-cluster.ts';
import { EventStreamReader } from '../support/event-stream-reader.ts';
import { eventually } from '../support/eventually.ts';
import { ADMIN, call, probeSettings, SEARCH_TEAM, startTestSandbox } from '../support/test-sandbox.ts';

const PROBE_INTERVAL_MS = 1000;
const PROBES = probeSettings(PROBE_INTERVAL_MS);

interface ExposureJson {
  id: string;
  labels: Record<string, string>;
  status: { phase: string };
  endpoints: { node: string; health: { state: string } }[];
}

/** Creates an exposure; unless it can never be Ready (`settle: false`), waits until it is. */
async function create(
  sandbox: Sandbox,
  overrides: Record<string, unknown> = {},
  options: { settle: boolean } = { settle: true },
): Promise<string> {
  const created = await call<ExposureJson>(sandbox, {
    method: 'POST',
    url: '/exposures',
    headers: {
      authorization: ADMIN,
      'content-type': 'application/json',
      ...(options.settle && { prefer: 'wait=10' }),
    },
    payload: JSON.stringify(createRequest(overrides)),
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  if (options.settle) assert.equal(created.body.status.phase, 'Ready');
  return created.body.id;
}

function watchUrl(sandbox: Sandbox, id: string, query = ''): string {
  return `${sandbox.apiUrl}/exposures/${id}/watch${query}`;
}

function exposureOf(event: { data: string }): ExposureJson {
  return JSON.parse(event.data) as ExposureJson;
}

async function sandboxNode(sandbox: Sandbox, node: string, action: 'fail' | 'restore'): Promise<void> {
  const response = await call(sandbox, {
    method: 'POST',
    url: `/sandbox/nodes/${node}/${action}`,
    headers: { authorization: ADMIN },
  });
  assert.equal(response.status, 200);
}

async function probesSoFar(sandbox: Sandbox): Promise<number> {
  const metrics = await sandbox.runtime.app.inject({ method: 'GET', url: '/metrics' });
  let total = 0;
  for (const match of metrics.body.matchAll(/^exposure_api_probes_total\{[^}]*\} (\d+)$/gm)) {
    total += Number(match[1]);
  }
  return total;
}

/** The JSON of an exposure without what each probe renews. */
function withoutProbeTimes(json: string): string {
  return JSON.stringify(JSON.parse(json), (key, value: unknown) =>
    key === 'checkedAt' || key === 'latencyMs' ? undefined : value,
  );
}

describe('GET /exposures/{id}/watch', () => {
  let sandbox: Sandbox;
  let id: string;
  before(async () => {
    sandbox = await startTestSandbox({
      config: {
        probe: PROBES,
        // 200 watchers from one address: more connections than the default cap per address.
        server: {
          watchHeartbeatSeconds: 1,
          watchStreamsPerCaller: 300,
          watchStreamsMax: 500,
          maxConnectionsPerAddress: 400,
        },
      },
    });
    id = await create(sandbox);
  });
  after(() => sandbox.close());

  test('answers a stream that starts with the exposure exactly as GET serves it, then heartbeats', async () => {
    const reader = await EventStreamReader.open(watchUrl(sandbox, id), { authorization: SEARCH_TEAM });
    assert.equal(reader.status, 200);
    assert.equal(reader.headers['content-type'], 'text/event-stream; charset=utf-8');
    assert.equal(reader.headers['cache-control'], 'no-cache, no-transform');
    assert.equal(reader.headers['x-accel-buffering'], 'no');
    assert.ok(reader.headers['x-request-id']);
    const first = await reader.event(1);
    assert.equal(first.event, 'exposure');
    assert.match(first.id ?? '', /^[A-Za-z0-9_-]{22}$/);
    const read = await call(sandbox, {
      method: 'GET',
      url: `/exposures/${id}`,
      headers: { authorization: SEARCH_TEAM },
    });
    assert.equal(withoutProbeTimes(first.data), withoutProbeTimes(read.raw.body));
    await sleep(2_200);
    assert.ok(
      reader.comments.filter((comment) => comment === 'heartbeat').length >= 1,
      `comments: ${reader.comments.join(', ')}`,
    );
    assert.equal(reader.events.length, 1, 'nothing changed: no other event');
    reader.close();
  });

  test('resumes from Last-Event-ID or ?lastEventId: nothing when unchanged, the state at once when changed', async () => {
    const first = await EventStreamReader.open(watchUrl(sandbox, id), { authorization: SEARCH_TEAM });
    const seen = (await first.event(1)).id as string;
    first.close();

    const byHeader = await EventStreamReader.open(watchUrl(sandbox, id), {
      authorization: SEARCH_TEAM,
      'last-event-id': seen,
    });
    const byQuery = await EventStreamReader.open(
      watchUrl(sandbox, id, `?lastEventId=${encodeURIComponent(seen)}`),
      { authorization: SEARCH_TEAM },
    );
    await sleep(PROBE_INTERVAL_MS * 2.5);
    assert.equal(byHeader.events.length, 0, 'unchanged since the id: nothing repeated');
    assert.equal(byQuery.events.length, 0, 'unchanged since the id: nothing repeated');
    assert.match(byHeader.comments[0] ?? '', /^watching exp_/);

    const patched = await call(sandbox, {
      method: 'PATCH',
      url: `/exposures/${id}`,
      headers: { authorization: SEARCH_TEAM, 'content-type': 'application/merge-patch+json' },
      payload: JSON.stringify({ labels: { app: 'elasticsearch', team: 'search', stage: 'one' } }),
    });
    assert.equal(patched.status, 200);
    for (const reader of [byHeader, byQuery]) {
      const changed = await reader.event(1);
      assert.equal(exposureOf(changed).labels.stage, 'one');
    }
    const afterPatch = byHeader.events[0]?.id as string;
    byHeader.close();
    byQuery.close();

    // Changed while nobody watched: resuming gets the new state at once.
    await call(sandbox, {
      method: 'PATCH',
      url: `/exposures/${id}`,
      headers: { authorization: SEARCH_TEAM, 'content-type': 'application/merge-patch+json' },
      payload: JSON.stringify({ labels: { app: 'elasticsearch', team: 'search', stage: 'two' } }),
    });
    const resumed = await EventStreamReader.open(watchUrl(sandbox, id), {
      authorization: SEARCH_TEAM,
      'last-event-id': afterPatch,
    });
    const missed = await resumed.event(1, 1_000);
    assert.equal(exposureOf(missed).labels.stage, 'two');
    assert.notEqual(missed.id, afterPatch);
    resumed.close();
  });

  test('200 watchers of one exposure cost no Kubernetes or GCE API call, and probes do not grow with them', async () => {
    // The reconciler done with the patches above: from here on, only the node failure changes anything.
    await eventually(
      async () =>
        (
          await call<ExposureJson>(sandbox, {
            method: 'GET',
            url: `/exposures/${id}`,
            headers: { authorization: ADMIN },
          })
        ).body.status.phase,
      (phase) => phase === 'Ready',
      { what: 'the patched exposure Ready again' },
    );
    const apiCalls = countApiCalls(sandbox.cluster);
    const gceRequests = sandbox.emulator.requests().length;
    const readers = await Promise.all(
      Array.from({ length: 200 }, () =>
        EventStreamReader.open(watchUrl(sandbox, id), { authorization: SEARCH_TEAM }),
      ),
    );
    await Promise.all(readers.map((reader) => reader.event(1)));
    const versions = new Set(readers.map((reader) => reader.events[0]?.id));
    assert.equal(versions.size, 1, 'every watcher sees the same version');

    const probesBefore = await probesSoFar(sandbox);
    await sandboxNode(sandbox, 'sandbox-node-2', 'fail');
    const failedAt = performance.now();
    await Promise.all(readers.map((reader) => reader.event(2, PROBE_INTERVAL_MS * 3)));
    const allSeenMs = performance.now() - failedAt;
    for (const reader of readers) {
      const node2 = exposureOf(reader.events[1] as { data: string }).endpoints.find(
        (endpoint) => endpoint.node === 'sandbox-node-2',
      );
      assert.equal(node2?.health.state, 'Unhealthy');
    }
    await sleep(PROBE_INTERVAL_MS * 2);
    const probes = (await probesSoFar(sandbox)) - probesBefore;
    const rounds = Math.ceil((performance.now() - failedAt) / PROBE_INTERVAL_MS) + 1;
    assert.ok(probes <= 3 * rounds, `${probes} probes in ${rounds} probe intervals for 3 endpoints`);
    assert.ok(
      readers.every((reader) => reader.events.length === 2),
      'exactly one event for the failure',
    );

    assert.deepEqual(apiCalls.calls(), {}, 'no call to the Kubernetes API');
    assert.equal(sandbox.emulator.requests().length, gceRequests, 'no call to the GCE API');
    process.stdout.write(
      `# 200 watchers: all saw the failure within ${allSeenMs.toFixed(0)} ms; ${probes} probes\n`,
    );

    await sandboxNode(sandbox, 'sandbox-node-2', 'restore');
    await Promise.all(readers.map((reader) => reader.event(3, PROBE_INTERVAL_MS * 3)));
    for (const reader of readers) reader.close();
    await eventually(
      () => sandbox.runtime.watch.watchedExposures,
      (watched) => watched === 0,
      { what: 'the topic ended with its last watcher' },
    );
  });

  test("another tenant's exposure and an unknown one are 404, a malformed id 400, no token 401", async () => {
    // No pod has its selector: it never becomes Ready.
    const payments = await create(
      sandbox,
      {
        namespace: 'payments',
        name: 'ledger',
        ports: [{ port: 80, nodePort: 30981 }],
        selector: { app: 'ledger' },
      },
      { settle: false },
    );
    const cases: [string, string | undefined, number, string][] = [
      [payments, SEARCH_TEAM, 404, '/problems/exposure-not-found'],
      ['exp_01jd6y8c3k2v7d9q4r5s6t7v8w', SEARCH_TEAM, 404, '/problems/exposure-not-found'],
      ['not-an-id', SEARCH_TEAM, 400, '/problems/validation-failed'],
      [id, undefined, 401, '/problems/unauthenticated'],
    ];
    for (const [target, authorization, status, type] of cases) {
      const reader = await EventStreamReader.open(
        watchUrl(sandbox, target),
        authorization ? { authorization } : {},
      );
      assert.equal(reader.status, status, target);
      assert.match(String(reader.headers['content-type']), /^application\/problem\+json/);
      await reader.closed();
      assert.equal((JSON.parse(reader.body) as { type: string }).type, type);
    }
    const admin = await EventStreamReader.open(watchUrl(sandbox, payments), { authorization: ADMIN });
    assert.equal(admin.status, 200);
    admin.close();
  });

  test('deleting the exposure ends the stream with a `deleted` event', async () => {
    const doomed = await create(sandbox, {
      name: 'doomed',
      ports: [{ port: 9200, nodePort: 30921 }],
    });
    const reader = await EventStreamReader.open(watchUrl(sandbox, doomed), { authorization: SEARCH_TEAM });
    await reader.event(1);
    const deleted = await call(sandbox, {
      method: 'DELETE',
      url: `/exposures/${doomed}`,
      headers: { authorization: SEARCH_TEAM },
    });
    assert.equal(deleted.status, 204);
    await reader.closed();
    assert.equal(reader.ended, true, 'a clean end, not a cut');
    const last = reader.events.at(-1);
    assert.equal(last?.event, 'deleted');
    assert.equal(last?.id, undefined);
    assert.deepEqual(JSON.parse(last?.data ?? ''), { id: doomed });
    const phases = reader.events.slice(0, -1).map((event) => exposureOf(event).status.phase);
    assert.equal(phases[0], 'Ready');
    assert.ok(phases.length >= 2, 'the deletion is seen before the end');
    assert.ok(
      phases.slice(1).every((phase) => phase === 'Deleting'),
      phases.join(),
    );
  });
});

describe('limits on watch streams, and a graceful stop', () => {
  let sandbox: Sandbox;
  let stopped = false;
  let id: string;
  const readers: EventStreamReader[] = [];
  const open = async (authorization: string) => {
    const reader = await EventStreamReader.open(watchUrl(sandbox, id), { authorization });
    readers.push(reader);
    return reader;
  };
  before(async () => {
    sandbox = await startTestSandbox({
      config: { probe: PROBES, server: { watchStreamsPerCaller: 2, watchStreamsMax: 3 } },
    });
    id = await create(sandbox);
  });
  after(async () => {
    if (!stopped) await sandbox.close();
  });

  test('beyond the streams one caller may hold, or the replica serves, a 429 problem', async () => {
    const mine = [await open(SEARCH_TEAM), await open(SEARCH_TEAM)];
    assert.deepEqual(
      mine.map((reader) => reader.status),
      [200, 200],
    );
    const third = await open(SEARCH_TEAM);
    assert.equal(third.status, 429);
    assert.match(String(third.headers['content-type']), /^application\/problem\+json/);
    await third.closed();
    assert.equal((JSON.parse(third.body) as { type: string }).type, '/problems/too-many-streams');
    assert.match(third.body, /you hold 2 open watch streams/);
    assert.equal((await open(ADMIN)).status, 200);
    const beyond = await open(ADMIN);
    assert.equal(beyond.status, 429, 'the replica serves 3 streams in all');
    await beyond.closed();
    assert.match(beyond.body, /this replica holds 3 watch streams/);
    mine[0]?.close();
    await eventually(
      async () => (await open(ADMIN)).status,
      (status) => status === 200,
      { what: 'a place freed by a closed stream' },
    );
  });

  test('a graceful stop ends every open stream cleanly instead of waiting for it', async () => {
    const live = readers.filter((reader) => reader.status === 200 && !reader.cut && !reader.ended);
    assert.equal(live.length, 3);
    await Promise.all(live.map((reader) => reader.event(1)));
    const started = performance.now();
    stopped = true;
    await sandbox.close();
    const stoppedMs = performance.now() - started;
    assert.ok(stoppedMs < 5_000, `stopped in ${stoppedMs.toFixed(0)} ms`);
    for (const reader of live) {
      await reader.closed();
      assert.equal(reader.ended, true, 'a clean end');
      assert.equal(reader.cut, false, 'a clean end');
      assert.match(reader.comments.at(-1) ?? '', /server is stopping; resume with Last-Event-ID/);
    }
  });
});
