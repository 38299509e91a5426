// The contract of the Cluster port: one body of tests, run against the sandbox's in-memory
// cluster and against the Kubernetes adapter on a real kube-apiserver, so the stand-in cannot
// drift from what a real cluster does.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Cluster, ClusterError, type ClusterEvent } from '../../src/application/ports/cluster.ts';
import type {
  ClusterNode,
  ObservedService,
  ServiceEndpoint,
  ServiceManifest,
  ServiceRef,
} from '../../src/domain/cluster-objects.ts';
import { newExposureId } from '../../src/domain/exposure-id.ts';
import {
  EXPOSURE_ID_LABEL,
  FIREWALL_FINALIZER,
  FIREWALL_STATUS_ANNOTATION,
  SPEC_ANNOTATION,
} from '../../src/domain/naming.ts';
import { managedServiceManifest } from '../builders/service.ts';
import { eventually } from '../support/eventually.ts';
import { uniqueName } from './unique-name.ts';

/** What a test may change in the cluster besides the port's own writes (as an admin would). */
export interface ClusterAdmin {
  createNamespace(name: string): Promise<void>;
  setNode(node: ClusterNode): Promise<void>;
  deleteNode(name: string): Promise<void>;
  /** Publishes an EndpointSlice for the Service, as the EndpointSlice controller would. */
  setServiceEndpoints(ref: ServiceRef, endpoints: ServiceEndpoint[]): Promise<void>;
  /** A Service that exposure-api does not manage (hand-written, say). */
  createUnmanagedService(manifest: ServiceManifest): Promise<void>;
  eventReasons(ref: ServiceRef): Promise<string[]>;
}

export interface ClusterUnderTest {
  cluster: Cluster;
  admin: ClusterAdmin;
  nodePortRange: { min: number; max: number };
  close(): Promise<void>;
}

/** One TCP port 80 → 80 on the given node port. */
function httpPortAt(nodePort: number): ServiceManifest['ports'] {
  return [{ name: 'http', port: 80, targetPort: 80, nodePort, protocol: 'TCP' }];
}

