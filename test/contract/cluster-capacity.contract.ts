// The Cluster port's contract where tenants share capacity: a namespace's ResourceQuota on Services
// (services.nodeports, count/services) and a full node-port range, each refused the way
// kube-apiserver refuses it; and the lookups that explain a refusal or a cache miss (several
// exposure ids in one call, every node port's holder in one walk). Run against the in-memory cluster
// and against the Kubernetes adapter on a real kube-apiserver with the quota controller running.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Cluster, ClusterError } from '../../src/application/ports/cluster.ts';
import type { ServiceManifest } from '../../src/domain/cluster-objects.ts';
import { newExposureId } from '../../src/domain/exposure-id.ts';
import {
  EXPOSURE_ID_LABEL,
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  SPEC_ANNOTATION,
} from '../../src/domain/naming.ts';
import { uniqueName } from './unique-name.ts';

/** What a test changes in the cluster besides the port's own writes, as an administrator would. */
export interface CapacityAdmin {
  createNamespace(name: string): Promise<void>;
  /** Creates or replaces a ResourceQuota; resolves once the cluster enforces it. */
  setResourceQuota(namespace: string, name: string, hard: Record<string, number>): Promise<void>;
  /** Resolves once the quota counts `used` of `resource` (after a delete, the quota controller recounts). */
  quotaUsage(namespace: string, name: string, resource: string, used: number): Promise<void>;
  /** A Service that exposure-api does not manage. */
  createUnmanagedService(manifest: ServiceManifest): Promise<void>;
}

export interface CapacityClusterUnderTest {
  cluster: Cluster;
  admin: CapacityAdmin;
  /** A small range (tens of ports), so that a test can fill it. */
  nodePortRange: { min: number; max: number };
  close(): Promise<void>;
}

