// The generated API clients of @kubernetes/client-node, configured once for the adapter, and the
// one way the adapter calls them: timed, reported to the UpstreamCallRecorder, failures classified.
//
// Two things differ from `kubeConfig.makeApiClient()`:
// - every request gets a timeout (the generated clients have none: a request to an apiserver that
//   stopped answering would hang forever);
// - every request uses one shared undici dispatcher. `KubeConfig.applySecurityAuthentication`
//   builds a new undici Agent for each request, so each call would pay a TLS handshake and leave
//   an idle connection behind; the first Agent built is kept and reused instead. (Credentials
//   travel in headers, which are still set per request, so rotated tokens keep working.)
import {
  AuthenticationV1Api,
  AuthorizationV1Api,
  CoordinationV1Api,
  CoreV1Api,
  createConfiguration,
  DiscoveryV1Api,
  type KubeConfig,
  type Middleware,
  type RequestContext,
  ServerConfiguration,
} from '@kubernetes/client-node';
import type { ClusterError } from '../../application/ports/cluster.ts';
import type { UpstreamCallRecorder } from '../../application/ports/telemetry.ts';
import { toClusterError } from './kubernetes-errors.ts';

export interface KubernetesApis {
  core: CoreV1Api;
  discovery: DiscoveryV1Api;
  coordination: CoordinationV1Api;
  /** TokenReview and SubjectAccessReview (the identity adapters). */
  authentication: AuthenticationV1Api;
  authorization: AuthorizationV1Api;
  /** Closes the shared connections (idle ones would otherwise linger until the server drops them). */
  close(): Promise<void>;
}

export interface KubernetesApiOptions {
  /** How long one request may take before it fails as Unavailable; default 30 s. */
  callTimeoutMs?: number;
  userAgent?: string;
}

type Dispatcher = NonNullable<ReturnType<RequestContext['getDispatcher']>>;

export function createKubernetesApis(
  kubeConfig: KubeConfig,
  options: KubernetesApiOptions = {},
): KubernetesApis {
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig names no current cluster');
  const callTimeoutMs = options.callTimeoutMs ?? 30_000;
  const userAgent = options.userAgent ?? 'exposure-api';
  let shared: Dispatcher | undefined;
  const perRequest: Middleware = {
    async pre(context) {
      context.setHeaderParam('User-Agent', userAgent);
      context.setSignal(AbortSignal.timeout(callTimeoutMs));
      const dispatcher = context.getDispatcher();
      if (dispatcher) {
        shared ??= dispatcher;
        context.setDispatcher(shared);
      }
      return context;
    },
    async post(context) {
      return context;
    },
  };
  const configuration = createConfiguration({
    baseServer: new ServerConfiguration(cluster.server, {}),
    authMethods: { default: kubeConfig },
    promiseMiddleware: [perRequest],
  });
  return {
    core: new CoreV1Api(configuration),
    discovery: new DiscoveryV1Api(configuration),
    coordination: new CoordinationV1Api(configuration),
    authentication: new AuthenticationV1Api(configuration),
    authorization: new AuthorizationV1Api(configuration),
    async close() {
      const dispatcher = shared;
      shared = undefined;
      await dispatcher?.close();
    },
  };
}

/**
 * Makes one API call, reports it as `operation` (e.g. `services.create`) with its outcome and
 * duration, and rejects with a ClusterError.
 */
export async function callKubernetes<T>(
  recorder: UpstreamCallRecorder,
  operation: string,
  call: () => Promise<T>,
): Promise<T> {
  const started = performance.now();
  try {
    const result = await call();
    recorder.record({ system: 'kubernetes', operation, outcome: 'ok', seconds: elapsed(started) });
    return result;
  } catch (error) {
    const classified: ClusterError = toClusterError(error);
    recorder.record({ system: 'kubernetes', operation, outcome: classified.kind, seconds: elapsed(started) });
    throw classified;
  }
}

function elapsed(started: number): number {
  return (performance.now() - started) / 1000;
}