export function clusterContract(name: string, make: () => Promise<ClusterUnderTest | undefined>): void {
  describe(`Cluster contract: ${name}`, () => {
    let subject: ClusterUnderTest | undefined;
    let namespace: string;
    const events: ClusterEvent[] = [];
    const usedPorts = new Set<number>();

    before(async () => {
      subject = await make();
      if (!subject) return;
      await subject.cluster.start();
      subject.cluster.subscribe((event) => events.push(event));
      namespace = uniqueName('contract');
      await subject.admin.createNamespace(namespace);
    });
    after(async () => {
      await subject?.cluster.stop();
      await subject?.close();
    });

    function under(t: { skip(message?: string): void }): ClusterUnderTest | undefined {
      if (!subject) t.skip('this cluster backend is not available');
      return subject;
    }

    /**
     * A node port no Service holds: not picked before here, and not taken meanwhile by a port the
     * cluster allocated (allocation is random over the range, so a guess alone can collide).
     */
    async function freePort(): Promise<number> {
      const { min, max } = subject!.nodePortRange;
      for (;;) {
        const port = min + 1000 + Math.floor(Math.random() * (max - min - 1000));
        if (usedPorts.has(port)) continue;
        usedPorts.add(port);
        if ((await subject!.cluster.nodePortHolder(port, 'TCP')) === undefined) return port;
      }
    }

    function manifest(overrides: Partial<ServiceManifest> = {}): ServiceManifest {
      return managedServiceManifest(namespace, uniqueName('svc'), overrides);
    }

    /** A managed Service created in the cluster under test; undefined when that cluster is unavailable. */
    async function withCreatedService(t: { skip(message?: string): void }) {
      const s = under(t);
      if (!s) return undefined;
      const wanted = manifest();
      return { s, wanted, created: await s.cluster.createService(wanted) };
    }

    async function cached(
      ref: ServiceRef,
      accept: (s: ObservedService | undefined) => boolean,
      what: string,
    ) {
      return eventually(() => subject!.cluster.cachedService(ref), accept, { what, timeoutMs: 15_000 });
    }

    test('create allocates a node port in range and keeps labels, annotations and the finalizer', async (t) => {
      const given = await withCreatedService(t);
      if (!given) return;
      const { s, wanted, created } = given;
      const port = created.ports[0];
      assert.ok(port && port.nodePort >= s.nodePortRange.min && port.nodePort <= s.nodePortRange.max);
      assert.equal(port.targetPort, 8080);
      assert.equal(created.labels.app, 'web');
      assert.equal(created.labels[EXPOSURE_ID_LABEL], wanted.labels[EXPOSURE_ID_LABEL]);
      assert.equal(created.annotations[SPEC_ANNOTATION], '{"test":true}');
      assert.deepEqual(created.finalizers, [FIREWALL_FINALIZER]);
      assert.ok(created.uid.length > 0);
      assert.ok(created.clusterIP);
      const read = await s.cluster.readService(wanted);
      assert.equal(read?.uid, created.uid);
      const inCache = await cached(
        wanted,
        (svc) => svc?.uid === created.uid,
        'the created Service in the cache',
      );
      assert.equal(inCache?.ports[0]?.nodePort, port.nodePort);
      assert.ok(
        events.some((e) => e.kind === 'service' && e.type === 'upsert' && e.service.uid === created.uid),
      );
    });

    test('create with a fixed node port uses exactly that port; named target ports survive', async (t) => {
      const s = under(t);
      if (!s) return;
      const nodePort = await freePort();
      const created = await s.cluster.createService(
        manifest({
          ports: [
            { name: 'http', port: 9200, targetPort: 'http', nodePort, protocol: 'TCP' },
            { name: 'dns', port: 53, targetPort: 53, protocol: 'UDP' },
          ],
          externalTrafficPolicy: 'Local',
        }),
      );
      assert.equal(created.ports[0]?.nodePort, nodePort);
      assert.equal(created.ports[0]?.targetPort, 'http');
      assert.equal(created.ports[1]?.protocol, 'UDP');
      assert.equal(created.externalTrafficPolicy, 'Local');
    });

    test('a taken node port is NodePortTaken, and its holder can be found', async (t) => {
      const s = under(t);
      if (!s) return;
      const nodePort = await freePort();
      const first = manifest({
        ports: httpPortAt(nodePort),
      });
      await s.cluster.createService(first);
      const second = manifest({
        ports: httpPortAt(nodePort),
      });
      await assert.rejects(s.cluster.createService(second), (error: unknown) => {
        assert.ok(error instanceof ClusterError, String(error));
        assert.equal(error.kind, 'NodePortTaken');
        assert.equal(error.nodePort, nodePort);
        assert.equal(error.causes[0]?.field, 'spec.ports[0].nodePort');
        return true;
      });
      assert.deepEqual(await s.cluster.nodePortHolder(nodePort, 'TCP'), {
        namespace: first.namespace,
        name: first.name,
        terminating: false,
      });
      assert.equal(await s.cluster.readService(second), undefined, 'nothing was created');
    });

    test('a node port held by an unmanaged Service is found too', async (t) => {
      const s = under(t);
      if (!s) return;
      const nodePort = await freePort();
      const handWritten = manifest({
        labels: { app: 'legacy' },
        annotations: {},
        finalizers: [],
        ports: httpPortAt(nodePort),
      });
      await s.admin.createUnmanagedService(handWritten);
      await assert.rejects(
        s.cluster.createService(manifest({ ports: httpPortAt(nodePort) })),
        (error: unknown) => error instanceof ClusterError && error.kind === 'NodePortTaken',
      );
      const holder = await s.cluster.nodePortHolder(nodePort, 'TCP');
      assert.equal(holder?.name, handWritten.name);
      assert.equal(s.cluster.cachedService(handWritten), undefined, 'unmanaged Services are not cached');
    });

    test('a node port held by a Service being deleted is reported as terminating', async (t) => {
      const s = under(t);
      if (!s) return;
      const nodePort = await freePort();
      const holder = manifest({
        ports: httpPortAt(nodePort),
      });
      await s.cluster.createService(holder);
      await s.cluster.deleteService(holder);
      await assert.rejects(
        s.cluster.createService(manifest({ ports: httpPortAt(nodePort) })),
        (error: unknown) => error instanceof ClusterError && error.kind === 'NodePortTaken',
      );
      assert.deepEqual(await s.cluster.nodePortHolder(nodePort, 'TCP'), {
        namespace: holder.namespace,
        name: holder.name,
        terminating: true,
      });
    });

    test('a taken name is AlreadyExists and the existing Service is untouched', async (t) => {
      const s = under(t);
      if (!s) return;
      const first = manifest();
      const created = await s.cluster.createService(first);
      const clash = manifest({ name: first.name, labels: { ...first.labels, app: 'other' } });
      await assert.rejects(
        s.cluster.createService(clash),
        (error: unknown) => error instanceof ClusterError && error.kind === 'AlreadyExists',
      );
      const read = await s.cluster.readService(first);
      assert.equal(read?.uid, created.uid);
      assert.equal(read?.labels.app, 'web');
    });

    test('a namespace that does not exist is NamespaceNotFound', async (t) => {
      const s = under(t);
      if (!s) return;
      await assert.rejects(
        s.cluster.createService(manifest({ namespace: uniqueName('missing') })),
        (error: unknown) => error instanceof ClusterError && error.kind === 'NamespaceNotFound',
      );
    });

    test('a field the cluster refuses is Invalid, with the field path', async (t) => {
      const s = under(t);
      if (!s) return;
      await assert.rejects(
        s.cluster.createService(
          manifest({ ports: [{ name: 'http', port: 80, targetPort: 80, nodePort: 80, protocol: 'TCP' }] }),
        ),
        (error: unknown) => {
          assert.ok(error instanceof ClusterError, String(error));
          assert.equal(error.kind, 'Invalid');
          assert.equal(error.causes[0]?.field, 'spec.ports[0].nodePort');
          return true;
        },
      );
    });

    test('deletion waits for the finalizer; removing it lets the Service go', async (t) => {
      const given = await withCreatedService(t);
      if (!given) return;
      const { s, wanted, created } = given;
      const result = await s.cluster.deleteService(wanted, { uid: created.uid });
      assert.equal(result.outcome, 'terminating');
      assert.ok(
        result.outcome === 'terminating' && result.service.deletionTimestamp,
        'the terminating Service is returned',
      );
      const terminating = await cached(
        wanted,
        (svc) => svc?.deletionTimestamp !== undefined,
        'a terminating Service',
      );
      assert.deepEqual(terminating?.finalizers, [FIREWALL_FINALIZER]);
      assert.ok((await s.cluster.readService(wanted))?.deletionTimestamp);
      await s.cluster.removeFinalizer(wanted, FIREWALL_FINALIZER);
      await cached(wanted, (svc) => svc === undefined, 'the Service to leave the cache');
      assert.equal(await s.cluster.readService(wanted), undefined);
      await eventually(
        () =>
          events.some((e) => e.kind === 'service' && e.type === 'delete' && e.service.uid === created.uid),
        Boolean,
        { what: 'a delete event' },
      );
      assert.deepEqual(await s.cluster.deleteService(wanted), { outcome: 'absent' });
    });

    test('a delete with a stale uid precondition is a Conflict; without finalizers a delete is immediate', async (t) => {
      const s = under(t);
      if (!s) return;
      const wanted = manifest({ finalizers: [] });
      await s.cluster.createService(wanted);
      await assert.rejects(
        s.cluster.deleteService(wanted, { uid: '00000000-0000-0000-0000-000000000000' }),
        (error: unknown) => error instanceof ClusterError && error.kind === 'Conflict',
      );
      assert.ok(await s.cluster.readService(wanted));
      assert.deepEqual(await s.cluster.deleteService(wanted), { outcome: 'deleted' });
      assert.equal(await s.cluster.readService(wanted), undefined);
    });

    test('the firewall status annotation is written without touching anything else', async (t) => {
      const given = await withCreatedService(t);
      if (!given) return;
      const { s, wanted } = given;
      await s.cluster.writeFirewallStatus(wanted, '{"state":"UpToDate"}');
      const updated = await cached(
        wanted,
        (svc) => svc?.annotations[FIREWALL_STATUS_ANNOTATION] === '{"state":"UpToDate"}',
        'the status annotation in the cache',
      );
      assert.equal(updated?.annotations[SPEC_ANNOTATION], '{"test":true}');
      assert.equal(updated?.labels.app, 'web');
      assert.deepEqual(updated?.finalizers, [FIREWALL_FINALIZER]);
      await s.cluster.writeFirewallStatus(wanted, '{"state":"Failed"}');
      await cached(
        wanted,
        (svc) => svc?.annotations[FIREWALL_STATUS_ANNOTATION] === '{"state":"Failed"}',
        'a second status write',
      );
    });

    test('managed Services are listed by label and found by exposure id', async (t) => {
      const given = await withCreatedService(t);
      if (!given) return;
      const { s, wanted } = given;
      await cached(wanted, (svc) => svc !== undefined, 'the Service in the cache');
      const listed = [...s.cluster.cachedServices()].map((svc) => `${svc.namespace}/${svc.name}`);
      assert.ok(listed.includes(`${wanted.namespace}/${wanted.name}`));
      const found = await s.cluster.findServiceByExposureId(wanted.labels[EXPOSURE_ID_LABEL] as string);
      assert.equal(found?.name, wanted.name);
      assert.equal(await s.cluster.findServiceByExposureId(newExposureId()), undefined);
    });

    test('serving endpoints come from EndpointSlices, with node names and readiness', async (t) => {
      const s = under(t);
      if (!s) return;
      const wanted = manifest({ externalTrafficPolicy: 'Local' });
      await s.cluster.createService(wanted);
      await s.admin.setServiceEndpoints(wanted, [
        { nodeName: 'node-a', ready: true, addresses: ['10.244.1.5'] },
        { nodeName: 'node-b', ready: false, addresses: ['10.244.2.5'] },
      ]);
      const endpoints = await eventually(
        () => s.cluster.serviceEndpoints(wanted),
        (list) => list.length === 2,
        { what: 'two endpoints', timeoutMs: 15_000 },
      );
      const byNode = Object.fromEntries(endpoints.map((e) => [e.nodeName, e.ready]));
      assert.deepEqual(byNode, { 'node-a': true, 'node-b': false });
    });

    test('nodes carry their addresses (ExternalIP optional) and Ready condition, and NotReady shows', async (t) => {
      const s = under(t);
      if (!s) return;
      const withExternal = uniqueName('node');
      const internalOnly = uniqueName('node');
      await s.admin.setNode({
        name: withExternal,
        ready: true,
        addresses: [
          { type: 'InternalIP', address: '10.128.0.7' },
          { type: 'ExternalIP', address: '34.64.10.7' },
        ],
      });
      await s.admin.setNode({
        name: internalOnly,
        ready: true,
        addresses: [{ type: 'InternalIP', address: '10.128.0.8' }],
      });
      const nodes = await eventually(
        () => s.cluster.nodes(),
        (list) => list.some((n) => n.name === withExternal) && list.some((n) => n.name === internalOnly),
        { what: 'both nodes in the cache', timeoutMs: 15_000 },
      );
      const external = nodes.find((n) => n.name === withExternal);
      assert.deepEqual(
        external?.addresses.filter((a) => a.type !== 'Hostname'),
        [
          { type: 'InternalIP', address: '10.128.0.7' },
          { type: 'ExternalIP', address: '34.64.10.7' },
        ],
      );
      assert.equal(
        nodes.find((n) => n.name === internalOnly)?.addresses.some((a) => a.type === 'ExternalIP'),
        false,
      );
      await s.admin.setNode({ name: withExternal, ready: false, addresses: external?.addresses ?? [] });
      await eventually(
        () => s.cluster.nodes().find((n) => n.name === withExternal)?.ready,
        (ready) => ready === false,
        { what: 'the node to turn NotReady', timeoutMs: 15_000 },
      );
      await s.admin.deleteNode(internalOnly);
      await eventually(
        () => s.cluster.nodes().some((n) => n.name === internalOnly),
        (present) => !present,
        { what: 'the deleted node to leave the cache', timeoutMs: 15_000 },
      );
    });

    test("server-side apply changes ports, labels and annotations, keeps node ports and other managers' fields", async (t) => {
      const s = under(t);
      if (!s) return;
      const nodePort = await freePort();
      const wanted = manifest({
        labels: { ...manifest().labels, app: 'web', tier: 'gold' },
        annotations: { [SPEC_ANNOTATION]: '{"v":1}', 'exposure-api.io/expires-at': '2030-01-01T00:00:00Z' },
        ports: [
          { name: 'http', port: 80, targetPort: 8080, nodePort, protocol: 'TCP' },
          { name: 'metrics', port: 9100, targetPort: 9100, protocol: 'TCP' },
        ],
      });
      const created = await s.cluster.createService(wanted);
      const metricsNodePort = created.ports[1]?.nodePort;
      await s.cluster.writeFirewallStatus(wanted, '{"state":"UpToDate"}');
      const newPort = await freePort();
      const { tier: _dropped, ...keptLabels } = wanted.labels;
      const applied = await s.cluster.applyServiceSpec(
        {
          ...wanted,
          labels: { ...keptLabels, team: 'search' },
          annotations: { [SPEC_ANNOTATION]: '{"v":2}' },
          ports: [
            { name: 'http', port: 80, targetPort: 8080, nodePort: newPort, protocol: 'TCP' },
            { name: 'metrics', port: 9100, targetPort: 9100, protocol: 'TCP' },
            { name: 'admin', port: 9300, targetPort: 9300, protocol: 'TCP' },
          ],
          externalTrafficPolicy: 'Local',
        },
        { uid: created.uid },
      );
      assert.equal(applied.uid, created.uid);
      assert.equal(applied.ports[0]?.nodePort, newPort, 'a requested node port is moved');
      assert.equal(applied.ports[1]?.nodePort, metricsNodePort, 'an allocated node port is kept');
      assert.ok(applied.ports[2] && applied.ports[2].nodePort >= s.nodePortRange.min, 'a new port gets one');
      assert.equal(applied.labels.team, 'search');
      assert.equal(applied.labels.tier, undefined, 'a label no longer applied is removed');
      assert.equal(applied.annotations[SPEC_ANNOTATION], '{"v":2}');
      assert.equal(
        applied.annotations['exposure-api.io/expires-at'],
        undefined,
        'an annotation no longer applied is removed',
      );
      assert.equal(
        applied.annotations[FIREWALL_STATUS_ANNOTATION],
        '{"state":"UpToDate"}',
        "the reconciler's field stays",
      );
      assert.equal(applied.externalTrafficPolicy, 'Local');
      assert.deepEqual(applied.finalizers, [FIREWALL_FINALIZER]);
      // The old node port is free again.
      const reuse = await s.cluster.createService(manifest({ ports: httpPortAt(nodePort) }));
      assert.equal(reuse.ports[0]?.nodePort, nodePort);
      await cached(
        wanted,
        (svc) => svc?.annotations[SPEC_ANNOTATION] === '{"v":2}',
        'the applied spec in the cache',
      );
    });

    test('apply refuses a taken node port and a replaced Service (uid precondition)', async (t) => {
      const s = under(t);
      if (!s) return;
      const taken = await freePort();
      await s.cluster.createService(
        manifest({ ports: [{ name: 'http', port: 80, targetPort: 80, nodePort: taken, protocol: 'TCP' }] }),
      );
      const wanted = manifest();
      const created = await s.cluster.createService(wanted);
      await assert.rejects(
        s.cluster.applyServiceSpec(
          {
            ...wanted,
            ports: [{ name: 'http', port: 80, targetPort: 80, nodePort: taken, protocol: 'TCP' }],
          },
          { uid: created.uid },
        ),
        (error: unknown) =>
          error instanceof ClusterError && error.kind === 'NodePortTaken' && error.nodePort === taken,
      );
      await assert.rejects(
        s.cluster.applyServiceSpec(wanted, { uid: '00000000-0000-0000-0000-000000000000' }),
        (error: unknown) => error instanceof ClusterError && error.kind === 'Conflict',
      );
      const read = await s.cluster.readService(wanted);
      assert.equal(read?.ports[0]?.nodePort, created.ports[0]?.nodePort, 'nothing changed');
    });

    test('nodes() and serviceEndpoints() keep their identity while nothing changed (reads rely on it)', async (t) => {
      const given = await withCreatedService(t);
      if (!given) return;
      const { s, wanted } = given;
      await s.admin.setServiceEndpoints(wanted, [
        { nodeName: 'node-x', ready: true, addresses: ['10.244.9.9'] },
      ]);
      const first = await eventually(
        () => s.cluster.serviceEndpoints(wanted),
        (list) => list.length === 1,
        {
          what: 'the endpoints',
          timeoutMs: 15_000,
        },
      );
      assert.equal(s.cluster.serviceEndpoints(wanted), first);
      assert.equal(s.cluster.nodes(), s.cluster.nodes());
      await s.admin.setServiceEndpoints(wanted, [
        { nodeName: 'node-x', ready: false, addresses: ['10.244.9.9'] },
      ]);
      const changed = await eventually(
        () => s.cluster.serviceEndpoints(wanted),
        (list) => list[0]?.ready === false,
        {
          what: 'the changed endpoints',
          timeoutMs: 15_000,
        },
      );
      assert.notEqual(changed, first, 'a change gives a new array');
    });

    test('apply and delete with a stale resourceVersion are Conflicts and change nothing', async (t) => {
      const s = under(t);
      if (!s) return;
      const wanted = manifest({ annotations: { [SPEC_ANNOTATION]: '{"v":1}' } });
      const created = await s.cluster.createService(wanted);
      await s.cluster.writeFirewallStatus(wanted, '{"state":"Pending"}');
      const stale = created.resourceVersion;
      await assert.rejects(
        s.cluster.applyServiceSpec(
          { ...wanted, annotations: { [SPEC_ANNOTATION]: '{"v":2}' } },
          { uid: created.uid, resourceVersion: stale },
        ),
        (error: unknown) => error instanceof ClusterError && error.kind === 'Conflict',
      );
      await assert.rejects(
        s.cluster.deleteService(wanted, { uid: created.uid, resourceVersion: stale }),
        (error: unknown) => error instanceof ClusterError && error.kind === 'Conflict',
      );
      const current = await s.cluster.readService(wanted);
      assert.equal(current?.annotations[SPEC_ANNOTATION], '{"v":1}');
      assert.equal(current?.deletionTimestamp, undefined);
      const applied = await s.cluster.applyServiceSpec(
        { ...wanted, annotations: { [SPEC_ANNOTATION]: '{"v":2}' } },
        { uid: created.uid, resourceVersion: current?.resourceVersion as string },
      );
      assert.equal(
        applied.annotations[SPEC_ANNOTATION],
        '{"v":2}',
        'the current resourceVersion is accepted',
      );
    });

    test('events are recorded on the Service', async (t) => {
      const given = await withCreatedService(t);
      if (!given) return;
      const { s, wanted, created } = given;
      await s.cluster.recordEvent(created, {
        type: 'Normal',
        reason: 'FirewallCreated',
        message: 'created rule x',
      });
      await s.cluster.recordEvent(created, { type: 'Warning', reason: 'FirewallFailed', message: 'quota' });
      const reasons = await eventually(
        () => s.admin.eventReasons(wanted),
        (list) => list.length >= 2,
        {
          what: 'two events',
        },
      );
      assert.deepEqual([...reasons].sort(), ['FirewallCreated', 'FirewallFailed']);
    });

    test("the events cache serves a Service's events newest first, counted repeats included, and no other's", async (t) => {
      const given = await withCreatedService(t);
      if (!given) return;
      const { s, created } = given;
      const other = await s.cluster.createService(manifest());
      await s.cluster.recordEvent(other, { type: 'Normal', reason: 'ElsewhereEvent', message: 'other' });
      await s.cluster.recordEvent(created, { type: 'Warning', reason: 'FirewallFailed', message: 'quota' });
      // Timestamps have whole seconds: the next event must be visibly newer.
      await new Promise((resolve) => setTimeout(resolve, 1100));
      await s.cluster.recordEvent(created, { type: 'Normal', reason: 'FirewallCreated', message: 'made x' });
      await s.cluster.recordEvent(created, { type: 'Normal', reason: 'FirewallCreated', message: 'made x' });
      const events = await eventually(
        () => s.cluster.serviceEvents(created.uid),
        (list) => list?.some((e) => e.reason === 'FirewallCreated' && e.count === 2) === true,
        { what: 'the events in the cache', timeoutMs: 15_000 },
      );
      assert.deepEqual(
        events?.map((e) => [e.type, e.reason, e.message, e.count, e.source]),
        [
          ['Normal', 'FirewallCreated', 'made x', 2, 'exposure-api'],
          ['Warning', 'FirewallFailed', 'quota', 1, 'exposure-api'],
        ],
      );
      for (const e of events ?? []) {
        assert.equal(e.serviceUid, created.uid);
        assert.match(e.lastTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
        assert.ok(e.firstTimestamp <= e.lastTimestamp);
      }
      assert.ok((events?.[0]?.lastTimestamp ?? '') > (events?.[1]?.lastTimestamp ?? ''));
    });

    test('synced() is true once started, and no watch is broken', (t) => {
      const s = under(t);
      if (!s) return;
      assert.equal(s.cluster.synced(), true);
      assert.equal(s.cluster.watchBrokenSince(), undefined);
    });
  });
}