export function clusterCapacityContract(
  name: string,
  make: () => Promise<CapacityClusterUnderTest | undefined>,
): void {
  describe(`Cluster contract, shared capacity: ${name}`, () => {
    let subject: CapacityClusterUnderTest | undefined;

    before(async () => {
      subject = await make();
      await subject?.cluster.start();
    });
    after(async () => {
      await subject?.cluster.stop();
      await subject?.close();
    });

    function under(t: { skip(message?: string): void }): CapacityClusterUnderTest | undefined {
      if (!subject) t.skip('this cluster backend is not available');
      return subject;
    }

    async function freshNamespace(s: CapacityClusterUnderTest): Promise<string> {
      const namespace = uniqueName('capacity');
      await s.admin.createNamespace(namespace);
      return namespace;
    }

    function manifest(
      namespace: string,
      ports = 1,
      overrides: Partial<ServiceManifest> = {},
    ): ServiceManifest {
      return {
        namespace,
        name: uniqueName('svc'),
        labels: { app: 'web', [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [EXPOSURE_ID_LABEL]: newExposureId() },
        annotations: { [SPEC_ANNOTATION]: '{"test":true}' },
        // No finalizer: a deleted Service goes at once and gives its node ports and quota back.
        finalizers: [],
        selector: { app: 'web' },
        ports: Array.from({ length: ports }, (_, i) => ({
          name: `p${i}`,
          port: 80 + i,
          targetPort: 8080 + i,
          protocol: 'TCP' as const,
        })),
        externalTrafficPolicy: 'Cluster',
        ...overrides,
      };
    }

    function quotaRefusal(error: unknown): ClusterError {
      assert.ok(error instanceof ClusterError, String(error));
      assert.equal(error.kind, 'QuotaExceeded', error.message);
      return error;
    }

    test('a create beyond a ResourceQuota on services.nodeports is QuotaExceeded, naming the quota and its figures; nothing is created', async (t) => {
      const s = under(t);
      if (!s) return;
      const namespace = await freshNamespace(s);
      await s.admin.setResourceQuota(namespace, 'tenant-quota', { 'services.nodeports': 2 });
      await s.cluster.createService(manifest(namespace));
      await s.cluster.createService(manifest(namespace));
      const third = manifest(namespace);
      await assert.rejects(s.cluster.createService(third), (error: unknown) => {
        const refusal = quotaRefusal(error);
        assert.equal(
          refusal.message,
          `services "${third.name}" is forbidden: exceeded quota: tenant-quota, requested: services.nodeports=1, used: services.nodeports=2, limited: services.nodeports=2`,
        );
        assert.deepEqual(refusal.quota, {
          name: 'tenant-quota',
          exceeded: [{ resource: 'services.nodeports', requested: 1, used: 2, limit: 2 }],
        });
        return true;
      });
      assert.equal(await s.cluster.readService(third), undefined, 'nothing was created');
      const holders = await s.cluster.nodePortHolders();
      assert.equal(holders.filter((h) => h.namespace === namespace).length, 2, 'no node port was kept');
    });

    test('an apply that adds ports beyond the quota is QuotaExceeded and changes nothing; one that adds none is never refused', async (t) => {
      const s = under(t);
      if (!s) return;
      const namespace = await freshNamespace(s);
      await s.admin.setResourceQuota(namespace, 'ports', { 'services.nodeports': 3 });
      const wanted = manifest(namespace, 2);
      const created = await s.cluster.createService(wanted);
      await s.cluster.createService(manifest(namespace, 1));
      await assert.rejects(
        s.cluster.applyServiceSpec(
          { ...manifest(namespace, 3), name: wanted.name, labels: wanted.labels },
          { uid: created.uid },
        ),
        (error: unknown) => {
          const refusal = quotaRefusal(error);
          assert.deepEqual(refusal.quota?.exceeded, [
            { resource: 'services.nodeports', requested: 1, used: 3, limit: 3 },
          ]);
          assert.match(
            refusal.message,
            /exceeded quota: ports, requested: services\.nodeports=1, used: services\.nodeports=3, limited: services\.nodeports=3$/,
          );
          return true;
        },
      );
      assert.equal((await s.cluster.readService(wanted))?.ports.length, 2, 'the Service keeps its ports');
      // At the limit, writes that hold no more still go through: the status annotation, a relabel.
      await s.cluster.writeFirewallStatus(wanted, '{"state":"UpToDate"}');
      const relabelled = await s.cluster.applyServiceSpec(
        { ...wanted, labels: { ...wanted.labels, tier: 'gold' } },
        { uid: created.uid },
      );
      assert.equal(relabelled.labels.tier, 'gold');
    });

    test('count/services is enforced too, and the first quota exceeded is named', async (t) => {
      const s = under(t);
      if (!s) return;
      const namespace = await freshNamespace(s);
      await s.admin.setResourceQuota(namespace, 'services', {
        'count/services': 1,
        'services.nodeports': 10,
      });
      await s.cluster.createService(manifest(namespace));
      await assert.rejects(s.cluster.createService(manifest(namespace)), (error: unknown) => {
        const refusal = quotaRefusal(error);
        assert.deepEqual(refusal.quota, {
          name: 'services',
          exceeded: [{ resource: 'count/services', requested: 1, used: 1, limit: 1 }],
        });
        return true;
      });
    });

    test('deleting a Service gives its share of the quota back', async (t) => {
      const s = under(t);
      if (!s) return;
      const namespace = await freshNamespace(s);
      await s.admin.setResourceQuota(namespace, 'tenant-quota', { 'services.nodeports': 1 });
      const first = manifest(namespace);
      await s.cluster.createService(first);
      await assert.rejects(s.cluster.createService(manifest(namespace)), (error: unknown) => {
        quotaRefusal(error);
        return true;
      });
      assert.deepEqual(await s.cluster.deleteService(first), { outcome: 'deleted' });
      await s.admin.quotaUsage(namespace, 'tenant-quota', 'services.nodeports', 0);
      const second = await s.cluster.createService(manifest(namespace));
      assert.equal(second.ports.length, 1);
    });

    test('several exposure ids are found with one lookup; missing ids and unmanaged Services are left out', async (t) => {
      const s = under(t);
      if (!s) return;
      const namespace = await freshNamespace(s);
      const wanted = [manifest(namespace), manifest(namespace), manifest(namespace)];
      for (const service of wanted) await s.cluster.createService(service);
      const unmanaged = manifest(namespace, 1, { labels: { [EXPOSURE_ID_LABEL]: newExposureId() } });
      await s.admin.createUnmanagedService(unmanaged);
      const ids = wanted.map((service) => service.labels[EXPOSURE_ID_LABEL] as string);
      const found = await s.cluster.findServicesByExposureIds([
        ids[0] as string,
        newExposureId(),
        ids[1] as string,
        unmanaged.labels[EXPOSURE_ID_LABEL] as string,
        'Not a label value!',
        ids[2] as string,
      ]);
      assert.deepEqual(found.map((service) => service.labels[EXPOSURE_ID_LABEL]).sort(), [...ids].sort());
      assert.deepEqual(await s.cluster.findServicesByExposureIds([]), []);
    });

    test("every node port's holder, managed or not, terminating or not, in one walk", async (t) => {
      const s = under(t);
      if (!s) return;
      const namespace = await freshNamespace(s);
      const managed = await s.cluster.createService(
        manifest(namespace, 1, { finalizers: ['exposure-api.io/firewall-cleanup'] }),
      );
      const unmanaged = manifest(namespace, 1, { labels: { app: 'legacy' }, annotations: {} });
      await s.admin.createUnmanagedService(unmanaged);
      await s.cluster.deleteService(managed);
      const holders = (await s.cluster.nodePortHolders()).filter((h) => h.namespace === namespace);
      assert.deepEqual(
        holders.map((h) => [h.name, h.protocol, h.terminating, Number.isInteger(h.nodePort)]).sort(),
        [
          [managed.name, 'TCP', true, true],
          [unmanaged.name, 'TCP', false, true],
        ].sort(),
      );
      assert.equal(holders.find((h) => h.name === managed.name)?.nodePort, managed.ports[0]?.nodePort);
    });

    // Last: it fills the range, and empties it again.
    test('a full node-port range is NodePortRangeFull for a create and for an apply adding a port; nothing is written', async (t) => {
      const s = under(t);
      if (!s) return;
      const namespace = await freshNamespace(s);
      const size = s.nodePortRange.max - s.nodePortRange.min + 1;
      const fillers: ServiceManifest[] = [];
      let refused: unknown;
      for (let i = 0; i <= size; i++) {
        const filler = manifest(namespace);
        try {
          await s.cluster.createService(filler);
          fillers.push(filler);
        } catch (error) {
          refused = error;
          assert.equal(await s.cluster.readService(filler), undefined, 'nothing was created');
          break;
        }
      }
      t.after(async () => {
        for (const filler of fillers) await s.cluster.deleteService(filler);
      });
      assert.ok(refused instanceof ClusterError, `the range of ${size} ports never filled up`);
      assert.equal(refused.kind, 'NodePortRangeFull', refused.message);
      assert.match(refused.message, /failed to allocate a nodePort: range is full/);
      const held = (await s.cluster.nodePortHolders()).length;
      assert.equal(held, size, 'every port of the range is held');
      const first = fillers[0] as ServiceManifest;
      const current = await s.cluster.readService(first);
      await assert.rejects(
        s.cluster.applyServiceSpec(
          { ...manifest(namespace, 2), name: first.name, labels: first.labels },
          { uid: current?.uid as string },
        ),
        (error: unknown) => error instanceof ClusterError && error.kind === 'NodePortRangeFull',
      );
      assert.equal((await s.cluster.readService(first))?.ports.length, 1, 'the Service keeps its port');
      await s.cluster.deleteService(fillers.pop() as ServiceManifest);
      const next = await s.cluster.createService(manifest(namespace));
      fillers.push(next);
      assert.equal(next.ports.length, 1, 'a released port is allocated again');
    });
  });
}
