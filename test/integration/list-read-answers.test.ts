// The answers of GET /exposures and GET /exposures/{id} for a fixed fleet, compared with those
// recorded before the list and read paths were made faster (list-read-answers.golden.json): any
// change of what a caller receives — an item, a field, their order, a count, a header — fails here.
//
// The fleet is deterministic (bench/fleet.ts: ids, specs, pods), the clock stands still, probes
// answer by address, and this replica never leads (another holder keeps the Lease), so nothing
// moves between runs. Firewall statuses are written as the reconciler would, varied by exposure.
//
// To record the answers again (only when a change of the answers is intended):
//   EXPOSURE_API_RECORD_ANSWERS=1 npm test -- test/integration/list-read-answers.test.ts
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import {
  FLEET_CLUSTER_ID,
  FLEET_NAMESPACES,
  FLEET_NODE_PORTS,
  FLEET_TARGET_TAG,
  fleetEndpoints,
  fleetExposureId,
  fleetManifest,
  fleetNamespace,
  fleetNode,
  fleetNodeName,
} from '../../bench/fleet.ts';
import type { Firewalls } from '../../src/application/ports/firewalls.ts';
import type { Prober } from '../../src/application/ports/prober.ts';
import { parseConfig } from '../../src/config/load.ts';
import type { ClusterNode } from '../../src/domain/cluster-objects.ts';
import { readExposureRecord } from '../../src/domain/exposure-record.ts';
import type { FirewallStatusRecord } from '../../src/domain/firewall-status.ts';
import { sha256Hex } from '../../src/edge/plugins/authentication.ts';
import { createRuntime, type Runtime } from '../../src/runtime.ts';
import { InMemoryCluster } from '../../src/sandbox/in-memory-cluster.ts';
import { InMemoryLeases } from '../../src/sandbox/in-memory-leases.ts';

const GOLDEN = new URL('./list-read-answers.golden.json', import.meta.url);
const RECORD = process.env.EXPOSURE_API_RECORD_ANSWERS === '1';
const TOKEN = 'answers-test-token';
const EXPOSURES = 240;
const NODES = 60;
const NOW = Date.parse('2026-11-27T10:00:00.000Z');

/** Healthy, refused or timed out by the node's last address byte; UDP never reaches here. */
const prober: Prober = {
  async probe(target) {
    const last = Number(target.address.split('.').at(-1));
    if (last % 7 === 0) return { ok: false, latencyMs: 1000, error: 'timed out after 1000 ms' };
    if (last % 5 === 0) return { ok: false, latencyMs: 0.4, error: 'connection refused' };
    return { ok: true, latencyMs: 1 + (last % 4) * 0.25 };
  },
};

const noFirewalls: Firewalls = new Proxy({} as Firewalls, {
  get: (_, method) => () => Promise.reject(new Error(`a follower called firewalls.${String(method)}`)),
});

/** Nodes of the fleet, a few NotReady and a few without an ExternalIP. */
function node(n: number): ClusterNode {
  const base = fleetNode(n);
  return {
    ...base,
    ready: n % 11 !== 3,
    addresses: n % 13 === 5 ? base.addresses.filter((a) => a.type !== 'ExternalIP') : base.addresses,
  };
}

function firewallStatus(i: number, specHash: string): FirewallStatusRecord | undefined {
  const at = '2026-11-27T09:59:00.000Z';
  switch (i % 6) {
    case 0:
    case 1:
    case 2:
      return {
        specHash,
        generation: 1,
        state: 'UpToDate',
        condition: { status: 'True', reason: 'UpToDate', message: 'rules in place', lastTransitionTime: at },
        rules: [`exp-${FLEET_CLUSTER_ID}-${i}`],
        everReady: true,
        failures: 0,
        lastAttemptTime: at,
      };
    case 3:
      return {
        specHash,
        generation: 1,
        state: 'Failed',
        condition: {
          status: 'False',
          reason: 'QuotaExceeded',
          message: 'the project has no firewall rule quota left',
          lastTransitionTime: at,
        },
        rules: [],
        everReady: false,
        failures: 3,
        lastAttemptTime: at,
      };
    case 4:
      return {
        specHash: 'an-older-spec',
        generation: 1,
        state: 'UpToDate',
        condition: { status: 'True', reason: 'UpToDate', message: 'rules in place', lastTransitionTime: at },
        rules: [],
        everReady: true,
        failures: 0,
        lastAttemptTime: at,
      };
    default:
      return undefined;
  }
}

