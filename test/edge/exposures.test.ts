// The exposure lifecycle through the HTTP API (app.inject), against the sandbox's in-memory
// cluster, its simulated nodes and the Compute emulator: create, read, list, delete.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { newExposureId } from '../../src/domain/exposure-id.ts';
import { serviceManifestFor } from '../../src/domain/exposure-record.ts';
import type { Sandbox } from '../../src/sandbox/sandbox.ts';
import type { Exposure, ExposureList } from '../../src/schemas/exposure.ts';
import { eventually } from '../support/eventually.ts';
import {
  ADMIN,
  call,
  elasticsearchRequest,
  footprint,
  SEARCH_TEAM,
  startTestSandbox,
} from '../support/test-sandbox.ts';

describe('exposures lifecycle', () => {
  let sandbox: Sandbox;
  before(async () => {
    sandbox = await startTestSandbox();
  });
  after(() => sandbox.close());

  async function create(body: Record<string, unknown>, auth = SEARCH_TEAM, prefer?: string) {
    return call<Exposure>(sandbox, {
      method: 'POST',
      url: '/exposures',
      headers: { authorization: auth, 'content-type': 'application/json', ...(prefer && { prefer }) },
      payload: JSON.stringify(body),
    });
  }

  async function read(id: string, auth = SEARCH_TEAM, query = '') {
    return call<Exposure>(sandbox, {
      method: 'GET',
      url: `/exposures/${id}${query}`,
      headers: { authorization: auth },
    });
  }

  async function remove(id: string, auth = SEARCH_TEAM) {
    return call(sandbox, { method: 'DELETE', url: `/exposures/${id}`, headers: { authorization: auth } });
  }

  test('create answers 201 with Location and ETag; with Prefer: wait it answers Ready, all endpoints Healthy', async () => {
    const created = await create(elasticsearchRequest(), SEARCH_TEAM, 'wait=5');
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const exposure = created.body;
    assert.match(exposure.id, /^exp_[0-9a-z]{26}$/);
    assert.equal(created.headers.location, `/exposures/${exposure.id}`);
    assert.match(String(created.headers.etag), /^"[\w-]{22}"$/);
    assert.equal(created.headers['preference-applied'], 'wait=5');
    assert.equal(exposure.status.phase, 'Ready');
    assert.equal(exposure.createdBy, 'team-search-bot');
    assert.deepEqual(exposure.ports, [
      { name: 'http', port: 9200, targetPort: 9200, nodePort: 30920, protocol: 'TCP' },
    ]);
    assert.deepEqual(
      exposure.status.conditions.map((c) => [c.type, c.status, c.reason]),
      [
        ['ServiceReady', 'True', 'Created'],
        ['FirewallReady', 'True', 'UpToDate'],
        ['Reachable', 'True', 'AllHealthy'],
      ],
    );
    assert.equal(exposure.endpoints.length, 3);
    for (const endpoint of exposure.endpoints) {
      assert.equal(endpoint.health.state, 'Healthy', JSON.stringify(endpoint));
      assert.equal(endpoint.addressType, 'ExternalIP');
      assert.equal(endpoint.health.probedAddress, endpoint.internalIP, 'the probe goes to the InternalIP');
      assert.equal(endpoint.url, `http://${endpoint.address}:30920`);
    }
    // The Service is the record: labels as a hand-written Service would have them.
    const service = sandbox.cluster.allServices().find((s) => s.name === 'elasticsearch');
    assert.equal(service?.labels.app, 'elasticsearch');
    assert.equal(service?.labels['app.kubernetes.io/managed-by'], 'exposure-api');
    assert.deepEqual(service?.finalizers, ['exposure-api.io/firewall-cleanup']);
    // The rule: exactly the node port, from the requested ranges, to the nodes' tag.
    const [rule] = sandbox.emulator.rules(sandbox.config.gce.project);
    assert.deepEqual(rule?.allowed, [{ IPProtocol: 'tcp', ports: ['30920'] }]);
    assert.deepEqual(rule?.sourceRanges, ['203.0.113.0/24']);
    assert.deepEqual(rule?.targetTags, ['sandbox-node']);
    assert.equal(rule?.name, exposure.firewall.rules[0]?.name);
    assert.deepEqual(JSON.parse(String(rule?.description)), {
      'kubernetes.io/service-name': 'search/elasticsearch',
      'exposure-api.io/exposure-id': exposure.id,
      'exposure-api.io/cluster-id': 'sandbox',
    });

    const fetched = await read(exposure.id);
    assert.equal(fetched.status, 200);
    assert.equal(
      fetched.headers.etag,
      created.headers.etag,
      'the ETag is the spec hash, not the resourceVersion',
    );
    assert.equal(fetched.body.status.phase, 'Ready');
  });

  test('a second create of the same node port is a 409 naming the first', async () => {
    const first = await eventually(
      () =>
        call<ExposureList>(sandbox, {
          method: 'GET',
          url: '/exposures?namespace=search',
          headers: { authorization: SEARCH_TEAM },
        }),
      (r) => r.body.items.some((i) => i.name === 'elasticsearch'),
    );
    const holder = first.body.items.find((i) => i.name === 'elasticsearch');
    const second = await create(elasticsearchRequest({ name: 'elasticsearch-copy' }));
    assert.equal(second.status, 409);
    const problem = second.body as unknown as { type: string; detail: string; errors: { pointer: string }[] };
    assert.equal(problem.type, '/problems/node-port-taken');
    assert.match(problem.detail, new RegExp(`search/elasticsearch \\(exposure ${holder?.id}\\)`));
    assert.equal(problem.errors[0]?.pointer, '/ports/0/nodePort');
  });

  test('the holder of a node port is not named to a caller who may not see its namespace', async () => {
    const inPayments = await create(
      elasticsearchRequest({
        namespace: 'payments',
        name: 'ledger',
        selector: { app: 'ledger' },
        ports: [{ name: 'http', port: 80, nodePort: 31111 }],
      }),
      ADMIN,
    );
    assert.equal(inPayments.status, 201);
    const clash = await create(
      elasticsearchRequest({ name: 'other', ports: [{ name: 'http', port: 80, nodePort: 31111 }] }),
    );
    assert.equal(clash.status, 409);
    const detail = (clash.body as unknown as { detail: string }).detail;
    assert.equal(detail, 'node port 31111 is already allocated');
    assert.doesNotMatch(JSON.stringify(clash.body), /payments|ledger/);
    // …while the admin, who may see payments, is told.
    const adminClash = await create(
      elasticsearchRequest({ name: 'other', ports: [{ name: 'http', port: 80, nodePort: 31111 }] }),
      ADMIN,
    );
    assert.match((adminClash.body as unknown as { detail: string }).detail, /payments\/ledger/);
  });

  test('an exposure in a namespace the caller may not use is a 404, not a 403', async () => {
    const listed = await call<ExposureList>(sandbox, {
      method: 'GET',
      url: '/exposures?namespace=payments',
      headers: { authorization: ADMIN },
    });
    const ledger = listed.body.items.find((i) => i.name === 'ledger');
    assert.ok(ledger);
    const asSearch = await read(ledger.id);
    assert.equal(asSearch.status, 404);
    assert.equal((asSearch.body as unknown as { type: string }).type, '/problems/exposure-not-found');
    const deleteAsSearch = await remove(ledger.id);
    assert.equal(deleteAsSearch.status, 404);
    const asAdmin = await read(ledger.id, ADMIN);
    assert.equal(asAdmin.status, 200);
    // and a list with the search token does not show it
    const searchList = await call<ExposureList>(sandbox, {
      method: 'GET',
      url: '/exposures',
      headers: { authorization: SEARCH_TEAM },
    });
    assert.ok(searchList.body.items.every((item) => item.namespace === 'search'));
  });

  test('a taken Service name is a 409 and the existing Service is not taken over', async () => {
    const clash = await create(elasticsearchRequest({ ports: [{ name: 'http', port: 9200 }] }));
    assert.equal(clash.status, 409);
    assert.equal((clash.body as unknown as { type: string }).type, '/problems/name-taken');
  });

  test('list pages with an opaque cursor, filters by namespace, label selector and phase', async () => {
    for (const n of [1, 2, 3]) {
      const created = await create(
        elasticsearchRequest({
          name: `page-${n}`,
          ports: [{ name: 'http', port: 9200 }],
          labels: { app: 'paged', tier: n === 3 ? 'gold' : 'bronze' },
        }),
      );
      assert.equal(created.status, 201);
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await call<ExposureList>(sandbox, {
        method: 'GET',
        url: `/exposures?labelSelector=${encodeURIComponent('app=paged')}&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        headers: { authorization: SEARCH_TEAM },
      });
      assert.equal(page.status, 200);
      seen.push(...page.body.items.map((i) => i.name));
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    assert.deepEqual(seen, ['page-1', 'page-2', 'page-3']);
    assert.equal(pages, 2);

    const gold = await call<ExposureList>(sandbox, {
      method: 'GET',
      url: `/exposures?labelSelector=${encodeURIComponent('app=paged,tier in (gold)')}`,
      headers: { authorization: SEARCH_TEAM },
    });
    assert.deepEqual(
      gold.body.items.map((i) => i.name),
      ['page-3'],
    );
    assert.equal('endpoints' in (gold.body.items[0] ?? {}), false, 'list items leave out the endpoint list');

    await sandbox.runtime.reconciler.idle();
    const ready = await call<ExposureList>(sandbox, {
      method: 'GET',
      url: '/exposures?phase=Failed',
      headers: { authorization: SEARCH_TEAM },
    });
    assert.deepEqual(ready.body.items, []);

    const badSelector = await call(sandbox, {
      method: 'GET',
      url: '/exposures?labelSelector=%3D%3D',
      headers: { authorization: SEARCH_TEAM },
    });
    assert.equal(badSelector.status, 400);
    assert.deepEqual((badSelector.body as { errors: { location: string; pointer: string }[] }).errors[0], {
      location: 'query',
      pointer: '/labelSelector',
      detail: (badSelector.body as { errors: { detail: string }[] }).errors[0]?.detail,
    });
    const badCursor = await call(sandbox, {
      method: 'GET',
      url: '/exposures?cursor=nonsense',
      headers: { authorization: SEARCH_TEAM },
    });
    assert.equal(badCursor.status, 400);
    const badLimit = await call(sandbox, {
      method: 'GET',
      url: '/exposures?limit=0',
      headers: { authorization: SEARCH_TEAM },
    });
    assert.equal(badLimit.status, 400);
  });

  test('UDP ports are Unknown with a reason; Local traffic policy serves only nodes with a ready pod', async () => {
    const created = await create(
      elasticsearchRequest({
        name: 'mixed',
        externalTrafficPolicy: 'Local',
        ports: [
          { name: 'http', port: 9200 },
          { name: 'gossip', port: 9300, protocol: 'UDP' },
        ],
      }),
      SEARCH_TEAM,
      'wait=5',
    );
    assert.equal(created.status, 201);
    const endpoints = created.body.endpoints;
    assert.equal(endpoints.length, 6);
    const udp = endpoints.filter((e) => e.protocol === 'UDP' && e.serving);
    assert.ok(udp.length > 0);
    for (const endpoint of udp) {
      assert.equal(endpoint.health.state, 'Unknown');
      assert.match(String(endpoint.health.reason), /UDP/);
    }
    const node3 = endpoints.filter((e) => e.node === 'sandbox-node-3');
    assert.ok(
      node3.every((e) => !e.serving),
      'no elasticsearch pod runs on node 3',
    );
    assert.match(String(node3[0]?.health.reason), /externalTrafficPolicy: Local/);
    assert.equal(endpoints.at(-1)?.serving, false, 'non-serving endpoints come last');
    const tcpServing = endpoints.filter((e) => e.protocol === 'TCP' && e.serving);
    assert.deepEqual(tcpServing.map((e) => e.node).sort(), ['sandbox-node-1', 'sandbox-node-2']);
    assert.ok(tcpServing.every((e) => e.health.state === 'Healthy'));
  });

  test('endpointLimit lists the best endpoints first, says how many it left out, and counts them all', async () => {
    const created = await create(
      elasticsearchRequest({
        name: 'limited',
        externalTrafficPolicy: 'Local',
        ports: [
          { name: 'http', port: 9200 },
          { name: 'gossip', port: 9300, protocol: 'UDP' },
        ],
      }),
      SEARCH_TEAM,
      'wait=5',
    );
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = created.body.id;
    const shape = (endpoints: Exposure['endpoints']) =>
      endpoints.map((e) => `${e.node}:${e.port}/${e.protocol} serving=${e.serving} ${e.health.state}`);

    const all = await read(id);
    assert.equal(all.body.endpoints.length, 6);
    assert.equal(all.body.endpointsOmitted, undefined, 'nothing is left out under the default limit');
    assert.equal(all.body.endpointSummary.total, 6);

    const two = await read(id, SEARCH_TEAM, '?endpointLimit=2');
    assert.equal(two.status, 200);
    assert.deepEqual(shape(two.body.endpoints), shape(all.body.endpoints).slice(0, 2));
    assert.ok(two.body.endpoints.every((e) => e.serving && e.health.state === 'Healthy'));
    assert.equal(two.body.endpointsOmitted, 4);
    assert.deepEqual(two.body.endpointSummary, all.body.endpointSummary, 'the counts cover every endpoint');
    assert.deepEqual(two.body.status.phase, all.body.status.phase);

    const none = await read(id, SEARCH_TEAM, '?endpointLimit=0');
    assert.deepEqual(none.body.endpoints, []);
    assert.equal(none.body.endpointsOmitted, 6);

    for (const bad of ['20001', '-1', 'many']) {
      const refused = await read(id, SEARCH_TEAM, `?endpointLimit=${bad}`);
      assert.equal(refused.status, 400, bad);
      assert.equal(refused.headers['content-type'], 'application/problem+json; charset=utf-8');
      assert.match(JSON.stringify(refused.body), /endpointLimit/);
    }
    assert.equal((await remove(id)).status, 204);
  });

  test('delete removes the rule first and the Service after it; a repeated delete is a harmless 404', async () => {
    const created = await create(
      elasticsearchRequest({ name: 'short-lived', ports: [{ name: 'http', port: 9200 }] }),
      SEARCH_TEAM,
      'wait=5',
    );
    const ruleName = created.body.firewall.rules[0]?.name;
    assert.ok(sandbox.emulator.rules(sandbox.config.gce.project).some((r) => r.name === ruleName));
    const deleted = await remove(created.body.id);
    assert.equal(deleted.status, 204);
    assert.equal(
      sandbox.emulator.rules(sandbox.config.gce.project).some((r) => r.name === ruleName),
      false,
    );
    assert.equal(
      sandbox.cluster.allServices().some((s) => s.name === 'short-lived'),
      false,
    );
    const deletes = sandbox.emulator
      .requests()
      .filter((r) => r.method === 'DELETE' && r.path.endsWith(`/${ruleName}`));
    assert.equal(deletes.length, 1);
    const again = await remove(created.body.id);
    assert.equal(again.status, 404);
    const gone = await read(created.body.id);
    assert.equal(gone.status, 404);
  });

  test('a rule deleted and a rule edited out of band are repaired by a resync', async () => {
    const a = await create(
      elasticsearchRequest({ name: 'drift-a', ports: [{ name: 'http', port: 9200 }] }),
      SEARCH_TEAM,
      'wait=5',
    );
    const b = await create(
      elasticsearchRequest({ name: 'drift-b', ports: [{ name: 'http', port: 9200 }] }),
      SEARCH_TEAM,
      'wait=5',
    );
    const project = sandbox.config.gce.project;
    const ruleA = a.body.firewall.rules[0]?.name as string;
    const ruleB = b.body.firewall.rules[0]?.name as string;
    await sandbox.firewalls.delete(ruleA);
    await sandbox.firewalls.patch(ruleB, { sourceRanges: ['0.0.0.0/0'] });
    await sandbox.runtime.reconciler.fullResync();
    await sandbox.runtime.reconciler.idle();
    const rules = sandbox.emulator.rules(project);
    assert.deepEqual(rules.find((r) => r.name === ruleA)?.sourceRanges, ['203.0.113.0/24']);
    assert.deepEqual(rules.find((r) => r.name === ruleB)?.sourceRanges, ['203.0.113.0/24']);
    const events = sandbox.cluster
      .events()
      .filter((e) => e.reason === 'FirewallRepaired')
      .map((e) => e.involvedObject.name);
    assert.deepEqual(events.sort(), ['drift-a', 'drift-b']);
  });

  test('a rule re-created by hand on another network is moved back (deleted and inserted)', async () => {
    const created = await create(
      elasticsearchRequest({ name: 'moved', ports: [{ name: 'http', port: 9200 }] }),
      SEARCH_TEAM,
      'wait=5',
    );
    const ruleName = created.body.firewall.rules[0]?.name as string;
    const original = await sandbox.firewalls.get(ruleName);
    assert.ok(original);
    await sandbox.firewalls.delete(ruleName);
    await sandbox.firewalls.insert({
      ...original,
      direction: 'INGRESS',
      allowed: [{ protocol: 'tcp', ports: original.allowed.flatMap((entry) => entry.ports) }],
      network: `projects/${sandbox.config.gce.project}/global/networks/elsewhere`,
    });
    await sandbox.runtime.reconciler.fullResync();
    await sandbox.runtime.reconciler.idle();
    const repaired = await sandbox.firewalls.get(ruleName);
    assert.equal(repaired?.network, `projects/${sandbox.config.gce.project}/global/networks/default`);
    assert.deepEqual(repaired?.sourceRanges, ['203.0.113.0/24']);
  });

  test('a terminating Service whose record was edited beyond recognition is released, its rules deleted first', async () => {
    const created = await create(
      elasticsearchRequest({ name: 'garbled', ports: [{ name: 'http', port: 9200 }] }),
      SEARCH_TEAM,
      'wait=5',
    );
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const ruleName = created.body.firewall.rules[0]?.name;
    assert.ok(ruleName && footprint(sandbox).rules.includes(ruleName));
    const service = sandbox.cluster.allServices().find((s) => s.name === 'garbled');
    assert.ok(service);
    // Neither the id label nor the spec can be read: the rules are found by their ownership.
    await sandbox.cluster.applyServiceSpec(
      {
        ...service,
        labels: { ...service.labels, 'exposure-api.io/id': 'not-an-id' },
        annotations: { ...service.annotations, 'exposure-api.io/spec': '{' },
      },
      { uid: service.uid },
    );
    await sandbox.cluster.deleteService(service);
    await eventually(
      () => footprint(sandbox),
      (now) => !now.services.includes('search/garbled') && !now.rules.includes(ruleName),
      { what: 'the Service released and its rule deleted' },
    );
  });

  test('nothing is left behind: deleting everything leaves no Service and no rule', async () => {
    const list = await call<ExposureList>(sandbox, {
      method: 'GET',
      url: '/exposures?limit=500',
      headers: { authorization: ADMIN },
    });
    for (const item of list.body.items) {
      const deleted = await remove(item.id, ADMIN);
      assert.equal(deleted.status, 204, `${item.name}: ${JSON.stringify(deleted.body)}`);
    }
    assert.deepEqual(footprint(sandbox), { services: [], rules: [] });
  });
});

describe('a read that misses the cache', () => {
  test('asks the Kubernetes API once instead of answering 404 (an exposure another replica just created)', async () => {
    const sandbox = await startTestSandbox({ withDemoWorkload: false });
    try {
      // Written straight to the cluster, as another replica would: this replica's cache has not seen it.
      const id = newExposureId();
      await sandbox.cluster.createService(
        serviceManifestFor({
          id,
          clusterId: 'sandbox',
          createdBy: 'other-replica',
          generation: 1,
          spec: {
            namespace: 'search',
            name: 'elsewhere',
            selector: { app: 'x' },
            ports: [{ name: 'http', port: 80, targetPort: 80, protocol: 'TCP' }],
            externalTrafficPolicy: 'Cluster',
            sourceRanges: ['203.0.113.0/24'],
            labels: {},
          },
        }),
      );
      assert.equal(sandbox.runtime.index.get(id), undefined, 'not in the cache yet');
      let lookups = 0;
      const lookup = sandbox.cluster.findServiceByExposureId.bind(sandbox.cluster);
      sandbox.cluster.findServiceByExposureId = (wanted: string) => {
        lookups++;
        return lookup(wanted);
      };
      const read = await call<Exposure>(sandbox, {
        method: 'GET',
        url: `/exposures/${id}`,
        headers: { authorization: SEARCH_TEAM },
      });
      assert.equal(read.status, 200);
      assert.equal(lookups, 1, 'one API call');
      const again = await call(sandbox, {
        method: 'GET',
        url: `/exposures/${id}`,
        headers: { authorization: SEARCH_TEAM },
      });
      assert.equal(again.status, 200);
      assert.equal(lookups, 1, 'the second read is served from the cache');
      assert.equal(read.body.createdBy, 'other-replica');
      const missing = await call(sandbox, {
        method: 'GET',
        url: `/exposures/${newExposureId()}`,
        headers: { authorization: SEARCH_TEAM },
      });
      assert.equal(missing.status, 404);
      assert.equal(lookups, 2, 'a new unknown id is looked up once');
      const old = await call(sandbox, {
        method: 'GET',
        url: '/exposures/exp_01jd6y8c3k2v7d9q4r5s6t7v9w',
        headers: { authorization: SEARCH_TEAM },
      });
      assert.equal(old.status, 404);
      assert.equal(
        lookups,
        2,
        'an id older than the cache can lag is not looked up (no API load from guessing)',
      );
    } finally {
      await sandbox.close();
    }
  });
});
