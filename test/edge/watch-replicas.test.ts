// Event ids of the watch are the same on every replica: a stream resumed on another replica with the
// id of the last event seen repeats nothing, and both replicas name the next state alike. The second
// replica shares the sandbox's cluster and GCE project and serves the API only (no reconciler).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { createRuntime, type Runtime } from '../../src/runtime.ts';
import type { Sandbox } from '../../src/sandbox/sandbox.ts';
import { createRequest } from '../builders/create-request.ts';
import { EventStreamReader } from '../support/event-stream-reader.ts';
import { ADMIN, call, probeSettings, SEARCH_TEAM, startTestSandbox } from '../support/test-sandbox.ts';

const PROBE_INTERVAL_MS = 1000;

let sandbox: Sandbox;
let follower: Runtime;
let followerUrl: string;
let id: string;

before(async () => {
  sandbox = await startTestSandbox({
    config: {
      probe: probeSettings(PROBE_INTERVAL_MS),
    },
  });
  follower = await createRuntime({
    config: sandbox.config,
    cluster: sandbox.cluster,
    firewalls: sandbox.firewalls,
    prober: sandbox.prober,
    logger: pino({ level: 'silent' }),
  });
  // The cluster is the sandbox's, already started; this replica only reads it and answers.
  follower.index.start();
  follower.watch.start();
  followerUrl = await follower.app.listen({ host: '127.0.0.1', port: 0 });
  const created = await call<{ id: string; status: { phase: string } }>(sandbox, {
    method: 'POST',
    url: '/exposures',
    headers: { authorization: ADMIN, 'content-type': 'application/json', prefer: 'wait=10' },
    payload: JSON.stringify(createRequest()),
  });
  assert.equal(created.body.status.phase, 'Ready');
  id = created.body.id;
});
after(async () => {
  await follower.app.close();
  follower.watch.stop();
  follower.index.stop();
  await sandbox.close();
});

test('a stream resumed on another replica repeats nothing, and both replicas give the next state the same id', async () => {
  const onLeader = await EventStreamReader.open(`${sandbox.apiUrl}/exposures/${id}/watch`, {
    authorization: SEARCH_TEAM,
  });
  const seen = (await onLeader.event(1)).id as string;
  const onFollower = await EventStreamReader.open(`${followerUrl}/exposures/${id}/watch`, {
    authorization: SEARCH_TEAM,
    'last-event-id': seen,
  });
  assert.equal(onFollower.status, 200);
  await sleep(PROBE_INTERVAL_MS * 2.5);
  assert.equal(onFollower.events.length, 0, 'the same state on the other replica: nothing repeated');

  const failed = await call(sandbox, {
    method: 'POST',
    url: '/sandbox/nodes/sandbox-node-3/fail',
    headers: { authorization: ADMIN },
  });
  assert.equal(failed.status, 200);
  const [onLeaderChange, onFollowerChange] = await Promise.all([
    onLeader.event(2, PROBE_INTERVAL_MS * 3),
    onFollower.event(1, PROBE_INTERVAL_MS * 3),
  ]);
  assert.equal(onFollowerChange.id, onLeaderChange.id, 'one state, one id, whichever replica names it');
  assert.notEqual(onFollowerChange.id, seen);
  onLeader.close();
  onFollower.close();
  await call(sandbox, {
    method: 'POST',
    url: '/sandbox/nodes/sandbox-node-3/restore',
    headers: { authorization: ADMIN },
  });
});
