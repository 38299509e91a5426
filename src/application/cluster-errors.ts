// Turns what the cluster answered into what the caller should hear. Three rules matter: the
// service's own missing permissions are an outage (503), never the caller's 403; a conflict
// names the Service holding a node port only when the caller may see that namespace; and what no
// retry can fix (a full ResourceQuota, a full node-port range) is never answered as an outage.
import type { ServiceRef } from '../domain/cluster-objects.ts';
import { invalid, pointerToken, type Violation } from '../domain/violation.ts';
import type { ExposureIndex } from './exposure-index.ts';
import type { Authorizer } from './ports/authorizer.ts';
import { ClusterError, type ClusterFieldCause, type NodePortHolder } from './ports/cluster.ts';
import { mayUseNamespace, type Principal } from './principal.ts';
import { ExposureProblem } from './problems.ts';

/** Who holds a taken node port (served from caches where possible: see exposure-lookups.ts). */
export interface NodePortHolders {
  nodePortHolder(nodePort: number, protocol: 'TCP' | 'UDP'): Promise<NodePortHolder | undefined>;
}

/** How long a caller should wait before retrying after the cluster was unreachable. */
const UNAVAILABLE_RETRY_SECONDS = 5;
/** How long a node port typically stays held by a Service that is being deleted. */
const RELEASING_RETRY_SECONDS = 5;

interface ErrorContext {
  holders: NodePortHolders;
  principal: Principal;
  /** Decides whether the caller may see the holder's namespace; static namespaces when absent. */
  authorizer?: Authorizer;
  index: ExposureIndex;
  ref?: ServiceRef & { ports?: readonly { nodePort?: number; protocol: 'TCP' | 'UDP' }[] };
}

export async function mapClusterWriteError(error: unknown, context: ErrorContext): Promise<Error> {
  if (!(error instanceof ClusterError)) return error instanceof Error ? error : new Error(String(error));
  const ref = context.ref;
  switch (error.kind) {
    case 'AlreadyExists':
      return new ExposureProblem(
        'name-taken',
        ref ? `a Service named ${ref.namespace}/${ref.name} already exists` : error.message,
        {
          violations: [invalid('/name', 'choose another name, or delete the existing Service first')],
          cause: error,
        },
      );
    case 'NodePortTaken':
      return nodePortProblem(error, context);
    case 'NodePortRangeFull':
      return new ExposureProblem(
        'node-port-range-full',
        "the cluster's node port range is full: no node port is left to allocate. Delete exposures (or other NodePort Services) you no longer need, or ask an administrator to widen the cluster's --service-node-port-range",
        { violations: [invalid('/ports', 'no node port is free')], cause: error },
      );
    case 'QuotaExceeded':
      return quotaProblem(error, ref?.namespace);
    case 'NamespaceNotFound':
      return new ExposureProblem(
        'namespace-not-found',
        ref ? `namespace '${ref.namespace}' does not exist` : error.message,
        {
          violations: [invalid('/namespace', 'create the namespace first')],
          cause: error,
        },
      );
    case 'Invalid':
      return new ExposureProblem('validation-failed', `the cluster refused the Service: ${error.message}`, {
        violations: error.causes.map(violationFromCause),
        cause: error,
      });
    case 'NotFound':
      return new ExposureProblem('exposure-not-found', 'the exposure no longer exists', { cause: error });
    case 'Conflict':
      return new ExposureProblem('kubernetes-unavailable', 'the Service changed concurrently; retry', {
        retryAfterSeconds: 1,
        cause: error,
      });
    case 'Forbidden':
      return new ExposureProblem(
        'kubernetes-misconfigured',
        // The apiserver's text names the service account and the refused verb: it is for the
        // logs (the edge logs the cause of every 503), not for callers.
        "exposure-api's own Kubernetes identity is not allowed to do this; an administrator must grant it the RBAC permissions of the Helm chart (the service's logs name the refused request)",
        { retryAfterSeconds: 30, cause: error },
      );
    default:
      return new ExposureProblem(
        'kubernetes-unavailable',
        // Upstream text (the apiserver's address, a proxy's page) goes to the logs only.
        'the Kubernetes API is unavailable; retry later',
        {
          retryAfterSeconds: error.retryAfterSeconds ?? UNAVAILABLE_RETRY_SECONDS,
          cause: error,
        },
      );
  }
}

