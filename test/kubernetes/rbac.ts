// The least-privilege RBAC exposure-api needs, as plain objects (the Helm chart renders the same
// rules), and a helper that applies them to a test control plane as the admin.
//
// Each verb is there because the Kubernetes adapter makes that call:
// - services: create (plain create), patch (server-side apply of the spec and of the status
//   annotation, JSON patches removing the finalizer and handing over managed fields), delete,
//   get (a cache miss), list + watch (the informer, the exposure-id lookup, the node-port holder);
// - nodes and endpointslices: list + watch (informers only; nothing reads one object by name);
// - events: create, and patch to count a repeated event;
// - leases: get, create, update (leader election), only in the service's own namespace;
// - configmaps: get, create, update (the usage ledger of the installation's limits: read, created
//   once, replaced with its resourceVersion), only in the service's own namespace.
// Not needed: `update` on services (every change is a patch) and `get` on nodes or endpointslices.
// An installation limited to some namespaces gets the first group through RoleBindings there
// (the adapter's `namespaces` option then watches per namespace); nodes stay cluster-wide.
import type {
  RbacV1Subject,
  V1ClusterRole,
  V1ClusterRoleBinding,
  V1PolicyRule,
  V1Role,
  V1RoleBinding,
} from '@kubernetes/client-node';
import type { ControlPlane } from '../../tools/controlplane/index.ts';

/** Granted cluster-wide, or in each managed namespace when an installation is limited to some. */
export const EXPOSURE_RULES: readonly V1PolicyRule[] = [
  {
    apiGroups: [''],
    resources: ['services'],
    verbs: ['get', 'list', 'watch', 'create', 'patch', 'delete'],
  },
  { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch'] },
  { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
];

/** Nodes are cluster-scoped: always granted cluster-wide. */
export const NODE_RULES: readonly V1PolicyRule[] = [
  { apiGroups: [''], resources: ['nodes'], verbs: ['list', 'watch'] },
];

export const LEASE_RULES: readonly V1PolicyRule[] = [
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] },
];

export const USAGE_LEDGER_RULES: readonly V1PolicyRule[] = [
  { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'create', 'update'] },
];

export interface RbacOptions {
  /** Who gets the permissions: the service's user or group, or its ServiceAccount. */
  subject: RbacV1Subject;
  /** The namespace of the leader-election Lease and of the usage ledger. */
  leaseNamespace: string;
  /** Name of the roles and bindings. */
  name?: string;
  /** Grant the exposure rules in these namespaces only (RoleBindings); cluster-wide by default. */
  namespaces?: readonly string[];
}

type RbacObject = V1ClusterRole | V1ClusterRoleBinding | V1Role | V1RoleBinding;
const GROUP = 'rbac.authorization.k8s.io';

export function exposureApiRbac(options: RbacOptions): RbacObject[] {
  const name = options.name ?? 'exposure-api';
  const subjects = [options.subject];
  const clusterRole = (role: string, rules: readonly V1PolicyRule[]): V1ClusterRole => ({
    apiVersion: `${GROUP}/v1`,
    kind: 'ClusterRole',
    metadata: { name: role },
    rules: [...rules],
  });
  const clusterBinding = (role: string): V1ClusterRoleBinding => ({
    apiVersion: `${GROUP}/v1`,
    kind: 'ClusterRoleBinding',
    metadata: { name: role },
    roleRef: { apiGroup: GROUP, kind: 'ClusterRole', name: role },
    subjects,
  });
  const exposureBindings: RbacObject[] = options.namespaces
    ? options.namespaces.map((namespace) => ({
        apiVersion: `${GROUP}/v1`,
        kind: 'RoleBinding',
        metadata: { name, namespace },
        roleRef: { apiGroup: GROUP, kind: 'ClusterRole', name },
        subjects,
      }))
    : [clusterBinding(name)];
  return [
    clusterRole(name, EXPOSURE_RULES),
    ...exposureBindings,
    clusterRole(`${name}-nodes`, NODE_RULES),
    clusterBinding(`${name}-nodes`),
    {
      apiVersion: `${GROUP}/v1`,
      kind: 'Role',
      metadata: { name, namespace: options.leaseNamespace },
      rules: [...LEASE_RULES],
    },
    {
      apiVersion: `${GROUP}/v1`,
      kind: 'RoleBinding',
      metadata: { name: `${name}-leases`, namespace: options.leaseNamespace },
      roleRef: { apiGroup: GROUP, kind: 'Role', name },
      subjects,
    },
    {
      apiVersion: `${GROUP}/v1`,
      kind: 'Role',
      metadata: { name: `${name}-usage-ledger`, namespace: options.leaseNamespace },
      rules: [...USAGE_LEDGER_RULES],
    },
    {
      apiVersion: `${GROUP}/v1`,
      kind: 'RoleBinding',
      metadata: { name: `${name}-usage-ledger`, namespace: options.leaseNamespace },
      roleRef: { apiGroup: GROUP, kind: 'Role', name: `${name}-usage-ledger` },
      subjects,
    },
  ];
}

/** Applies the RBAC (and the lease namespace) as the admin, and waits until the grants are in effect. */
export async function grantExposureApiRbac(controlPlane: ControlPlane, options: RbacOptions): Promise<void> {
  for (const namespace of [options.leaseNamespace, ...(options.namespaces ?? [])]) {
    await controlPlane.kubectl(['create', 'namespace', namespace], { allowFailure: true });
  }
  const list = { apiVersion: 'v1', kind: 'List', items: exposureApiRbac(options) };
  await controlPlane.kubectl(['apply', '--server-side', '--field-manager=exposure-api-tests', '-f', '-'], {
    input: JSON.stringify(list),
  });
  // The RBAC authorizer works from its own informer cache: wait until it sees both bindings.
  const user =
    options.subject.kind === 'ServiceAccount'
      ? { user: `system:serviceaccount:${options.subject.namespace}:${options.subject.name}` }
      : options.subject.kind === 'Group'
        ? { groups: [options.subject.name] }
        : { user: options.subject.name };
  const allowed = async (resourceAttributes: Record<string, string>) => {
    const review = await controlPlane.request('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', {
      body: {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SubjectAccessReview',
        spec: { ...user, resourceAttributes },
      },
    });
    return (review.body as { status?: { allowed?: boolean } }).status?.allowed === true;
  };
  const deadline = Date.now() + 10_000;
  for (;;) {
    const lease = {
      namespace: options.leaseNamespace,
      verb: 'update',
      group: 'coordination.k8s.io',
      resource: 'leases',
    };
    const services = { verb: 'watch', resource: 'services', namespace: options.namespaces?.[0] ?? '' };
    const nodes = { verb: 'watch', resource: 'nodes' };
    const ledger = { namespace: options.leaseNamespace, verb: 'update', resource: 'configmaps' };
    const checks = [services, nodes, lease, ledger];
    if ((await Promise.all(checks.map(allowed))).every(Boolean)) return;
    if (Date.now() > deadline)
      throw new Error(`the RBAC grants for ${options.subject.name} did not take effect`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
