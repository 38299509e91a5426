// When GCE or Kubernetes fail: the caller hears it plainly (a problem, or a status with a reason
// and a message that says what to do), and after a retry or a delete nothing is left behind.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ClusterError } from '../../src/application/ports/cluster.ts';
import type { Sandbox } from '../../src/sandbox/sandbox.ts';
import { createRequest } from '../builders/create-request.ts';
import { eventually } from '../support/eventually.ts';
import { exposureApi, firewallCondition, type Headers, problemOf } from '../support/exposure-api.ts';
import { footprint, startTestSandbox } from '../support/test-sandbox.ts';

describe('failures of GCE and Kubernetes', () => {
  let sandbox: Sandbox;
  let project: string;
  before(async () => {
    sandbox = await startTestSandbox();
    project = sandbox.config.gce.project;
  });
  after(() => sandbox.close());

  const api = () => exposureApi(sandbox);
  const create = (body: unknown, headers: Headers = {}) => api().create(body, headers);
  const read = (id: string) => api().read(id);
  const remove = (id: string) => api().remove(id);

  test('GCE failing during create: reported in the status, then repaired once GCE is back; delete leaves nothing', async () => {
    sandbox.emulator.setFaults({ errorRate: 1, statuses: [503] });
    let created: Awaited<ReturnType<typeof create>>;
    try {
      created = await create(createRequest({ name: 'flaky', ports: [{ name: 'http', port: 9200 }] }));
      assert.equal(created.status, 201, 'the Service is in place: the exposure exists, Provisioning');
      assert.equal(created.body.status.phase, 'Provisioning');
      const failing = await api().readUntil(
        created.body.id,
        (exposure) => firewallCondition(exposure)?.reason === 'GceUnavailable',
        { what: 'FirewallReady=False GceUnavailable' },
      );
      assert.equal(failing.body.status.phase, 'Provisioning');
      assert.equal(firewallCondition(failing.body)?.status, 'False');
      assert.match(String(firewallCondition(failing.body)?.message), /retrying/);
      assert.equal(sandbox.emulator.rules(project).length, 0);
    } finally {
      sandbox.emulator.setFaults(undefined);
    }

    const ready = await api().readUntil(created.body.id, (exposure) => exposure.status.phase === 'Ready', {
      what: 'Ready after recovery',
    });
    assert.equal(firewallCondition(ready.body)?.reason, 'UpToDate');
    assert.equal(sandbox.emulator.rules(project).length, 1);

    assert.equal((await remove(created.body.id)).status, 204);
    assert.deepEqual(footprint(sandbox), { services: [], rules: [] });
  });

  test('GCE failing and the exposure deleted before it ever became Ready: no orphan Service or rule', async () => {
    sandbox.emulator.setFaults({ errorRate: 1, statuses: [500, 429] });
    try {
      const created = await create(
        createRequest({ name: 'abandoned', ports: [{ name: 'http', port: 9200 }] }),
      );
      assert.equal(created.status, 201);
      await api().readUntil(created.body.id, (exposure) => firewallCondition(exposure)?.status === 'False', {
        what: 'a failure',
      });
      const deleting = await api().remove(created.body.id, { prefer: 'respond-async' });
      assert.equal(deleting.status, 202);
      assert.equal(deleting.body.status.phase, 'Deleting');
    } finally {
      sandbox.emulator.setFaults(undefined);
    }
    await eventually(
      () => footprint(sandbox),
      (f) => f.services.length === 0 && f.rules.length === 0,
      {
        what: 'the Service and any rule to be gone',
      },
    );
  });

  test('quota exhausted: Failed with reason QuotaExceeded and what to do', async () => {
    sandbox.emulator.setQuota(project, 0);
    try {
      const created = await create(
        createRequest({ name: 'no-quota', ports: [{ name: 'http', port: 9200 }] }),
      );
      const failed = await api().readUntil(
        created.body.id,
        (exposure) => exposure.status.phase === 'Failed',
        { what: 'Failed' },
      );
      const condition = firewallCondition(failed.body);
      assert.equal(condition?.reason, 'QuotaExceeded');
      assert.match(String(condition?.message), /Quota 'FIREWALLS' exceeded/);
      assert.match(String(condition?.message), /higher FIREWALLS quota/);
      assert.equal(failed.body.firewall.state, 'Failed');
      assert.ok(
        sandbox.cluster
          .events()
          .some((e) => e.reason === 'FirewallFailed' && e.involvedObject.name === 'no-quota'),
      );
      assert.equal((await remove(created.body.id)).status, 204);
    } finally {
      sandbox.emulator.setQuota(project, 500);
    }
    assert.deepEqual(footprint(sandbox), { services: [], rules: [] });
  });

  test('no permission on the network project: Failed, with the gcloud command an administrator can run', async () => {
    sandbox.emulator.denyProject(project, true);
    let id = '';
    try {
      const created = await create(
        createRequest({ name: 'shared-vpc', ports: [{ name: 'http', port: 9200, nodePort: 30999 }] }),
      );
      id = created.body.id;
      const failed = await api().readUntil(id, (exposure) => exposure.status.phase === 'Failed', {
        what: 'Failed',
      });
      const message = String(firewallCondition(failed.body)?.message);
      assert.equal(firewallCondition(failed.body)?.reason, 'PermissionDenied');
      assert.match(
        message,
        /gcloud compute firewall-rules create exp-sandbox-[0-9a-z]{26} --project=sandbox-project --network=default/,
      );
      assert.match(message, /--allow=tcp:30999/);
      assert.match(message, /--source-ranges=203\.0\.113\.0\/24/);
      assert.match(message, /--target-tags=sandbox-node/);
    } finally {
      sandbox.emulator.denyProject(project, false);
    }
    await api().readUntil(id, (exposure) => exposure.status.phase === 'Ready', {
      what: 'Ready once permitted',
      timeoutMs: 15_000,
    });
    assert.equal((await remove(id)).status, 204);
  });

  test('a node port still held by an exposure being deleted is a 409 with Retry-After', async () => {
    const holder = await create(
      createRequest({ name: 'holder', ports: [{ name: 'http', port: 9200, nodePort: 31500 }] }),
      { prefer: 'wait=5' },
    );
    sandbox.emulator.setFaults({ errorRate: 1, statuses: [503] });
    try {
      const deleting = await api().remove(holder.body.id, { prefer: 'respond-async' });
      assert.equal(deleting.status, 202);
      const clash = await create(
        createRequest({ name: 'successor', ports: [{ name: 'http', port: 9200, nodePort: 31500 }] }),
      );
      assert.equal(clash.status, 409);
      assert.equal(problemOf(clash).type, '/problems/node-port-releasing');
      assert.equal(clash.headers['retry-after'], '5');
    } finally {
      sandbox.emulator.setFaults(undefined);
    }
    await eventually(
      () => footprint(sandbox),
      (f) => f.services.length === 0,
      { what: 'the holder to be gone' },
    );
    const successor = await create(
      createRequest({ name: 'successor', ports: [{ name: 'http', port: 9200, nodePort: 31500 }] }),
    );
    assert.equal(successor.status, 201);
    assert.equal((await remove(successor.body.id)).status, 204);
  });

  test('the Kubernetes API unavailable: 503 with Retry-After, and nothing written', async () => {
    sandbox.cluster.failNext(
      'createService',
      new ClusterError('Unavailable', 'connect ECONNREFUSED 10.0.0.1:443'),
    );
    const response = await create(createRequest({ name: 'k8s-down', ports: [{ name: 'http', port: 9200 }] }));
    assert.equal(response.status, 503);
    assert.equal(problemOf(response).type, '/problems/kubernetes-unavailable');
    assert.equal(response.headers['retry-after'], '5');
    assert.deepEqual(footprint(sandbox), { services: [], rules: [] });
  });

  test("exposure-api's own missing permission is a 503 for an administrator, never the caller's 403", async () => {
    sandbox.cluster.failNext(
      'createService',
      new ClusterError(
        'Forbidden',
        'services is forbidden: User "system:serviceaccount:exposure-api:exposure-api" cannot create resource "services"',
      ),
    );
    const response = await create(createRequest({ name: 'no-rbac', ports: [{ name: 'http', port: 9200 }] }));
    assert.equal(response.status, 503);
    const problem = problemOf(response);
    assert.equal(problem.type, '/problems/kubernetes-misconfigured');
    assert.match(String(problem.detail), /RBAC/);
    assert.ok(response.headers['retry-after']);
  });
});