async function nodePortProblem(error: ClusterError, context: ErrorContext): Promise<ExposureProblem> {
  const ports = context.ref?.ports ?? [];
  const index = ports.findIndex((port) => port.nodePort === error.nodePort);
  const port = ports[index];
  const pointer = index >= 0 ? `/ports/${index}/nodePort` : '/ports';
  const portText = error.nodePort === undefined ? 'a requested node port' : `node port ${error.nodePort}`;
  let holder: NodePortHolder | undefined;
  if (error.nodePort !== undefined) {
    try {
      holder = await context.holders.nodePortHolder(error.nodePort, port?.protocol ?? 'TCP');
    } catch {
      holder = undefined; // naming the holder is a courtesy; the conflict stands without it
    }
  }
  if (holder?.terminating) {
    return new ExposureProblem(
      'node-port-releasing',
      `${portText} is still held by a Service that is being deleted; retry shortly`,
      {
        violations: [invalid(pointer, 'the port frees up once the other Service is gone')],
        retryAfterSeconds: RELEASING_RETRY_SECONDS,
        cause: error,
      },
    );
  }
  let detail = `${portText} is already allocated`;
  if (holder && (await mayGet(context, holder.namespace))) {
    const exposure = context.index.byService(holder);
    detail += ` to Service ${holder.namespace}/${holder.name}${exposure ? ` (exposure ${exposure.id})` : ''}`;
  }
  return new ExposureProblem('node-port-taken', detail, {
    violations: [invalid(pointer, 'choose another node port, or omit nodePort to have one allocated')],
    cause: error,
  });
}

/** A namespace's ResourceQuota refused the write: which one, and its figures. */
function quotaProblem(error: ClusterError, namespace: string | undefined): ExposureProblem {
  const name = error.quota?.name ?? 'unknown';
  const exceeded = error.quota?.exceeded ?? [];
  const where = namespace === undefined ? '' : ` of namespace '${namespace}'`;
  const figures = exceeded.map(
    (f) => `${f.resource}: ${f.used} of ${f.limit} used, ${f.requested} more requested`,
  );
  const detail =
    figures.length > 0
      ? `the ResourceQuota '${name}'${where} has no room for this change (${figures.join('; ')}); delete exposures you no longer need, or ask an administrator to raise the quota`
      : `the ResourceQuota '${name}'${where} refused the change: ${error.message}`;
  return new ExposureProblem('quota-exceeded', detail, {
    quota: {
      source: 'ResourceQuota',
      name,
      scope: 'namespace',
      ...(namespace !== undefined && { namespace }),
      exceeded: exceeded.map((f) => ({ ...f })),
    },
    cause: error,
  });
}

/** Maps an apiserver field path (`spec.ports[0].nodePort`) to a pointer into our request body. */
export function violationFromCause(cause: ClusterFieldCause): Violation {
  const field = cause.field;
  const portMatch = /^spec\.ports\[(\d+)\]\.(\w+)$/.exec(field);
  if (portMatch) return invalid(`/ports/${portMatch[1]}/${portMatch[2]}`, cause.message);
  const labelMatch = /^metadata\.labels(?:\.|\[)?(.*?)\]?$/.exec(field);
  if (labelMatch?.[1]) return invalid(`/labels/${pointerToken(labelMatch[1])}`, cause.message);
  const direct: Record<string, string> = {
    'metadata.name': '/name',
    'metadata.namespace': '/namespace',
    'metadata.labels': '/labels',
    'spec.selector': '/selector',
    'spec.ports': '/ports',
    'spec.externalTrafficPolicy': '/externalTrafficPolicy',
  };
  const pointer = direct[field];
  return invalid(pointer ?? '', pointer ? cause.message : `${field}: ${cause.message}`);
}

async function mayGet(
  context: { principal: Principal; authorizer?: Authorizer },
  namespace: string,
): Promise<boolean> {
  if (!context.authorizer) return mayUseNamespace(context.principal, namespace);
  try {
    return await context.authorizer.allowed(context.principal, 'get', namespace);
  } catch {
    return false; // naming the holder is a courtesy
  }
}
