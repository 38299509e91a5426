// The exposure lifecycle through the HTTP API (app.inject), against the sandbox's in-memory
// cluster, its simulated nodes and the Compute emulator: create, read, list, delete.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { newExposureId } from '../../src/domain/exposure-id.ts';
import type { Sandbox } from '../../src/sandbox/sandbox.ts';
import type { Exposure, ExposureList } from '../../src/schemas/exposure.ts';
import { createRequest } from '../builders/create-request.ts';
import { exposureManifest } from '../builders/exposure-spec.ts';
import { eventually } from '../support/eventually.ts';
import { exposureApi, problemOf } from '../support/exposure-api.ts';
import { ADMIN, footprint, startTestSandbox } from '../support/test-sandbox.ts';

/** Elasticsearch's HTTP (TCP) and gossip (UDP) ports, served only where a pod runs. */
function localTcpAndUdpRequest(name: string) {
  return createRequest({
    name,
    externalTrafficPolicy: 'Local',
    ports: [
      { name: 'http', port: 9200 },
      { name: 'gossip', port: 9300, protocol: 'UDP' },
    ],
  });
}

describe('exposures lifecycle', () => {
  let sandbox: Sandbox;
  before(async () => {
    sandbox = await startTestSandbox();
  });
  after(() => sandbox.close());

  const api = () => exposureApi(sandbox);
  const admin = { authorization: ADMIN };
  const waitReady = { prefer: 'wait=5' };

  test('create answers 201 with Location and ETag; with Prefer: wait it answers Ready, all endpoints Healthy', async () => {
    const created = await api().create(createRequest(), waitReady);
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

    const fetched = await api().read(exposure.id);
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
      () => api().list('?namespace=search'),
      (r) => r.body.items.some((i) => i.name === 'elasticsearch'),
    );
    const holder = first.body.items.find((i) => i.name === 'elasticsearch');
    const second = await api().create(createRequest({ name: 'elasticsearch-copy' }));
    assert.equal(second.status, 409);
    const problem = problemOf(second);
    assert.equal(problem.type, '/problems/node-port-taken');
    assert.match(String(problem.detail), new RegExp(`search/elasticsearch \\(exposure ${holder?.id}\\)`));
    assert.equal(problem.errors?.[0]?.pointer, '/ports/0/nodePort');
  });

  test('the holder of a node port is not named to a caller who may not see its namespace', async () => {
    const inPayments = await api().create(
      createRequest({
        namespace: 'payments',
        name: 'ledger',
        selector: { app: 'ledger' },
        ports: [{ name: 'http', port: 80, nodePort: 31111 }],
      }),
      admin,
    );
    assert.equal(inPayments.status, 201);
    const clash = await api().create(
      createRequest({ name: 'other', ports: [{ name: 'http', port: 80, nodePort: 31111 }] }),
    );
    assert.equal(clash.status, 409);
    const detail = problemOf(clash).detail;
    assert.equal(detail, 'node port 31111 is already allocated');
    assert.doesNotMatch(JSON.stringify(clash.body), /payments|ledger/);
    // …while the admin, who may see payments, is told.
    const adminClash = await api().create(
      createRequest({ name: 'other', ports: [{ name: 'http', port: 80, nodePort: 31111 }] }),
      admin,
    );
    assert.match(String(problemOf(adminClash).detail), /payments\/ledger/);
  });

  test('an exposure in a namespace the caller may not use is a 404, not a 403', async () => {
    const listed = await api().list('?namespace=payments', admin);
    const ledger = listed.body.items.find((i) => i.name === 'ledger');
    assert.ok(ledger);
    const asSearch = await api().read(ledger.id);
    assert.equal(asSearch.status, 404);
    assert.equal(problemOf(asSearch).type, '/problems/exposure-not-found');
    const deleteAsSearch = await api().remove(ledger.id);
    assert.equal(deleteAsSearch.status, 404);
    const asAdmin = await api().read(ledger.id, '', admin);
    assert.equal(asAdmin.status, 200);
  });

  test('a list shows a caller exactly the exposures of its own namespaces', async () => {
    const theirs = await api().create(
      createRequest({ namespace: 'payments', name: 'tenant-payments', ports: [{ name: 'http', port: 80 }] }),
      admin,
    );
    assert.equal(theirs.status, 201, JSON.stringify(theirs.body));
    const ours = await api().create(
      createRequest({ name: 'tenant-search', ports: [{ name: 'http', port: 9200 }] }),
    );
    assert.equal(ours.status, 201, JSON.stringify(ours.body));
    const everything = await api().list('?limit=500', admin);
    const namespaces = new Set(everything.body.items.map((item) => item.namespace));
    assert.ok(namespaces.has('search') && namespaces.has('payments'), [...namespaces].join(', '));

    const seen = await api().list('?limit=500');
    assert.equal(seen.status, 200);
    const ids = (items: ExposureList['items']) => items.map((item) => item.id).sort();
    assert.deepEqual(
      ids(seen.body.items),
      ids(everything.body.items.filter((item) => item.namespace === 'search')),
      'every exposure of search and none of payments',
    );
    assert.ok(seen.body.items.some((item) => item.id === ours.body.id));
    assert.ok(seen.body.items.every((item) => item.id !== theirs.body.id));
    assert.equal((await api().remove(theirs.body.id, admin)).status, 204);
    assert.equal((await api().remove(ours.body.id)).status, 204);
  });

  test('a taken Service name is a 409 and the existing Service is not taken over', async () => {
    const clash = await api().create(createRequest({ ports: [{ name: 'http', port: 9200 }] }));
    assert.equal(clash.status, 409);
    assert.equal(problemOf(clash).type, '/problems/name-taken');
  });

  test('list pages with an opaque cursor, filters by namespace, label selector and phase', async () => {
    for (const n of [1, 2, 3]) {
      const created = await api().create(
        createRequest({
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
      const page = await api().list(
        `?labelSelector=${encodeURIComponent('app=paged')}&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      assert.equal(page.status, 200);
      seen.push(...page.body.items.map((i) => i.name));
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    assert.deepEqual(seen, ['page-1', 'page-2', 'page-3']);
    assert.equal(pages, 2);

    const gold = await api().list(`?labelSelector=${encodeURIComponent('app=paged,tier in (gold)')}`);
    assert.deepEqual(
      gold.body.items.map((i) => i.name),
      ['page-3'],
    );
    assert.equal('endpoints' in (gold.body.items[0] ?? {}), false, 'list items leave out the endpoint list');

    await sandbox.runtime.reconciler.idle();
    const ready = await api().list('?phase=Failed');
    assert.deepEqual(ready.body.items, []);

    const badSelector = await api().list('?labelSelector=%3D%3D');
    assert.equal(badSelector.status, 400);
    const [selectorError] = problemOf(badSelector).errors ?? [];
    assert.deepEqual(selectorError, {
      location: 'query',
      pointer: '/labelSelector',
      detail: selectorError?.detail,
    });
    const badCursor = await api().list('?cursor=nonsense');
    assert.equal(badCursor.status, 400);
    const badLimit = await api().list('?limit=0');
    assert.equal(badLimit.status, 400);
  });

  test('UDP ports are Unknown with a reason; Local traffic policy serves only nodes with a ready pod', async () => {
    const created = await api().create(localTcpAndUdpRequest('mixed'), waitReady);
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
    const created = await api().create(localTcpAndUdpRequest('limited'), waitReady);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = created.body.id;
    const shape = (endpoints: Exposure['endpoints']) =>
      endpoints.map((e) => `${e.node}:${e.port}/${e.protocol} serving=${e.serving} ${e.health.state}`);

    const all = await api().read(id);
    assert.equal(all.body.endpoints.length, 6);
    assert.equal(all.body.endpointsOmitted, undefined, 'nothing is left out under the default limit');
    assert.equal(all.body.endpointSummary.total, 6);

    const two = await api().read(id, '?endpointLimit=2');
    assert.equal(two.status, 200);
    assert.deepEqual(shape(two.body.endpoints), shape(all.body.endpoints).slice(0, 2));
    assert.ok(two.body.endpoints.every((e) => e.serving && e.health.state === 'Healthy'));
    assert.equal(two.body.endpointsOmitted, 4);
    assert.deepEqual(two.body.endpointSummary, all.body.endpointSummary, 'the counts cover every endpoint');
    assert.deepEqual(two.body.status.phase, all.body.status.phase);

    const none = await api().read(id, '?endpointLimit=0');
    assert.deepEqual(none.body.endpoints, []);
    assert.equal(none.body.endpointsOmitted, 6);

    for (const bad of ['20001', '-1', 'many']) {
      const refused = await api().read(id, `?endpointLimit=${bad}`);
      assert.equal(refused.status, 400, bad);
      assert.equal(refused.headers['content-type'], 'application/problem+json; charset=utf-8');
      assert.match(JSON.stringify(refused.body), /endpointLimit/);
    }
    assert.equal((await api().remove(id)).status, 204);
  });

  test('delete removes the rule first and the Service after it; a repeated delete is a harmless 404', async () => {
    const created = await api().create(
      createRequest({ name: 'short-lived', ports: [{ name: 'http', port: 9200 }] }),
      waitReady,
    );
    const ruleName = created.body.firewall.rules[0]?.name;
    assert.ok(sandbox.emulator.rules(sandbox.config.gce.project).some((r) => r.name === ruleName));
    const deleted = await api().remove(created.body.id);
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
    const again = await api().remove(created.body.id);
    assert.equal(again.status, 404);
    const gone = await api().read(created.body.id);
    assert.equal(gone.status, 404);
  });

  test('a rule deleted and a rule edited out of band are repaired by a resync', async () => {
    const a = await api().create(
      createRequest({ name: 'drift-a', ports: [{ name: 'http', port: 9200 }] }),
      waitReady,
    );
    const b = await api().create(
      createRequest({ name: 'drift-b', ports: [{ name: 'http', port: 9200 }] }),
      waitReady,
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
    const created = await api().create(
      createRequest({ name: 'moved', ports: [{ name: 'http', port: 9200 }] }),
      waitReady,
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
    const created = await api().create(
      createRequest({ name: 'garbled', ports: [{ name: 'http', port: 9200 }] }),
      waitReady,
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
    const list = await api().list('?limit=500', admin);
    for (const item of list.body.items) {
      const deleted = await api().remove(item.id, admin);
      assert.equal(deleted.status, 204, `${item.name}: ${JSON.stringify(deleted.body)}`);
    }
    assert.deepEqual(footprint(sandbox), { services: [], rules: [] });
  });
});

describe('a read that misses the cache', () => {
  test('asks the Kubernetes API once instead of answering 404 (an exposure another replica just created)', async () => {
    const sandbox = await startTestSandbox({ withDemoWorkload: false });
    try {
      const api = exposureApi(sandbox);
      // Written straight to the cluster, as another replica would: this replica's cache has not seen it.
      const id = newExposureId();
      await sandbox.cluster.createService(
        exposureManifest(
          {
            name: 'elsewhere',
            selector: { app: 'x' },
            ports: [{ name: 'http', port: 80, targetPort: 80, protocol: 'TCP' }],
          },
          { id, createdBy: 'other-replica' },
        ),
      );
      assert.equal(sandbox.runtime.index.get(id), undefined, 'not in the cache yet');
      let lookups = 0;
      const lookup = sandbox.cluster.findServiceByExposureId.bind(sandbox.cluster);
      sandbox.cluster.findServiceByExposureId = (wanted: string) => {
        lookups++;
        return lookup(wanted);
      };
      const read = await api.read(id);
      assert.equal(read.status, 200);
      assert.equal(lookups, 1, 'one API call');
      const again = await api.read(id);
      assert.equal(again.status, 200);
      assert.equal(lookups, 1, 'the second read is served from the cache');
      assert.equal(read.body.createdBy, 'other-replica');
      const missing = await api.read(newExposureId());
      assert.equal(missing.status, 404);
      assert.equal(lookups, 2, 'a new unknown id is looked up once');
      const old = await api.read('exp_01jd6y8c3k2v7d9q4r5s6t7v9w');
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