describe('list and read answers for a fixed fleet', () => {
  let runtime: Runtime;
  let cluster: InMemoryCluster;
  const answers: Record<string, string> = {};
  /** What the in-memory cluster makes up anew in each run (uids, creation times), named stably. */
  const unstable = new Map<string, string>();

  before(async () => {
    cluster = new InMemoryCluster({
      namespaces: ['default', ...Array.from({ length: FLEET_NAMESPACES }, (_, i) => fleetNamespace(i))],
      nodePortRange: FLEET_NODE_PORTS,
    });
    for (let n = 0; n < NODES; n++) cluster.setNode(node(n));
    for (let i = 0; i < EXPOSURES; i++) {
      const manifest = fleetManifest(i);
      const service = await cluster.createService(manifest);
      // Some exposures have no ready pod, some none at all.
      const endpoints = fleetEndpoints(i, NODES).map((e, k) => ({ ...e, ready: i % 9 !== 4 || k > 2 }));
      if (i % 17 !== 8) cluster.setServiceEndpoints(manifest, endpoints);
      unstable.set(service.uid, `uid-of-exposure-${i}`);
      unstable.set(service.creationTimestamp, 'created-at');
      const read = readExposureRecord(service);
      assert.ok(read.ok);
      const status = firewallStatus(i, read.record.specHash);
      if (status) await cluster.writeFirewallStatus(manifest, JSON.stringify(status));
    }
    const leases = new InMemoryLeases();
    await leases.create('default', 'exposure-api', {
      holderIdentity: 'another-replica',
      leaseDurationSeconds: 3600,
      acquireTime: '2026-11-27T09:00:00.000000Z',
      renewTime: '2026-11-27T09:59:59.000000Z',
      leaseTransitions: 0,
    });
    runtime = await createRuntime({
      config: parseConfig({
        cluster: { id: FLEET_CLUSTER_ID, nodePortRange: FLEET_NODE_PORTS },
        gce: { project: 'answers-project' },
        firewall: { targetTags: [FLEET_TARGET_TAG] },
        rateLimit: { reads: { max: 100_000, windowSeconds: 10 } },
        auth: { tokens: [{ sha256: sha256Hex(TOKEN), subject: 'answers', namespaces: ['*'] }] },
      }),
      cluster,
      firewalls: noFirewalls,
      leases,
      prober,
      clock: { now: () => NOW },
      logger: pino({ level: 'silent' }),
    });
    await runtime.start();
  });
  after(async () => {
    await runtime.stop();
    if (RECORD) writeFileSync(GOLDEN, `${JSON.stringify(answers, null, 2)}\n`);
  });

  /** Status, the headers a caller relies on, and a digest of the body (the bodies are large). */
  async function answer(url: string): Promise<{ text: string; body: string }> {
    const response = await runtime.app.inject({
      method: 'GET',
      url,
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    let body = response.body;
    for (const [made, stable] of unstable) body = body.replaceAll(made, stable);
    body = body.replace(/"requestId":"[^"]*"/, '"requestId":"a-request"');
    const text = [
      response.statusCode,
      response.headers['content-type'],
      response.headers.etag ?? '-',
      createHash('sha256').update(body).digest('hex'),
      `${body.length} bytes`,
    ].join(' ');
    return { text, body };
  }

  async function check(label: string, url: string): Promise<string> {
    const { text, body } = await answer(url);
    answers[label] = text;
    if (!RECORD) {
      const golden = JSON.parse(readFileSync(GOLDEN, 'utf8')) as Record<string, string>;
      assert.equal(
        text,
        golden[label],
        `${label} (${url}) differs from the recorded answer: ${body.slice(0, 600)}`,
      );
    }
    return body;
  }

  /** Every page of a list, following the cursors. */
  async function pages(label: string, query: string): Promise<number> {
    let cursor: string | undefined;
    let page = 0;
    do {
      const url = `/exposures?${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const body = JSON.parse(await check(`${label} page ${page}`, url)) as { nextCursor?: string };
      cursor = body.nextCursor;
      page++;
    } while (cursor);
    return page;
  }

  test('lists before any probe, in pages of several sizes and with each filter', async () => {
    assert.equal(await pages('before probes, limit 500', 'limit=500'), 1);
    assert.ok((await pages('before probes, default limit', '')) > 1);
    assert.ok((await pages('before probes, limit 7', 'limit=7')) > 30);
    await pages('namespace', `namespace=${fleetNamespace(3)}&limit=4`);
    await pages('label selector', 'labelSelector=app%20in%20(workload-10,workload-11,workload-200)');
    for (const phase of ['Ready', 'Degraded', 'Provisioning', 'Failed'])
      await pages(`phase ${phase}`, `phase=${phase}&limit=25`);
  });

  test('full reads probe the endpoints; the lists then show the cached health', async () => {
    for (const i of [0, 1, 2, 3, 4, 5, 7, 13, 14, 21, 25, 42, 63, 77, 120, 121, 239]) {
      await check(`read ${i}`, `/exposures/${fleetExposureId(i)}`);
      await check(`read ${i} again`, `/exposures/${fleetExposureId(i)}`);
    }
    await check('read with an endpoint limit', `/exposures/${fleetExposureId(10)}?endpointLimit=5`);
    await check('read of an unknown id', `/exposures/${fleetExposureId(EXPOSURES + 5)}`);
    await pages('after probes, limit 500', 'limit=500');
    await pages('after probes, limit 50', 'limit=50');
    for (const phase of ['Ready', 'Degraded'])
      await pages(`after probes, phase ${phase}`, `phase=${phase}&limit=25`);
  });

  test('a node going NotReady and one leaving change the answers that show them', async () => {
    cluster.setNodeReady(fleetNodeName(2), false);
    cluster.removeNode(fleetNodeName(9));
    // The in-memory cluster delivers its events on the next turns of the event loop.
    await new Promise((resolve) => setTimeout(resolve, 20));
    for (const i of [0, 7, 42])
      await check(`read ${i} after node changes`, `/exposures/${fleetExposureId(i)}`);
    await pages('after node changes, limit 500', 'limit=500');
  });
});
