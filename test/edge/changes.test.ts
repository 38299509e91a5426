// Changing an exposure: merge patches, If-Match, Idempotency-Key, and expiry.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Sandbox } from '../../src/sandbox/sandbox.ts';
import { createRequest } from '../builders/create-request.ts';
import { eventually } from '../support/eventually.ts';
import { exposureApi, type Headers, problemOf } from '../support/exposure-api.ts';
import { ADMIN, call, footprint, SEARCH_TEAM, startTestSandbox } from '../support/test-sandbox.ts';

describe('changing exposures', () => {
  let sandbox: Sandbox;
  let clockOffsetMs = 0;
  before(async () => {
    sandbox = await startTestSandbox({ clock: { now: () => Date.now() + clockOffsetMs } });
  });
  after(() => sandbox.close());

  const rules = () => sandbox.emulator.rules(sandbox.config.gce.project);
  const api = () => exposureApi(sandbox);
  // Creates answer once the exposure is Ready (or after 5 s).
  const create = (body: unknown, headers: Headers = {}) =>
    api().create(body, { prefer: 'wait=5', ...headers });
  const patch = (id: string, body: unknown, headers: Headers = {}) => api().patch(id, body, headers);
  const read = (id: string) => api().read(id);
  const remove = (id: string, headers: Headers = {}) => api().remove(id, headers);

  test('a merge patch changes ranges, ports and labels; the rule is patched in place, not re-created', async () => {
    const created = await create(
      createRequest({ name: 'patched', ports: [{ name: 'http', port: 9200, nodePort: 30931 }] }),
    );
    assert.equal(created.status, 201);
    const ruleName = created.body.firewall.rules[0]?.name as string;
    const ruleId = rules().find((r) => r.name === ruleName)?.id;
    const patched = await patch(
      created.body.id,
      {
        sourceRanges: ['203.0.113.0/24', '198.51.100.0/24'],
        ports: [
          { name: 'http', port: 9200 },
          { name: 'transport', port: 9300, nodePort: 30932 },
        ],
        labels: { team: null, owner: 'alice' },
      },
      { 'if-match': String(created.headers.etag) },
    );
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    assert.notEqual(patched.headers.etag, created.headers.etag);
    assert.equal(patched.body.generation, 2);
    assert.deepEqual(patched.body.labels, { app: 'elasticsearch', owner: 'alice' });
    assert.deepEqual(
      patched.body.ports.map((p) => [p.name, p.nodePort]),
      [
        ['http', 30931],
        ['transport', 30932],
      ],
      'the allocated node port is kept',
    );
    await sandbox.runtime.reconciler.idle();
    const rule = rules().find((r) => r.name === ruleName);
    assert.equal(rule?.id, ruleId, 'same rule (patched, not re-created)');
    assert.deepEqual(rule?.sourceRanges, ['198.51.100.0/24', '203.0.113.0/24']);
    assert.deepEqual(rule?.allowed, [{ IPProtocol: 'tcp', ports: ['30931', '30932'] }]);
    const patches = sandbox.emulator
      .requests()
      .filter((r) => r.method === 'PATCH' && r.path.endsWith(ruleName));
    assert.equal(patches.length, 1);
    const after = await api().readUntil(created.body.id, (exposure) => exposure.status.phase === 'Ready', {
      what: 'Ready',
    });
    assert.equal(after.body.status.conditions.find((c) => c.type === 'FirewallReady')?.observedGeneration, 2);
    assert.equal(after.headers.etag, patched.headers.etag);
  });

  test('If-Match with a stale ETag is a 412 and changes nothing; a status change alone never causes one', async () => {
    const created = await create(createRequest({ name: 'guarded', ports: [{ name: 'http', port: 9200 }] }));
    const etag = String(created.headers.etag);
    // The reconciler has written its status since: the ETag must still match.
    await sandbox.runtime.reconciler.idle();
    const ok = await patch(created.body.id, { labels: { stage: 'one' } }, { 'if-match': etag });
    assert.equal(ok.status, 200);
    const stale = await patch(created.body.id, { labels: { stage: 'two' } }, { 'if-match': etag });
    assert.equal(stale.status, 412);
    assert.equal(problemOf(stale).type, '/problems/precondition-failed');
    assert.equal((await read(created.body.id)).body.labels.stage, 'one');
    const staleDelete = await remove(created.body.id, { 'if-match': etag });
    assert.equal(staleDelete.status, 412);
    assert.equal((await remove(created.body.id, { 'if-match': String(ok.headers.etag) })).status, 204);
  });

  test('a patch is validated like a create; identity fields cannot change', async () => {
    const created = await create(createRequest({ name: 'strict', ports: [{ name: 'http', port: 9200 }] }));
    const before = await read(created.body.id);
    const cases: { body: unknown; status: number; pointer: string }[] = [
      { body: { sourceRanges: ['0.0.0.0/0'] }, status: 422, pointer: '/sourceRanges/0' },
      { body: { sourceRanges: [] }, status: 400, pointer: '/sourceRanges' },
      {
        body: { ports: [{ name: 'http', port: 9200, nodePort: 80 }] },
        status: 400,
        pointer: '/ports/0/nodePort',
      },
      {
        body: { labels: { 'app.kubernetes.io/managed-by': 'me' } },
        status: 400,
        pointer: '/labels/app.kubernetes.io~1managed-by',
      },
      { body: { selector: { app: 'other' } }, status: 400, pointer: '/selector' },
      { body: { name: 'renamed' }, status: 400, pointer: '/name' },
      { body: { colour: 'blue' }, status: 400, pointer: '/colour' },
      { body: {}, status: 400, pointer: '' },
      { body: { ttlSeconds: 5 }, status: 400, pointer: '/ttlSeconds' },
    ];
    for (const c of cases) {
      const response = await patch(created.body.id, c.body);
      assert.equal(response.status, c.status, `${JSON.stringify(c.body)} → ${JSON.stringify(response.body)}`);
      const errors = problemOf(response).errors ?? [];
      assert.ok(
        errors.some((e) => e.pointer === c.pointer),
        `${JSON.stringify(c.body)}: ${JSON.stringify(errors)}`,
      );
    }
    const wrongType = await call(sandbox, {
      method: 'PATCH',
      url: `/exposures/${created.body.id}`,
      headers: { authorization: SEARCH_TEAM, 'content-type': 'text/plain' },
      payload: 'labels=x',
    });
    assert.equal(wrongType.status, 415);
    const afterwards = await read(created.body.id);
    assert.equal(afterwards.headers.etag, before.headers.etag, 'nothing changed');
  });

  test('a patch to a node port another Service holds is a 409 and changes nothing', async () => {
    const holder = await create(
      createRequest({ name: 'port-holder', ports: [{ name: 'http', port: 9200, nodePort: 30941 }] }),
    );
    const other = await create(createRequest({ name: 'port-wanter', ports: [{ name: 'http', port: 9200 }] }));
    const clash = await patch(other.body.id, { ports: [{ name: 'http', port: 9200, nodePort: 30941 }] });
    assert.equal(clash.status, 409);
    assert.match(String(problemOf(clash).detail), /search\/port-holder/);
    assert.equal((await read(other.body.id)).body.generation, 1);
    await remove(holder.body.id);
    await remove(other.body.id);
  });

  test('Idempotency-Key: the same request gives the same exposure; another body is a 422; keys are per caller', async () => {
    const body = createRequest({ name: 'idempotent', ports: [{ name: 'http', port: 9200 }] });
    const first = await create(body, { 'idempotency-key': 'order-42' });
    assert.equal(first.status, 201);
    const again = await create(body, { 'idempotency-key': 'order-42' });
    assert.equal(again.status, 201);
    assert.equal(again.body.id, first.body.id);
    assert.equal(again.headers.location, first.headers.location);
    const other = await create(
      { ...body, sourceRanges: ['198.51.100.0/24'] },
      { 'idempotency-key': 'order-42' },
    );
    assert.equal(other.status, 422);
    assert.equal(problemOf(other).type, '/problems/idempotency-key-reused');
    // Another caller with the same key is another key: here it meets the taken name.
    const admin = await create(body, { 'idempotency-key': 'order-42', authorization: ADMIN });
    assert.equal(admin.status, 409);
    assert.equal(sandbox.cluster.allServices().filter((s) => s.name === 'idempotent').length, 1);
  });

  test('concurrent creates with one Idempotency-Key make one exposure', async () => {
    const body = createRequest({ name: 'concurrent', ports: [{ name: 'http', port: 9200 }] });
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => api().create(body, { 'idempotency-key': 'burst-1' })),
    );
    assert.deepEqual(new Set(answers.map((a) => a.status)), new Set([201]));
    assert.equal(new Set(answers.map((a) => a.body.id)).size, 1);
  });

  test('an exposure with a TTL shows expiresAt and is deleted when it expires: rule first, then Service', async () => {
    const created = await create(
      createRequest({ name: 'temporary', ports: [{ name: 'http', port: 9200 }], ttlSeconds: 120 }),
    );
    assert.equal(created.status, 201);
    const expiresAt = Date.parse(String(created.body.expiresAt));
    assert.ok(Math.abs(expiresAt - (Date.now() + 120_000)) < 5_000, String(created.body.expiresAt));
    const extended = await patch(created.body.id, { ttlSeconds: 3600 });
    assert.ok(Date.parse(String(extended.body.expiresAt)) > expiresAt);
    const cleared = await patch(created.body.id, { ttlSeconds: null });
    assert.equal(cleared.body.expiresAt, null);
    const shortened = await patch(created.body.id, { ttlSeconds: 60 });
    assert.ok(shortened.body.expiresAt);
    const ruleName = created.body.firewall.rules[0]?.name;
    clockOffsetMs = 61_000;
    try {
      await sandbox.runtime.reconciler.fullResync();
      await eventually(
        () => footprint(sandbox),
        (f) => !f.services.includes('search/temporary'),
        { what: 'the expired exposure to go' },
      );
      assert.equal(
        rules().some((r) => r.name === ruleName),
        false,
      );
      assert.ok(
        sandbox.cluster.events().some((e) => e.reason === 'Expired' && e.involvedObject.name === 'temporary'),
      );
    } finally {
      clockOffsetMs = 0;
    }
    const both = await create(
      createRequest({
        name: 'both',
        ports: [{ name: 'http', port: 9200 }],
        ttlSeconds: 60,
        expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      }),
    );
    assert.equal(both.status, 400);
    const past = await create(
      createRequest({
        name: 'past',
        ports: [{ name: 'http', port: 9200 }],
        expiresAt: '2020-01-01T00:00:00Z',
      }),
    );
    assert.equal(past.status, 400);
    assert.ok((problemOf(past).errors ?? []).some((e) => e.pointer === '/expiresAt'));
  });
});