describe('a spec edited out of band', () => {
  test('is held to the policy again: a widened range closes the port (PolicyViolation); a port added by hand is not opened', async () => {
    const sandbox = await startTestSandbox();
    try {
      const created = await exposureApi(sandbox).create(
        createRequest({ name: 'tampered', ports: [{ name: 'http', port: 9200, nodePort: 30950 }] }),
        { prefer: 'wait=5' },
      );
      assert.equal(created.status, 201);
      const service = sandbox.cluster.allServices().find((s) => s.name === 'tampered');
      assert.ok(service);
      const spec = JSON.parse(service.annotations['exposure-api.io/spec'] as string);
      // Someone with kubectl: adds a port to the Service (not the exposure's) ...
      await sandbox.cluster.applyServiceSpec(
        {
          ...service,
          ports: [
            ...service.ports,
            { name: 'ssh', port: 22, targetPort: 22, nodePort: 30922, protocol: 'TCP' },
          ],
        },
        { uid: service.uid },
      );
      await sandbox.runtime.reconciler.fullResync();
      await sandbox.runtime.reconciler.idle();
      const project = sandbox.config.gce.project;
      assert.deepEqual(sandbox.emulator.rules(project)[0]?.allowed, [
        { IPProtocol: 'tcp', ports: ['30950'] },
      ]);
      // ... then widens the stored spec to the whole internet.
      const current = sandbox.cluster.allServices().find((s) => s.name === 'tampered');
      assert.ok(current);
      await sandbox.cluster.applyServiceSpec(
        {
          ...current,
          annotations: {
            ...current.annotations,
            'exposure-api.io/spec': JSON.stringify({ ...spec, sourceRanges: ['0.0.0.0/0'] }),
          },
        },
        { uid: current.uid },
      );
      await eventually(
        () => sandbox.emulator.rules(project).length,
        (n) => n === 0,
        { what: 'the rule to be removed' },
      );
      const read = await exposureApi(sandbox).readUntil(
        created.body.id,
        (exposure) => exposure.status.phase === 'Failed',
        { what: 'Failed' },
      );
      assert.equal(read.body.status.phase, 'Failed');
      const condition = firewallCondition(read.body);
      assert.equal(condition?.reason, 'PolicyViolation');
      assert.match(String(condition?.message), /whole internet/);
    } finally {
      await sandbox.close();
    }
  });
});

