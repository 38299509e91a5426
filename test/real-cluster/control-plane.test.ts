import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { after, before, describe, it, test } from 'node:test';
import {
  type ControlPlane,
  controlPlaneForTests,
  controlPlaneSkipReason,
  SERVICE_GROUPS,
  SERVICE_USER,
  startControlPlane,
} from '../../tools/controlplane/index.ts';

const namespace = 'harness';
const mergePatch = { 'content-type': 'application/merge-patch+json' };

describe('test control plane', { skip: await controlPlaneSkipReason() }, () => {
  let controlPlane: ControlPlane;
  let startupSeconds = 0;

  before(async () => {
    const started = performance.now();
    controlPlane = await startControlPlane({ audit: true });
    startupSeconds = (performance.now() - started) / 1000;
  });
  after(() => controlPlane?.stop());

  it('serves the pinned Kubernetes release on loopback', async (t) => {
    t.diagnostic(`control plane started in ${startupSeconds.toFixed(1)}s`);
    assert.match(controlPlane.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const response = await controlPlane.request('GET', '/version');
    assert.equal(response.status, 200);
    const version = response.body as {
      gitVersion: string;
      major: string;
      minor: string;
      gitTreeState: string;
    };
    assert.equal(version.gitVersion, controlPlane.kubernetesVersion);
    assert.match(version.gitVersion, /^v1\.\d+\.\d+$/);
    assert.equal(`v${version.major}.${version.minor}`, version.gitVersion.split('.').slice(0, 2).join('.'));
    assert.equal(version.gitTreeState, 'clean');
  });

  it('lets the admin create a namespace, a Ready Node, a NodePort Service and an EndpointSlice', async () => {
    const created = await controlPlane.request('POST', '/api/v1/namespaces', {
      body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));

    const node = await controlPlane.request('POST', '/api/v1/nodes', {
      body: {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name: 'node-a', labels: { 'kubernetes.io/os': 'linux' } },
      },
    });
    assert.equal(node.status, 201, JSON.stringify(node.body));
    // Without a kubelet the status is written by the test, through the status subresource like a kubelet.
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const status = await controlPlane.request('PATCH', '/api/v1/nodes/node-a/status', {
      headers: mergePatch,
      body: {
        status: {
          addresses: [
            { type: 'InternalIP', address: '10.128.0.2' },
            { type: 'ExternalIP', address: '203.0.113.10' },
            { type: 'Hostname', address: 'node-a' },
          ],
          conditions: [
            {
              type: 'Ready',
              status: 'True',
              reason: 'KubeletReady',
              message: 'kubelet is posting ready status',
              lastHeartbeatTime: now,
              lastTransitionTime: now,
            },
          ],
        },
      },
    });
    assert.equal(status.status, 200, JSON.stringify(status.body));
    const stored = (await controlPlane.request('GET', '/api/v1/nodes/node-a')).body as {
      status: {
        addresses: { type: string; address: string }[];
        conditions: { type: string; status: string }[];
      };
    };
    assert.deepEqual(
      stored.status.addresses.find((address) => address.type === 'ExternalIP'),
      { type: 'ExternalIP', address: '203.0.113.10' },
    );
    assert.equal(stored.status.conditions.find((condition) => condition.type === 'Ready')?.status, 'True');

    const service = await controlPlane.request('POST', `/api/v1/namespaces/${namespace}/services`, {
      body: {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'web' },
        spec: {
          type: 'NodePort',
          selector: { app: 'web' },
          ports: [{ name: 'http', port: 80, targetPort: 8080 }],
        },
      },
    });
    assert.equal(service.status, 201, JSON.stringify(service.body));
    const nodePort =
      (service.body as { spec: { ports: { nodePort: number }[] } }).spec.ports[0]?.nodePort ?? 0;
    assert.ok(nodePort >= 30000 && nodePort <= 32767, `nodePort ${nodePort}`);

    const slice = await controlPlane.request(
      'POST',
      `/apis/discovery.k8s.io/v1/namespaces/${namespace}/endpointslices`,
      {
        body: {
          apiVersion: 'discovery.k8s.io/v1',
          kind: 'EndpointSlice',
          metadata: { name: 'web-abcde', labels: { 'kubernetes.io/service-name': 'web' } },
          addressType: 'IPv4',
          endpoints: [{ addresses: ['10.244.0.5'], nodeName: 'node-a', conditions: { ready: true } }],
          ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
        },
      },
    );
    assert.equal(slice.status, 201, JSON.stringify(slice.body));
  });

  it('forbids the service identity everything until RBAC grants it', async () => {
    const denied = await controlPlane.request('GET', '/api/v1/services', { identity: 'service' });
    assert.equal(denied.status, 403);
    assert.match(
      (denied.body as { message: string }).message,
      new RegExp(`User "${SERVICE_USER}" cannot list`),
    );

    const role = await controlPlane.request('POST', '/apis/rbac.authorization.k8s.io/v1/clusterroles', {
      body: {
        metadata: { name: 'service-reader' },
        rules: [{ apiGroups: [''], resources: ['services'], verbs: ['list'] }],
      },
    });
    assert.equal(role.status, 201, JSON.stringify(role.body));
    const binding = await controlPlane.request(
      'POST',
      '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings',
      {
        body: {
          metadata: { name: 'service-reader' },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'service-reader' },
          subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: SERVICE_GROUPS[0] }],
        },
      },
    );
    assert.equal(binding.status, 201, JSON.stringify(binding.body));
    // The RBAC authorizer reads from an informer: the grant takes effect shortly after the write.
    let allowed = 0;
    for (let attempt = 0; attempt < 50 && allowed !== 200; attempt++) {
      allowed = (await controlPlane.request('GET', '/api/v1/services', { identity: 'service' })).status;
      if (allowed !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(allowed, 200);
  });

  it('mints ServiceAccount tokens with the TokenRequest API', async () => {
    const account = await controlPlane.request('POST', `/api/v1/namespaces/${namespace}/serviceaccounts`, {
      body: { metadata: { name: 'exposure-api' } },
    });
    assert.equal(account.status, 201, JSON.stringify(account.body));

    const token = await controlPlane.createServiceAccountToken(namespace, 'exposure-api');
    const review = await controlPlane.request('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', {
      token,
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
    });
    assert.equal(review.status, 201, JSON.stringify(review.body));
    const userInfo = (review.body as { status: { userInfo: { username: string; groups: string[] } } }).status
      .userInfo;
    assert.equal(userInfo.username, `system:serviceaccount:${namespace}:exposure-api`);
    assert.ok(userInfo.groups.includes(`system:serviceaccounts:${namespace}`));

    // The same through kubectl, as an operator would do it.
    const created = await controlPlane.kubectl(['create', 'token', 'exposure-api', '-n', namespace]);
    const whoami = await controlPlane.kubectl(['auth', 'whoami', '-o', 'json'], {
      token: created.stdout.trim(),
    });
    assert.equal(
      (JSON.parse(whoami.stdout) as { status: { userInfo: { username: string } } }).status.userInfo.username,
      `system:serviceaccount:${namespace}:exposure-api`,
    );
  });

  it('runs the built kubectl against it', async () => {
    const version = JSON.parse((await controlPlane.kubectl(['version', '-o', 'json'])).stdout) as {
      clientVersion: { gitVersion: string };
      serverVersion: { gitVersion: string };
    };
    assert.equal(version.clientVersion.gitVersion, controlPlane.kubernetesVersion);
    assert.equal(version.serverVersion.gitVersion, controlPlane.kubernetesVersion);

    const namespaces = (await controlPlane.kubectl(['get', 'namespaces', '-o', 'name'])).stdout.split('\n');
    assert.ok(namespaces.includes('namespace/default'));
    assert.ok(namespaces.includes(`namespace/${namespace}`));

    const denied = await controlPlane.kubectl(['get', 'nodes'], { identity: 'service', allowFailure: true });
    assert.notEqual(denied.exitCode, 0);
    assert.match(denied.stderr, /forbidden/i);
  });

  it('records every request in the audit log, with its user', async () => {
    const marker = `/api/v1/namespaces/${namespace}/configmaps/audit-marker`;
    assert.equal((await controlPlane.request('GET', marker, { identity: 'service' })).status, 403);
    assert.ok(controlPlane.auditLogPath && existsSync(controlPlane.auditLogPath));
    const isMarker = (event: { requestURI: string; stage: string; user: { username: string } }) =>
      event.requestURI === marker &&
      event.stage === 'ResponseComplete' &&
      event.user.username === SERVICE_USER;
    let events = await controlPlane.auditEvents();
    for (let attempt = 0; attempt < 50 && !events.some(isMarker); attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      events = await controlPlane.auditEvents();
    }
    const event = events.find(isMarker);
    assert.ok(event, 'audit event for the denied request');
    assert.equal(event.verb, 'get');
    assert.equal(event.responseStatus?.code, 403);
    assert.deepEqual(event.objectRef?.resource, 'configmaps');
    assert.ok(
      events.some(
        (e) => e.user.username === 'admin' && e.verb === 'create' && e.objectRef?.resource === 'nodes',
      ),
    );
  });
});