describe('concurrent changes', () => {
  test('two PATCHes with the same If-Match: one wins, the other is a 412; disjoint PATCHes both land', async () => {
    const sandbox = await startTestSandbox({ withDemoWorkload: false });
    try {
      // A slow apiserver, so that both requests read the Service before either writes it.
      const apply = sandbox.cluster.applyServiceSpec.bind(sandbox.cluster);
      sandbox.cluster.applyServiceSpec = async (manifest, preconditions) => {
        await new Promise((resolve) => setTimeout(resolve, 50));
        return apply(manifest, preconditions);
      };
      const api = exposureApi(sandbox);
      const created = await api.create(
        createRequest({ name: 'contended', ports: [{ name: 'http', port: 9200 }] }),
      );
      const etag = String(created.headers.etag);
      const send = (body: unknown, headers: Headers = {}) => api.patch(created.body.id, body, headers);
      const [first, second] = await Promise.all([
        send({ sourceRanges: ['198.51.100.0/24'] }, { 'if-match': etag }),
        send({ labels: { stage: 'two' } }, { 'if-match': etag }),
      ]);
      assert.deepEqual([first.status, second.status].sort(), [200, 412]);

      const [left, right] = await Promise.all([
        send({ labels: { left: 'yes' } }),
        send({ labels: { right: 'yes' } }),
      ]);
      assert.deepEqual([left.status, right.status], [200, 200]);
      const read = await api.read(created.body.id);
      assert.equal(read.body.labels.left, 'yes', 'neither change undid the other');
      assert.equal(read.body.labels.right, 'yes');
      assert.equal(read.body.generation, 4);
    } finally {
      await sandbox.close();
    }
  });
});

