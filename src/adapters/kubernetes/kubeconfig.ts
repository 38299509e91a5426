// Where the Kubernetes adapter finds its cluster: a kubeconfig file (and optionally one of its
// contexts), or else the in-cluster service account. The `KUBECONFIG` variable and
// `~/.kube/config` are deliberately not consulted: a service that silently picked up a developer's
// current context could write to whichever cluster that happens to be.
import { KubeConfig } from '@kubernetes/client-node';

/** Where the cluster is; the configuration's `cluster` section is one as it stands. */
export interface KubeConfigSource {
  /** Path of a kubeconfig file. */
  kubeconfig?: string | undefined;
  /** A context of that file; its current context otherwise. */
  context?: string | undefined;
  /** Where to look for `KUBERNETES_SERVICE_HOST`; `process.env` by default. */
  env?: NodeJS.ProcessEnv;
}

export const NO_CLUSTER_MESSAGE =
  'no Kubernetes cluster is configured: set cluster.kubeconfig (and optionally cluster.context) to a ' +
  'kubeconfig file, or run exposure-api inside a cluster with a service account ' +
  '(KUBERNETES_SERVICE_HOST is not set). To try exposure-api without a cluster, run `npm run sandbox`.';

export function loadKubeConfig(source: KubeConfigSource = {}): KubeConfig {
  const env = source.env ?? process.env;
  const kubeConfig = new KubeConfig();
  if (source.kubeconfig) {
    try {
      kubeConfig.loadFromFile(source.kubeconfig);
    } catch (error) {
      throw new Error(`cannot read the kubeconfig ${source.kubeconfig}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    if (source.context) {
      if (!kubeConfig.getContextObject(source.context)) {
        const known = kubeConfig.getContexts().map((context) => context.name);
        throw new Error(
          `the kubeconfig ${source.kubeconfig} has no context "${source.context}" (it has: ${known.join(', ') || 'none'})`,
        );
      }
      kubeConfig.setCurrentContext(source.context);
    }
    if (!kubeConfig.getCurrentCluster()) {
      throw new Error(
        `the kubeconfig ${source.kubeconfig} names no cluster for context "${kubeConfig.getCurrentContext() ?? ''}"`,
      );
    }
    return kubeConfig;
  }
  if (source.context) {
    throw new Error(`cluster.context "${source.context}" is set, but no cluster.kubeconfig to take it from`);
  }
  if (env.KUBERNETES_SERVICE_HOST) {
    kubeConfig.loadFromCluster();
    return kubeConfig;
  }
  throw new Error(NO_CLUSTER_MESSAGE);
}