describe('a terminating Service whose exposure record cannot be read', () => {
  for (const damage of ['spec', 'spec and id label'] as const) {
    test(`is still released after its rule is deleted (${damage} damaged)`, async () => {
      const sandbox = await startTestSandbox({ withDemoWorkload: false });
      try {
        const created = await exposureApi(sandbox).create(
          createRequest({ name: 'damaged', ports: [{ name: 'http', port: 9200 }] }),
          { prefer: 'wait=5' },
        );
        assert.equal(created.status, 201);
        const project = sandbox.config.gce.project;
        await eventually(
          () => sandbox.emulator.rules(project).length,
          (n) => n === 1,
          { what: 'the rule' },
        );
        const service = sandbox.cluster.allServices().find((s) => s.name === 'damaged');
        assert.ok(service);
        const labels = { ...service.labels };
        if (damage === 'spec and id label') delete labels['exposure-api.io/id'];
        await sandbox.cluster.applyServiceSpec(
          { ...service, labels, annotations: { ...service.annotations, 'exposure-api.io/spec': 'not json' } },
          { uid: service.uid },
        );
        await sandbox.cluster.deleteService(service);
        await eventually(
          () => footprint(sandbox),
          (f) => f.services.length === 0 && f.rules.length === 0,
          {
            what: 'the rule deleted and the Service released',
          },
        );
      } finally {
        await sandbox.close();
      }
    });
  }
});