/** Opens a watch like an informer's; resolves when the apiserver ends or cuts it. */
function watchEnded(controlPlane: ControlPlane): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const request = httpsGet(
      `${controlPlane.url}/api/v1/namespaces/default/configmaps?watch=true`,
      { ca: controlPlane.caData, headers: { authorization: `Bearer ${controlPlane.adminToken}` } },
      (response) => {
        response.on('close', resolve);
        response.resume();
      },
    );
    request.on('error', (error) =>
      (error as NodeJS.ErrnoException).code === 'ECONNRESET' ? resolve() : reject(error),
    );
  });
}

test('restart() keeps data, port and tokens, and stop() cleans up', async (t) => {
  const started = performance.now();
  const controlPlane = await controlPlaneForTests(t);
  if (!controlPlane) return;
  t.diagnostic(`control plane started in ${((performance.now() - started) / 1000).toFixed(1)}s`);

  const configMap = await controlPlane.request('POST', '/api/v1/namespaces/default/configmaps', {
    body: { metadata: { name: 'survivor' }, data: { answer: '42' } },
  });
  assert.equal(configMap.status, 201, JSON.stringify(configMap.body));
  const url = controlPlane.url;

  for (const crash of [false, true]) {
    const watch = watchEnded(controlPlane);
    // Give the watch time to be established before the apiserver goes away.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const restarted = performance.now();
    await controlPlane.restart({ downtimeMs: 200, crash });
    t.diagnostic(
      `apiserver restarted (crash: ${crash}) in ${((performance.now() - restarted) / 1000).toFixed(1)}s`,
    );
    await watch;

    assert.equal(controlPlane.url, url);
    const survivor = await controlPlane.request('GET', '/api/v1/namespaces/default/configmaps/survivor');
    assert.equal(survivor.status, 200);
    assert.deepEqual((survivor.body as { data: unknown }).data, { answer: '42' });
    assert.equal(
      (await controlPlane.request('GET', '/api/v1/services', { identity: 'service' })).status,
      403,
    );
  }

  await controlPlane.stop();
  assert.equal(existsSync(controlPlane.caCertPath), false);
  await assert.rejects(controlPlane.request('GET', '/version'), { code: 'ECONNREFUSED' });
});
