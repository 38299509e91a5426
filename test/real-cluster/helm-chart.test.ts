// The Helm chart, checked with the real tools rather than by reading templates: a real `helm`
// lints and renders it (default values and every option on), the test kube-apiserver validates
// every rendered object with a strict server-side dry run, and the chart's ServiceAccount and RBAC
// are applied for real so the whole service can run under that identity: create, read and delete
// must succeed with no call refused, and the identity must be refused what it should not have.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type ComputeEmulator, startComputeEmulator } from '@exposure-api/compute-emulator';
import type {
  V1ClusterRole,
  V1ClusterRoleBinding,
  V1ConfigMap,
  V1Deployment,
  V1Job,
  V1NetworkPolicy,
  V1PodDisruptionBudget,
  V1PodSpec,
  V1Role,
  V1RoleBinding,
  V1Secret,
  V1Service,
  V1ServiceAccount,
} from '@kubernetes/client-node';
import { pino } from 'pino';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { createGceFirewalls } from '../../src/adapters/gce/gce-firewalls.ts';
import { passThroughAuthClient } from '../../src/adapters/gce/pass-through-auth.ts';
import { loadKubeConfig } from '../../src/adapters/kubernetes/kubeconfig.ts';
import { createKubernetesCluster } from '../../src/adapters/kubernetes/kubernetes-cluster.ts';
import { createKubernetesLeases } from '../../src/adapters/kubernetes/kubernetes-leases.ts';
import type { UpstreamCall } from '../../src/application/ports/telemetry.ts';
import { parseConfig } from '../../src/config/load.ts';
import { sha256Hex } from '../../src/edge/plugins/authentication.ts';
import { createRuntime } from '../../src/runtime.ts';
import { eventually } from '../support/eventually.ts';
import { injectAs } from '../support/inject-as.ts';
import {
  type ApiResponse,
  type AuditEvent,
  type ControlPlane,
  controlPlaneSkipReason,
  controlPlaneTier,
  EXPOSURE_RULES,
  ensureHelm,
  HELM_ENV,
  LEASE_RULES,
  NODE_RULES,
  runCommand,
  startControlPlane,
  USAGE_LEDGER_RULES,
} from './fixture/index.ts';

const CHART = fileURLToPath(new URL('../../helm/exposure-api', import.meta.url));
const FULL_VALUES = fileURLToPath(new URL('helm-chart-full-values.yaml', import.meta.url));
/** What the chart needs before the service can start; without it the pods stop at startup. */
const REQUIRED = [
  '--set',
  'config.gce.project=exposure-test',
  '--set',
  'config.firewall.targetTags={gke-test-node}',
];
const TOKEN = 'chart-test-token';

/** prometheus-operator's Duration, as its CRD validates `interval`. */
const DURATION = {
  type: 'string',
  pattern: '^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$',
};

/**
 * ServiceMonitor belongs to an optional CRD (prometheus-operator's). A minimal definition, typed like
 * the real one for exactly the fields the chart writes, so that strict validation still catches a typo.
 */