describe('IP families', () => {
  test('an exposure with IPv4 and IPv6 ranges has two rules; dropping IPv6 deletes its rule', async () => {
    const sandbox = await startTestSandbox({
      withDemoWorkload: false,
      config: {
        sourceRanges: {
          allowed: ['0.0.0.0/0', '::/0'],
          minPrefixLength: { ipv4: 16, ipv6: 32 },
          allowPublic: false,
        },
      },
    });
    try {
      const api = exposureApi(sandbox);
      const created = await api.create(
        createRequest({
          name: 'dual',
          ports: [{ name: 'http', port: 9200 }],
          sourceRanges: ['203.0.113.0/24', '2001:db8::/32'],
        }),
      );
      assert.equal(created.status, 201);
      assert.deepEqual(
        created.body.firewall.rules.map((r) => [r.ipFamily, r.sourceRanges]),
        [
          ['IPv4', ['203.0.113.0/24']],
          ['IPv6', ['2001:db8::/32']],
        ],
      );
      const project = sandbox.config.gce.project;
      await eventually(
        () => sandbox.emulator.rules(project).length,
        (n) => n === 2,
        { what: 'two rules' },
      );
      await api.readUntil(created.body.id, (exposure) => exposure.firewall.state === 'UpToDate', {
        what: 'up to date',
      });
      const patched = await api.patch(created.body.id, { sourceRanges: ['203.0.113.0/24'] });
      assert.equal(patched.status, 200);
      await eventually(
        () => sandbox.emulator.rules(project).map((r) => String(r.name)),
        (names) => names.length === 1,
        {
          what: 'the IPv6 rule to go',
        },
      );
      assert.ok(!String(sandbox.emulator.rules(project)[0]?.name).endsWith('-v6'));
    } finally {
      await sandbox.close();
    }
  });
});