const SERVICE_MONITOR_CRD = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'servicemonitors.monitoring.coreos.com' },
  spec: {
    group: 'monitoring.coreos.com',
    scope: 'Namespaced',
    names: {
      kind: 'ServiceMonitor',
      listKind: 'ServiceMonitorList',
      plural: 'servicemonitors',
      singular: 'servicemonitor',
    },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: {
                type: 'object',
                required: ['selector'],
                properties: {
                  selector: {
                    type: 'object',
                    properties: {
                      matchLabels: { type: 'object', additionalProperties: { type: 'string' } },
                    },
                  },
                  endpoints: {
                    type: 'array',
                    items: {
                      type: 'object',
                      properties: {
                        port: { type: 'string' },
                        path: { type: 'string' },
                        interval: DURATION,
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
    ],
  },
};

interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
}

/** One release of the chart as `helm template` renders it. */
interface Release {
  name: string;
  namespace: string;
  objects: KubeObject[];
}

/** Writes `# ` lines, so that what they show can be quoted from the test output. */
function note(text: string): void {
  process.stdout.write(`${text.replace(/\n$/, '').replace(/^/gm, '# ')}\n`);
}

/** Notes each binding as `Kind namespace/name -> RoleKind role`. */
function noteBindings(title: string, bindings: readonly (V1RoleBinding | V1ClusterRoleBinding)[]): void {
  note(title);
  for (const b of bindings)
    note(
      `  ${b.kind} ${b.metadata?.namespace ?? '(cluster)'}/${b.metadata?.name} -> ${b.roleRef.kind} ${b.roleRef.name}`,
    );
}

/** The audited requests the apiserver refused (403), as `verb URI`. */
function refusedRequests(audited: readonly AuditEvent[]): string[] {
  return audited.filter((e) => e.responseStatus?.code === 403).map((e) => `${e.verb} ${e.requestURI}`);
}

function only<T extends object = KubeObject>(release: Release, kind: string, name?: string): T {
  const found = release.objects.filter(
    (o) => o.kind === kind && (name === undefined || o.metadata.name === name),
  );
  assert.equal(found.length, 1, `exactly one ${kind}${name ? ` ${name}` : ''} in ${release.name}`);
  return found[0] as unknown as T;
}

function all<T extends object = KubeObject>(release: Release, kind: string): T[] {
  return release.objects.filter((o) => o.kind === kind) as unknown as T[];
}

function podSpec(workload: V1Deployment | V1Job): V1PodSpec {
  const spec = workload.spec?.template.spec;
  assert.ok(spec, `${workload.metadata?.name} has a pod template`);
  return spec;
}

/** Whether a label selector (`matchLabels` only, as the chart writes them) selects these labels. */
function selects(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined) {
  assert.ok(selector && Object.keys(selector).length > 0, 'a non-empty selector');
  return Object.entries(selector).every(([key, value]) => labels?.[key] === value);
}

const skip = await controlPlaneSkipReason();

describe('the Helm chart', { skip }, () => {
  let helmPath: string;
  let helmHome: string;
  let controlPlane: ControlPlane;
  let emulator: ComputeEmulator;
  /** Default values (plus the required ones), cluster-wide RBAC. */
  let wide: Release;
  /** Every option on, RBAC limited to the namespaces `search` and `shop`. */
  let fleet: Release;
  /** NOTES.txt as helm shows it after installing each release. */
  const notes = new Map<Release, string>();
  const installNotes = (release: Release): string => {
    const text = notes.get(release);
    assert.ok(text, `NOTES of ${release.name}`);
    return text;
  };

  const helm = async (args: readonly string[], options: { allowFailure?: boolean } = {}) => {
    const result = await runCommand(helmPath, args, {
      timeoutMs: 60_000,
      env: {
        ...process.env,
        // helm keeps its settings and caches under HOME; a throwaway home keeps the run side-effect free.
        HELM_CONFIG_HOME: join(helmHome, 'config'),
        HELM_CACHE_HOME: join(helmHome, 'cache'),
        HELM_DATA_HOME: join(helmHome, 'data'),
        KUBECACHEDIR: join(helmHome, 'kube-cache'),
        KUBECONFIG: controlPlane.kubeconfigPath('admin'),
      },
    });
    if (result.exitCode !== 0 && !options.allowFailure) {
      throw new Error(
        `helm ${args.join(' ')} exited with ${result.exitCode}:\n${result.stderr}${result.stdout}`,
      );
    }
    return result;
  };

  const render = async (name: string, namespace: string, values: readonly string[]): Promise<Release> => {
    const { stdout } = await helm([
      'template',
      name,
      CHART,
      '--namespace',
      namespace,
      // helm assumes a newer Kubernetes than the test apiserver serves; render for the real one.
      '--kube-version',
      controlPlane.kubernetesVersion,
      ...values,
    ]);
    const objects = parseAllDocuments(stdout).flatMap((document) => {
      assert.deepEqual(document.errors, [], 'helm renders valid YAML');
      const object = document.toJS() as KubeObject | null;
      return object ? [object] : [];
    });
    return { name, namespace, objects };
  };

  /** Collection paths by apiVersion and kind, from the apiserver's discovery documents. */
  const resources = new Map<string, { name: string; namespaced: boolean }>();
  const collectionPath = async (object: KubeObject): Promise<string> => {
    const key = `${object.apiVersion}/${object.kind}`;
    let resource = resources.get(key);
    const base = object.apiVersion === 'v1' ? '/api/v1' : `/apis/${object.apiVersion}`;
    if (!resource) {
      const discovery = await controlPlane.request('GET', base);
      assert.equal(discovery.status, 200, `the apiserver serves ${object.apiVersion}`);
      const list = (discovery.body as { resources: { name: string; kind: string; namespaced: boolean }[] })
        .resources;
      resource = list.find((r) => r.kind === object.kind && !r.name.includes('/'));
      assert.ok(resource, `the apiserver serves ${key}`);
      resources.set(key, resource);
    }
    if (!resource.namespaced) return `${base}/${resource.name}`;
    // `helm template | kubectl apply` relies on every namespaced object naming its namespace.
    assert.ok(object.metadata.namespace, `${object.kind} ${object.metadata.name} names its namespace`);
    return `${base}/namespaces/${object.metadata.namespace}/${resource.name}`;
  };

  const dryRun = async (object: KubeObject): Promise<ApiResponse> =>
    controlPlane.request('POST', `${await collectionPath(object)}?dryRun=All&fieldValidation=Strict`, {
      body: object,
    });

  before(async () => {
    helmPath = process.env[HELM_ENV] || (await ensureHelm());
    helmHome = await mkdtemp(join(tmpdir(), 'exposure-api-helm-'));
    const tier = await controlPlaneTier();
    assert.ok(tier.available);
    // The audit log shows every request the chart's identity made and how it was answered.
    [controlPlane, emulator] = await Promise.all([
      startControlPlane({ binaries: tier.binaries, audit: true }),
      startComputeEmulator(),
    ]);
    for (const namespace of ['exposure-wide', 'platform', 'search', 'shop', 'outside']) {
      await controlPlane.kubectl(['create', 'namespace', namespace]);
    }
    [wide, fleet] = await Promise.all([
      render('wide', 'exposure-wide', REQUIRED),
      render('fleet', 'platform', ['--values', FULL_VALUES]),
    ]);
    const crd = await controlPlane.request(
      'POST',
      '/apis/apiextensions.k8s.io/v1/customresourcedefinitions',
      {
        body: SERVICE_MONITOR_CRD,
      },
    );
    assert.equal(crd.status, 201, JSON.stringify(crd.body));
    await eventually(
      () => controlPlane.request('GET', '/apis/monitoring.coreos.com/v1'),
      (response) => response.status === 200,
      { what: 'the ServiceMonitor CRD to be served' },
    );
    // helm shows NOTES.txt only after an install; a client-side dry run, before anything of the
    // releases exists in the cluster (helm refuses to adopt objects it did not create).
    for (const [release, values] of [
      [wide, REQUIRED],
      [fleet, ['--values', FULL_VALUES]],
    ] as const) {
      const { stdout } = await helm([
        'install',
        release.name,
        CHART,
        '--namespace',
        release.namespace,
        '--dry-run=client',
        ...values,
      ]);
      const text = stdout.split('\nNOTES:\n')[1];
      assert.ok(text, 'helm shows NOTES');
      notes.set(release, text);
    }
  });

  after(async () => {
    await Promise.all([controlPlane?.stop(), emulator?.close()]);
    if (helmHome) await rm(helmHome, { recursive: true, force: true });
  });

  describe('lint', () => {
    test('passes, strictly, with the default values and with every option on', async () => {
      for (const values of [[], ['--values', FULL_VALUES]]) {
        const result = await helm(['lint', '--strict', CHART, ...values]);
        assert.match(result.stdout, /1 chart\(s\) linted, 0 chart\(s\) failed/);
        assert.doesNotMatch(result.stdout, /\[(WARNING|ERROR)\]/);
      }
    });

    test('refuses values outside values.schema.json', async () => {
      const cases: [string[], RegExp][] = [
        [['--set', 'uninstall.mode=bogus'], /\/uninstall\/mode.*one of 'delete', 'orphan'/],
        [['--set', 'replicas=2'], /additional properties 'replicas' not allowed/],
        [
          ['--set', 'tokens[0].sha256=secret,tokens[0].subject=a,tokens[0].namespaces={x}'],
          /\/tokens\/0\/sha256/,
        ],
        [['--set', 'serviceAccount.gcpServiceAccount=me@example.com'], /\/serviceAccount\/gcpServiceAccount/],
        [['--set', 'rbac.namespaces={Not_A_Namespace}'], /\/rbac\/namespaces\/0/],
        [['--set', 'config.cluster.id=Invalid_Id'], /\/config\/cluster\/id/],
      ];
      for (const [values, message] of cases) {
        const result = await helm(['lint', CHART, ...values], { allowFailure: true });
        assert.equal(result.exitCode, 1, `lint ${values.join(' ')} fails`);
        assert.match(result.stdout + result.stderr, message);
      }
    });

    test('values.schema.json describes every value of values.yaml and refuses unknown ones', async () => {
      const values = parseYaml(await readFile(join(CHART, 'values.yaml'), 'utf8')) as Record<string, unknown>;
      interface Schema {
        properties?: Record<string, Schema>;
        additionalProperties?: boolean | object;
      }
      const schema = JSON.parse(await readFile(join(CHART, 'values.schema.json'), 'utf8')) as Schema;
      const missing: string[] = [];
      const walk = (value: unknown, node: Schema, path: string) => {
        if (!node.properties || value === null || typeof value !== 'object' || Array.isArray(value)) return;
        for (const [key, child] of Object.entries(value)) {
          const described = node.properties[key];
          if (described) walk(child, described, `${path}.${key}`);
          else missing.push(`${path}.${key}`);
        }
      };
      walk(values, schema, '');
      assert.deepEqual(missing, []);
      assert.equal(schema.additionalProperties, false, 'a misspelt top-level value is an error');
    });

    test('template refuses settings that cannot work, with a message naming the fix', async () => {
      const cases: [string[], RegExp][] = [
        [
          ['--set', 'preStopSleepSeconds=30'],
          /preStopSleepSeconds must be shorter than terminationGracePeriodSeconds/,
        ],
        [
          ['--set', 'config.cluster.namespaces={search}'],
          /set rbac\.namespaces, not config\.cluster\.namespaces/,
        ],
      ];
      for (const [values, message] of cases) {
        const result = await helm(['template', 'x', CHART, ...REQUIRED, ...values], { allowFailure: true });
        assert.equal(result.exitCode, 1);
        assert.match(result.stderr, message);
      }
      const badName = await helm(['template', '1st', CHART, ...REQUIRED], { allowFailure: true });
      assert.match(
        badName.stderr,
        /the release name "1st" cannot be the cluster id.*set config\.cluster\.id/,
      );
    });
  });

  describe('rendered objects', () => {
    /** Sends every object with a strict dry run; answers what failed, or warned. */
    const dryRunAll = async (release: Release): Promise<string[]> => {
      const problems: string[] = [];
      for (const object of release.objects) {
        const response = await dryRun(object);
        const what = `${object.kind} ${object.metadata.namespace ?? ''}/${object.metadata.name}`;
        if (response.status !== 201)
          problems.push(`${what}: ${response.status} ${JSON.stringify(response.body)}`);
        if (response.headers.warning) problems.push(`${what}: warning ${String(response.headers.warning)}`);
      }
      return problems;
    };

    test('every object passes a strict server-side dry run, with default values and with every option on', async () => {
      assert.deepEqual(await dryRunAll(wide), []);
      assert.deepEqual(await dryRunAll(fleet), []);
      const kinds = (release: Release) => [...new Set(release.objects.map((o) => o.kind))].sort();
      assert.deepEqual(kinds(wide), [
        'ClusterRole',
        'ClusterRoleBinding',
        'ConfigMap',
        'Deployment',
        'Job',
        'PodDisruptionBudget',
        'Role',
        'RoleBinding',
        'Secret',
        'Service',
        'ServiceAccount',
      ]);
      assert.deepEqual(kinds(fleet), [...kinds(wide), 'NetworkPolicy', 'ServiceMonitor'].sort());
      note(
        `dry run: ${wide.objects.length} objects with default values, ${fleet.objects.length} with every option on`,
      );
    });

    test('the dry run catches what it should: an unknown field is refused', async () => {
      const deployment = structuredClone(only<V1Deployment>(wide, 'Deployment'));
      const container = podSpec(deployment).containers[0] as unknown as Record<string, unknown>;
      container.readOnlyRootFileSystem = true;
      const response = await dryRun(deployment as KubeObject);
      assert.equal(response.status, 400);
      assert.match(JSON.stringify(response.body), /unknown field.*readOnlyRootFileSystem/);
    });

    test('the Deployment: 2 replicas spread over zones and nodes, probes, resources, hardened, graceful stop', async () => {
      const deployment = only<V1Deployment>(wide, 'Deployment');
      assert.equal(deployment.spec?.replicas, 2);
      const pod = podSpec(deployment);
      const podLabels = deployment.spec?.template.metadata?.labels;
      assert.ok(selects(deployment.spec?.selector.matchLabels, podLabels));
      assert.deepEqual(
        pod.topologySpreadConstraints?.map((c) => [
          c.topologyKey,
          c.maxSkew,
          selects(c.labelSelector?.matchLabels, podLabels),
        ]),
        [
          ['topology.kubernetes.io/zone', 1, true],
          ['kubernetes.io/hostname', 1, true],
        ],
      );
      assert.equal(pod.serviceAccountName, 'wide-exposure-api');
      assert.equal(pod.securityContext?.runAsNonRoot, true);
      assert.equal(pod.securityContext?.seccompProfile?.type, 'RuntimeDefault');
      const [container] = pod.containers;
      assert.ok(container);
      assert.equal(container.image, 'ghcr.io/exposure-api/exposure-api:0.1.0');
      assert.deepEqual(
        container.args,
        [
          '--memory-saver-mode',
          '--no-allocation-site-pretenuring',
          '--min-semi-space-size=8',
          'dist/server.js',
        ],
        "V8's memory saver mode, its pretenuring and the young generation's minimum are node arguments (NODE_OPTIONS does not take them)",
      );
      assert.equal(container.livenessProbe?.httpGet?.path, '/healthz');
      assert.equal(container.readinessProbe?.httpGet?.path, '/readyz');
      assert.equal(container.livenessProbe?.httpGet?.port, 'http');
      assert.deepEqual(container.ports, [{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
      assert.deepEqual(container.resources, {
        requests: { cpu: '100m', memory: '416Mi' },
        limits: { memory: '768Mi' },
      });
      assert.deepEqual(
        container.env?.find((entry) => entry.name === 'NODE_OPTIONS'),
        { name: 'NODE_OPTIONS', value: '--max-old-space-size=384 --max-semi-space-size=8' },
        'the heap is capped well under the memory limit, the young generation kept small',
      );
      assert.deepEqual(
        container.env?.find((entry) => entry.name === 'MALLOC_ARENA_MAX'),
        { name: 'MALLOC_ARENA_MAX', value: '2' },
        'glibc keeps two malloc arenas, not one per allocating thread',
      );
      assert.deepEqual(
        container.env?.find((entry) => entry.name === 'MALLOC_MMAP_THRESHOLD_'),
        { name: 'MALLOC_MMAP_THRESHOLD_', value: '131072' },
        'large blocks are mapped on their own from 128 KiB, a threshold that does not rise',
      );
      assert.equal(container.securityContext?.readOnlyRootFilesystem, true);
      assert.equal(container.securityContext?.allowPrivilegeEscalation, false);
      assert.deepEqual(container.securityContext?.capabilities?.drop, ['ALL']);
      assert.deepEqual(container.lifecycle?.preStop, { sleep: { seconds: 5 } });
      assert.ok(
        (container.lifecycle?.preStop?.sleep?.seconds ?? 0) < (pod.terminationGracePeriodSeconds ?? 30),
        'time is left to drain after the sleep',
      );
      assert.deepEqual(deployment.spec?.strategy?.rollingUpdate, { maxSurge: 1, maxUnavailable: 0 });

      const full = only<V1Deployment>(fleet, 'Deployment');
      const fullPod = podSpec(full);
      assert.equal(full.spec?.replicas, 3);
      assert.equal(fullPod.containers[0]?.image, 'registry.example.com/platform/exposure-api:0.1.0-test');
      assert.deepEqual(fullPod.containers[0]?.resources?.limits, { cpu: '1', memory: '1Gi' });
      assert.equal(
        fullPod.containers[0]?.env?.find((entry) => entry.name === 'NODE_OPTIONS')?.value,
        '--max-old-space-size=512 --max-semi-space-size=8',
      );
      assert.deepEqual(fullPod.containers[0]?.lifecycle?.preStop, { sleep: { seconds: 10 } });
      assert.equal(fullPod.terminationGracePeriodSeconds, 45);
      assert.deepEqual(fullPod.nodeSelector, { 'cloud.google.com/gke-nodepool': 'system' });
      assert.equal(fullPod.tolerations?.[0]?.key, 'dedicated');
      assert.ok(fullPod.affinity?.nodeAffinity);
      assert.equal(fullPod.priorityClassName, 'system-cluster-critical');
      assert.deepEqual(fullPod.imagePullSecrets, [{ name: 'registry-credentials' }]);
      assert.equal(full.spec?.template.metadata?.annotations?.['example.com/team'], 'platform');
      assert.equal(full.spec?.template.metadata?.labels?.['example.com/tier'], 'control');
      const noSleep = await render('wide', 'exposure-wide', [...REQUIRED, '--set', 'preStopSleepSeconds=0']);
      assert.equal(podSpec(only<V1Deployment>(noSleep, 'Deployment')).containers[0]?.lifecycle, undefined);
    });

    test('the ServiceAccount carries the Workload Identity annotation', () => {
      const account = only<V1ServiceAccount>(fleet, 'ServiceAccount');
      assert.equal(account.metadata?.name, 'exposure-api-fleet');
      assert.deepEqual(account.metadata?.annotations, {
        'example.com/owner': 'platform',
        'iam.gke.io/gcp-service-account': 'exposure-api@host-project.iam.gserviceaccount.com',
      });
      assert.equal(podSpec(only<V1Deployment>(fleet, 'Deployment')).serviceAccountName, 'exposure-api-fleet');
      assert.equal(only<V1ServiceAccount>(wide, 'ServiceAccount').metadata?.annotations, undefined);
    });

    test("the ConfigMap's config.yaml, with the Secret's tokens, is a configuration the service accepts", async () => {
      for (const release of [wide, fleet]) {
        const deployment = only<V1Deployment>(release, 'Deployment');
        const pod = podSpec(deployment);
        const container = pod.containers[0];
        const mountOf = (volume: string) =>
          container?.volumeMounts?.find((m) => m.name === volume)?.mountPath;
        const configMap = only<V1ConfigMap>(release, 'ConfigMap');
        const secret = only<V1Secret>(release, 'Secret');
        // The pod reads the files the chart writes, where the configuration says they are.
        assert.equal(
          pod.volumes?.find((v) => v.name === 'config')?.configMap?.name,
          configMap.metadata?.name,
        );
        assert.equal(
          pod.volumes?.find((v) => v.name === 'tokens')?.secret?.secretName,
          secret.metadata?.name,
        );
        assert.equal(
          container?.env?.find((e) => e.name === 'EXPOSURE_API_CONFIG')?.value,
          `${mountOf('config')}/config.yaml`,
        );
        const raw = parseYaml(configMap.data?.['config.yaml'] ?? '') as { auth: { tokensFile: string } };
        assert.equal(raw.auth.tokensFile, `${mountOf('tokens')}/tokens.yaml`);

        const dir = await mkdtemp(join(tmpdir(), 'exposure-api-chart-config-'));
        try {
          raw.auth.tokensFile = join(dir, 'tokens.yaml');
          await writeFile(raw.auth.tokensFile, secret.stringData?.['tokens.yaml'] ?? '');
          const config = parseConfig(raw, `${release.name}'s config.yaml`);
          assert.equal(
            config.leaderElection.namespace,
            release.namespace,
            'the Lease lives where its Role is',
          );
          assert.equal(config.server.port, 8080);
          if (release === wide) {
            assert.equal(config.cluster.id, 'wide');
            assert.equal(config.cluster.namespaces, undefined);
            assert.deepEqual(config.auth.tokens, []);
          } else {
            assert.equal(config.cluster.id, 'fleet-test');
            assert.deepEqual(config.cluster.namespaces, ['search', 'shop']);
            assert.deepEqual(
              config.auth.tokens.map((t) => t.subject),
              ['backstage', 'team-search'],
            );
          }
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      }
    });

    test('the tokens can come from an existing Secret: the chart writes none and mounts that one', async () => {
      const release = await render('own', 'exposure-wide', [
        ...REQUIRED,
        '--set',
        'existingTokensSecret=platform-tokens',
      ]);
      assert.deepEqual(all(release, 'Secret'), []);
      for (const workload of [only<V1Deployment>(release, 'Deployment'), only<V1Job>(release, 'Job')]) {
        assert.equal(
          podSpec(workload).volumes?.find((v) => v.name === 'tokens')?.secret?.secretName,
          'platform-tokens',
        );
      }
    });

    test('system:auth-delegator is bound only when ServiceAccount tokens or Kubernetes authorization are on', async () => {
      const delegation = (release: Release) =>
        all<V1ClusterRoleBinding>(release, 'ClusterRoleBinding').filter(
          (binding) => binding.roleRef.name === 'system:auth-delegator',
        );
      const plain = await render('plain', 'exposure-wide', [...REQUIRED]);
      assert.deepEqual(delegation(plain), []);
      for (const setting of [
        'config.authorization.mode=kubernetes',
        'config.auth.serviceAccounts.enabled=true',
      ]) {
        const release = await render('reviews', 'exposure-wide', [...REQUIRED, '--set', setting]);
        const [binding] = delegation(release);
        assert.equal(binding?.roleRef.kind, 'ClusterRole', setting);
        assert.deepEqual(binding?.subjects, [
          { kind: 'ServiceAccount', name: 'reviews-exposure-api', namespace: 'exposure-wide' },
        ]);
      }
    });

    test('tls.secretName: the Secret is mounted whole, the service serves HTTPS from it, the probes use HTTPS', async () => {
      const release = await render('secure', 'exposure-wide', [
        ...REQUIRED,
        '--set',
        'tls.secretName=api-tls',
      ]);
      const deployment = only<V1Deployment>(release, 'Deployment');
      assert.equal(podSpec(deployment).volumes?.find((v) => v.name === 'tls')?.secret?.secretName, 'api-tls');
      const container = podSpec(deployment).containers[0];
      const mount = container?.volumeMounts?.find((m) => m.name === 'tls');
      assert.equal(mount?.mountPath, '/etc/exposure-api/tls');
      assert.equal(mount?.subPath, undefined);
      assert.equal(container?.readinessProbe?.httpGet?.scheme, 'HTTPS');
      assert.equal(container?.livenessProbe?.httpGet?.scheme, 'HTTPS');
      const config = parseYaml(only<V1ConfigMap>(release, 'ConfigMap').data?.['config.yaml'] ?? '') as {
        server: { tls?: unknown };
      };
      assert.deepEqual(config.server.tls, {
        certFile: '/etc/exposure-api/tls/tls.crt',
        keyFile: '/etc/exposure-api/tls/tls.key',
      });
    });

    test('the PodDisruptionBudget and the Service select the server pods, and not the uninstall Job', () => {
      for (const release of [wide, fleet]) {
        const podLabels = only<V1Deployment>(release, 'Deployment').spec?.template.metadata?.labels;
        const hookLabels = only<V1Job>(release, 'Job').spec?.template.metadata?.labels;
        const budget = only<V1PodDisruptionBudget>(release, 'PodDisruptionBudget');
        const service = only<V1Service>(release, 'Service');
        assert.ok(selects(budget.spec?.selector?.matchLabels, podLabels));
        assert.ok(!selects(budget.spec?.selector?.matchLabels, hookLabels));
        assert.ok(selects(service.spec?.selector, podLabels));
        assert.ok(!selects(service.spec?.selector, hookLabels));
        assert.equal(service.spec?.ports?.[0]?.targetPort, 'http');
      }
      assert.equal(only<V1PodDisruptionBudget>(wide, 'PodDisruptionBudget').spec?.minAvailable, 1);
      assert.equal(only<V1PodDisruptionBudget>(fleet, 'PodDisruptionBudget').spec?.minAvailable, 2);
      assert.equal(only<V1Service>(wide, 'Service').spec?.ports?.[0]?.port, 8080);
      assert.equal(only<V1Service>(fleet, 'Service').spec?.ports?.[0]?.port, 80);
      const policy = only<V1NetworkPolicy>(fleet, 'NetworkPolicy');
      assert.ok(
        selects(
          policy.spec?.podSelector?.matchLabels,
          only<V1Deployment>(fleet, 'Deployment').spec?.template.metadata?.labels,
        ),
      );
      // The wire name is `from` (the client library calls it `_from`).
      const [rule] = (policy.spec?.ingress ?? []) as {
        from?: unknown[];
        ports?: { port?: string | number }[];
      }[];
      assert.equal(rule?.from?.length, 2);
      assert.deepEqual(
        rule?.ports?.map((p) => p.port),
        ['http'],
      );
      const monitor = only<
        KubeObject & { spec: { endpoints: { port: string; path: string; interval: string }[] } }
      >(fleet, 'ServiceMonitor');
      assert.deepEqual(monitor.spec.endpoints, [{ port: 'http', path: '/metrics', interval: '15s' }]);
      assert.equal(monitor.metadata.labels?.release, 'prometheus');
    });

    test('one replica gets no PodDisruptionBudget (it would block node drains for good)', async () => {
      const single = await render('single', 'exposure-wide', [...REQUIRED, '--set', 'replicaCount=1']);
      assert.deepEqual(all(single, 'PodDisruptionBudget'), []);
    });

    test("V8's defaults on request: memorySaverMode false, allocationSitePretenuring true", async () => {
      const defaults = await render('v8-defaults', 'exposure-wide', [
        ...REQUIRED,
        '--set',
        'memorySaverMode=false',
        '--set',
        'allocationSitePretenuring=true',
      ]);
      const [container] = podSpec(only<V1Deployment>(defaults, 'Deployment')).containers;
      assert.deepEqual(container?.args, ['--min-semi-space-size=8', 'dist/server.js']);
    });

    test('the pre-delete hook: a Job running the uninstall CLI with the mode and timeout of the values', async () => {
      const orphan = await render('wide', 'exposure-wide', [
        ...REQUIRED,
        '--set',
        'uninstall.mode=orphan',
        '--set',
        'uninstall.timeoutSeconds=90',
      ]);
      for (const [release, args, deadline] of [
        [wide, ['dist/cli/uninstall.js', '--mode=delete', '--timeout-seconds=240'], 300],
        [orphan, ['dist/cli/uninstall.js', '--mode=orphan', '--timeout-seconds=90'], 150],
        [fleet, ['dist/cli/uninstall.js', '--mode=orphan', '--timeout-seconds=120'], 180],
      ] as const) {
        const job = only<V1Job>(release, 'Job');
        assert.equal(job.metadata?.annotations?.['helm.sh/hook'], 'pre-delete');
        assert.deepEqual(podSpec(job).containers[0]?.args, args);
        assert.equal(job.spec?.activeDeadlineSeconds, deadline);
        // It runs as the server does: same identity, image, configuration and tokens.
        const server = podSpec(only<V1Deployment>(release, 'Deployment'));
        const hook = podSpec(job);
        assert.equal(hook.serviceAccountName, server.serviceAccountName);
        assert.equal(hook.containers[0]?.image, server.containers[0]?.image);
        assert.deepEqual(hook.volumes, server.volumes);
        assert.deepEqual(hook.containers[0]?.volumeMounts, server.containers[0]?.volumeMounts);
        assert.deepEqual(
          hook.containers[0]?.env,
          server.containers[0]?.env?.filter((e) => e.name === 'EXPOSURE_API_CONFIG'),
        );
        assert.deepEqual(hook.containers[0]?.securityContext, server.containers[0]?.securityContext);
        assert.equal(hook.restartPolicy, 'Never');
      }
      const response = await dryRun(only<V1Job>(orphan, 'Job') as KubeObject);
      assert.equal(response.status, 201, JSON.stringify(response.body));
    });

    test('NOTES.txt shows the first call to try', () => {
      for (const release of [wide, fleet]) {
        const text = installNotes(release);
        assert.match(text, new RegExp(`port-forward svc/${release.name}-exposure-api 8080:`));
        assert.match(
          text,
          /curl -s -X POST http:\/\/127\.0\.0\.1:8080\/exposures -H "Authorization: Bearer \$TOKEN"/,
        );
        const body = notesRequestBody(text);
        assert.equal(body.namespace, release === wide ? 'default' : 'search', 'a namespace it manages');
      }
      note(installNotes(wide).trim());
    });
  });

  /** The JSON body of the first call NOTES.txt suggests. */
  const notesRequestBody = (notes: string): Record<string, unknown> => {
    const match = /-d '(\{[\s\S]*?\})'/.exec(notes);
    assert.ok(match?.[1], 'NOTES has a request body');
    return JSON.parse(match[1]) as Record<string, unknown>;
  };

  describe('RBAC', () => {
    test("the chart's rules are exactly the ones measured against the apiserver", () => {
      for (const release of [wide, fleet]) {
        const prefix = release.name === 'wide' ? 'wide-exposure-api' : 'fleet-exposure-api';
        const clusterRoles = all<V1ClusterRole>(release, 'ClusterRole');
        const roles = all<V1Role>(release, 'Role');
        assert.deepEqual(
          clusterRoles.map((r) => r.metadata?.name),
          [`${prefix}-nodes`, `${prefix}-exposures`],
        );
        assert.deepEqual(
          only<V1ClusterRole>(release, 'ClusterRole', `${prefix}-exposures`).rules,
          EXPOSURE_RULES,
        );
        assert.deepEqual(only<V1ClusterRole>(release, 'ClusterRole', `${prefix}-nodes`).rules, NODE_RULES);
        assert.deepEqual(
          roles.map((r) => [r.metadata?.namespace, r.metadata?.name]),
          [
            [release.namespace, `${prefix}-leader-election`],
            [release.namespace, `${prefix}-usage-ledger`],
          ],
        );
        assert.deepEqual(roles[0]?.rules, LEASE_RULES);
        assert.deepEqual(roles[1]?.rules, USAGE_LEDGER_RULES);

        // Who gets them, and where: always the release's ServiceAccount.
        const account = only<V1ServiceAccount>(release, 'ServiceAccount').metadata?.name;
        const bindings = [
          ...all<V1ClusterRoleBinding>(release, 'ClusterRoleBinding'),
          ...all<V1RoleBinding>(release, 'RoleBinding'),
        ];
        for (const binding of bindings) {
          assert.deepEqual(binding.subjects, [
            { kind: 'ServiceAccount', name: account, namespace: release.namespace },
          ]);
        }
        const grants = bindings
          .map((b) => `${b.kind} ${b.metadata?.namespace ?? '*'} -> ${b.roleRef.name}`)
          .sort();
        const exposures =
          release === wide
            ? [`ClusterRoleBinding * -> ${prefix}-exposures`]
            : [`RoleBinding search -> ${prefix}-exposures`, `RoleBinding shop -> ${prefix}-exposures`];
        assert.deepEqual(
          grants,
          [
            ...exposures,
            `ClusterRoleBinding * -> ${prefix}-nodes`,
            `RoleBinding ${release.namespace} -> ${prefix}-leader-election`,
            `RoleBinding ${release.namespace} -> ${prefix}-usage-ledger`,
          ].sort(),
        );
      }
      const rbac = wide.objects.filter((o) => o.kind === 'ClusterRole' || o.kind === 'Role') as (
        | V1ClusterRole
        | V1Role
      )[];
      note('RBAC rules as rendered (default values):');
      for (const role of rbac) {
        const where = role.metadata?.namespace ? ` (namespace ${role.metadata.namespace})` : '';
        note(`  ${role.kind} ${role.metadata?.name}${where}:`);
        for (const rule of role.rules ?? []) note(`    ${JSON.stringify(rule)}`);
      }
      const wideBindings = wide.objects.filter((o) => o.kind.endsWith('Binding')) as (
        | V1RoleBinding
        | V1ClusterRoleBinding
      )[];
      noteBindings('bindings with default values:', wideBindings);
      const scopedBindings = fleet.objects.filter((o) => o.kind.endsWith('Binding')) as (
        | V1RoleBinding
        | V1ClusterRoleBinding
      )[];
      noteBindings('bindings with rbac.namespaces=[search, shop]:', scopedBindings);
    });

    /** The chart's identity after its ServiceAccount and RBAC were applied for real. */
    interface Identity {
      user: string;
      token: string;
      kubeconfig: string;
    }
    const identities = new Map<Release, Identity>();

    const allowed = async (user: string, resourceAttributes: Record<string, string>) => {
      const review = await controlPlane.request(
        'POST',
        '/apis/authorization.k8s.io/v1/subjectaccessreviews',
        {
          body: {
            apiVersion: 'authorization.k8s.io/v1',
            kind: 'SubjectAccessReview',
            spec: { user, resourceAttributes },
          },
        },
      );
      return (review.body as { status?: { allowed?: boolean } }).status?.allowed === true;
    };

    /** Applies the release's ServiceAccount and RBAC as the admin and mints a token for the account. */
    const applyIdentity = async (release: Release): Promise<Identity> => {
      const kinds = new Set(['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding']);
      for (const object of release.objects.filter((o) => kinds.has(o.kind))) {
        const response = await controlPlane.request('POST', await collectionPath(object), { body: object });
        assert.equal(
          response.status,
          201,
          `${object.kind} ${object.metadata.name}: ${JSON.stringify(response.body)}`,
        );
      }
      const account = only<V1ServiceAccount>(release, 'ServiceAccount').metadata?.name ?? '';
      const user = `system:serviceaccount:${release.namespace}:${account}`;
      // The RBAC authorizer works from its own cache: wait until it sees every binding.
      const managed = release === fleet ? ['search', 'shop'] : [''];
      await eventually(
        async () => {
          const checks: Record<string, string>[] = [
            {
              verb: 'update',
              group: 'coordination.k8s.io',
              resource: 'leases',
              namespace: release.namespace,
            },
            { verb: 'update', resource: 'configmaps', namespace: release.namespace },
            { verb: 'watch', resource: 'nodes' },
            ...managed.map((namespace) => ({ verb: 'watch', resource: 'services', namespace })),
          ];
          return (await Promise.all(checks.map((check) => allowed(user, check)))).every(Boolean);
        },
        Boolean,
        { what: `the grants of ${user} to take effect` },
      );
      const token = await controlPlane.createServiceAccountToken(release.namespace, account);
      const kubeconfig = await controlPlane.writeKubeconfig({ token, user: account });
      const identity = { user, token, kubeconfig };
      identities.set(release, identity);
      return identity;
    };

    interface Answer {
      status: number;
      body: {
        id?: string;
        type?: string;
        detail?: string;
        status?: { conditions: { type: string; status: string; reason: string }[] };
      };
    }
    type Call = (method: 'GET' | 'POST' | 'DELETE', url: string, body?: unknown) => Promise<Answer>;

    /** Upstream calls the apiserver refused. */
    const refusals = (calls: UpstreamCall[]) =>
      calls.filter((c) => c.system === 'kubernetes' && c.outcome === 'Forbidden').map((c) => c.operation);

    /**
     * Runs the whole service in this process under the identity, with the configuration file the
     * chart renders (its tokens inline instead of from the mounted Secret), against the test
     * apiserver and the Compute emulator. Answers every upstream call the service made.
     */
    const runService = async (
      release: Release,
      identity: Identity,
      steps: (call: Call) => Promise<void>,
    ): Promise<UpstreamCall[]> => {
      const raw = parseYaml(only<V1ConfigMap>(release, 'ConfigMap').data?.['config.yaml'] ?? '') as Record<
        string,
        Record<string, unknown>
      >;
      const config = parseConfig({
        ...raw,
        auth: { tokens: [{ sha256: sha256Hex(TOKEN), subject: 'chart-test', namespaces: ['*'] }] },
        reconciler: { ...raw.reconciler, backoffInitialMs: 100, backoffMaxMs: 1_000 },
      });
      const calls: UpstreamCall[] = [];
      const recorder = { record: (upstream: UpstreamCall) => void calls.push(upstream) };
      const kubeConfig = loadKubeConfig({ kubeconfig: identity.kubeconfig });
      const cluster = createKubernetesCluster({
        kubeConfig,
        ...(config.cluster.namespaces && { namespaces: config.cluster.namespaces }),
        recorder,
        instance: 'chart-test',
      });
      const leases = createKubernetesLeases({ kubeConfig, recorder });
      const firewalls = createGceFirewalls({
        project: config.gce.project,
        apiEndpoint: '127.0.0.1',
        port: emulator.port,
        protocol: 'http',
        authClient: passThroughAuthClient(),
        recorder,
      });
      const runtime = await createRuntime({
        config,
        cluster,
        firewalls,
        leases,
        logger: pino({ level: 'silent' }),
      });
      try {
        await runtime.start();
        // Leadership proves the Lease grants: only the leader writes firewall rules.
        await eventually(() => runtime.elector?.isLeader(), Boolean, { what: 'leadership' });
        await steps(async (method, url, body) => {
          // A refused upstream call explains a step that never completes: say so at once.
          const refused = refusals(calls);
          if (refused.length > 0) throw new Error(`the apiserver refused ${refused.join(', ')}`);
          const response = await injectAs(runtime.app, TOKEN, method, url, body);
          return { status: response.statusCode, body: response.body ? JSON.parse(response.body) : {} };
        });
      } finally {
        // Stopping releases the Lease: that call must be allowed too.
        await runtime.stop();
        await firewalls.close();
        await leases.close();
      }
      return calls;
    };

    /** Create -> read (until the firewall rule is in place) -> delete (until the Service and rule are gone). */
    const lifecycle = async (call: Call, request: Record<string, unknown>, project: string) => {
      const created = await call('POST', '/exposures', request);
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const id = created.body.id;
      await eventually(
        () => call('GET', `/exposures/${id}`),
        (read) =>
          read.status === 200 &&
          read.body.status?.conditions.some((c) => c.type === 'FirewallReady' && c.status === 'True') ===
            true,
        { what: 'FirewallReady', timeoutMs: 15_000 },
      );
      assert.equal(emulator.rules(project).length, 1);
      const deleted = await call('DELETE', `/exposures/${id}`);
      assert.ok([202, 204].includes(deleted.status), JSON.stringify(deleted.body));
      await eventually(
        () => call('GET', `/exposures/${id}`),
        (read) => read.status === 404,
        { what: 'the exposure to be gone', timeoutMs: 15_000 },
      );
      const service = await controlPlane.request(
        'GET',
        `/api/v1/namespaces/${request.namespace}/services/${request.name}`,
      );
      assert.equal(service.status, 404, 'the Service is gone (its finalizer removed)');
      assert.deepEqual(emulator.rules(project), [], 'the rule is gone');
    };

    /** What the identity asked the apiserver, as its audit log records it, once the final Lease release is in. */
    const auditedRequests = async (identity: Identity) =>
      eventually(
        async () =>
          (await controlPlane.auditEvents()).filter((event) => event.user.username === identity.user),
        (events) => events.some((e) => e.objectRef?.resource === 'leases' && e.verb === 'update'),
        { what: 'the audit events' },
      );

    const summary = (calls: UpstreamCall[]) =>
      [
        ...new Set(calls.filter((c) => c.system === 'kubernetes').map((c) => `${c.operation}:${c.outcome}`)),
      ].sort();

    test('cluster-wide (default values): the service runs under the chart identity; create, read, delete, no 403', async () => {
      const identity = await applyIdentity(wide);
      const request = notesRequestBody(installNotes(wide));
      const calls = await runService(wide, identity, (call) => lifecycle(call, request, 'exposure-test'));
      assert.deepEqual(refusals(calls), []);
      for (const operation of [
        'services.create',
        'leases.create',
        'configmaps.create',
        'configmaps.update',
      ]) {
        assert.ok(
          calls.some((c) => c.operation === operation && c.outcome === 'ok'),
          `${operation} was made`,
        );
      }
      const audited = await auditedRequests(identity);
      assert.ok(audited.length > 10);
      assert.deepEqual(refusedRequests(audited), []);
      note(
        `cluster-wide: ${audited.length} requests as ${identity.user}, none refused; calls: ${summary(calls).join(' ')}`,
      );
    });

    test('rbac.namespaces (every option on): only those namespaces; another is refused by the service, never asked', async () => {
      const identity = await applyIdentity(fleet);
      const request = notesRequestBody(installNotes(fleet));
      const calls = await runService(fleet, identity, async (call) => {
        await lifecycle(call, request, 'host-project');
        const outside = await call('POST', '/exposures', { ...request, namespace: 'outside' });
        assert.equal(outside.status, 403, JSON.stringify(outside.body));
        assert.match(outside.body.type ?? '', /forbidden-namespace/);
        note(
          `the service refuses a namespace outside rbac.namespaces: ${outside.status} ${outside.body.detail}`,
        );
      });
      assert.deepEqual(refusals(calls), []);
      const audited = await auditedRequests(identity);
      assert.deepEqual(refusedRequests(audited), []);
      assert.deepEqual(
        audited.filter((e) => e.objectRef?.namespace === 'outside').map((e) => e.requestURI),
        [],
        'nothing was asked about the namespace outside the list',
      );
      // Namespaced RBAC works only if every Service and EndpointSlice watch is per namespace.
      const clusterWide = audited.filter(
        (e) =>
          ['services', 'endpointslices'].includes(e.objectRef?.resource ?? '') && !e.objectRef?.namespace,
      );
      assert.deepEqual(
        clusterWide.map((e) => e.requestURI),
        [],
      );
      note(
        `rbac.namespaces: ${audited.length} requests as ${identity.user}, none refused; calls: ${summary(calls).join(' ')}`,
      );
    });

    test('negative: the chart identity cannot read Secrets, nor Services outside rbac.namespaces', async () => {
      const wideIdentity = identities.get(wide);
      const fleetIdentity = identities.get(fleet);
      assert.ok(wideIdentity && fleetIdentity, 'the identities were applied by the tests above');
      const refused: [Identity, string][] = [
        // Its own namespace, where its tokens Secret lives.
        [wideIdentity, '/api/v1/namespaces/exposure-wide/secrets'],
        [wideIdentity, '/api/v1/namespaces/exposure-wide/secrets/wide-exposure-api-tokens'],
        [wideIdentity, '/api/v1/secrets'],
        [fleetIdentity, '/api/v1/namespaces/search/secrets'],
        [fleetIdentity, '/api/v1/namespaces/outside/services'],
        [fleetIdentity, '/api/v1/services'],
      ];
      for (const [identity, path] of refused) {
        const response = await controlPlane.request('GET', path, { token: identity.token });
        assert.equal(response.status, 403, `${identity.user} GET ${path}: ${JSON.stringify(response.body)}`);
        const body = response.body as { reason?: string; message?: string };
        assert.equal(body.reason, 'Forbidden');
        note(`GET ${path} as ${identity.user} -> ${response.status} ${JSON.stringify(response.body)}`);
      }
      // ...while what it needs is allowed with the same token.
      const allowedCall = await controlPlane.request('GET', '/api/v1/namespaces/search/services', {
        token: fleetIdentity.token,
      });
      assert.equal(allowedCall.status, 200);
    });
  });
});
