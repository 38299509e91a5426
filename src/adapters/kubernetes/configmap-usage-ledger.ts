// The usage ledger on a ConfigMap in the service's own namespace (`kubectl get configmap
// exposure-api-<cluster id>-usage -o yaml` shows the counts). It is replaced whole, carrying the
// resourceVersion it was read at, so the apiserver refuses a stale write with 409 Conflict: two
// replicas can never both count from the same figures, as with a ResourceQuota's status.
import type { CoreV1Api, V1ConfigMap } from '@kubernetes/client-node';
import { ClusterError } from '../../application/ports/cluster.ts';
import type { UpstreamCallRecorder } from '../../application/ports/telemetry.ts';
import type { StoredLedger, UsageLedger } from '../../application/ports/usage-ledger.ts';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../../domain/naming.ts';
import { type LedgerState, parseLedger, serializeLedger } from '../../domain/usage-ledger.ts';
import { callKubernetes } from './kubernetes-api.ts';

/** The ConfigMap key that holds the ledger (JSON). */
export const LEDGER_KEY = 'usage.json';

export class ConfigMapUsageLedger implements UsageLedger {
  readonly #core: CoreV1Api;
  readonly #recorder: UpstreamCallRecorder;
  readonly #namespace: string;
  readonly #name: string;

  constructor(
    core: CoreV1Api,
    recorder: UpstreamCallRecorder,
    location: { namespace: string; name: string },
  ) {
    this.#core = core;
    this.#recorder = recorder;
    this.#namespace = location.namespace;
    this.#name = location.name;
  }

  async read(): Promise<StoredLedger | undefined> {
    let configMap: V1ConfigMap;
    try {
      configMap = await callKubernetes(this.#recorder, 'configmaps.get', () =>
        this.#core.readNamespacedConfigMap({ name: this.#name, namespace: this.#namespace }),
      );
    } catch (error) {
      if (error instanceof ClusterError && error.kind === 'NotFound') return undefined;
      throw error;
    }
    return {
      state: parseLedger(configMap.data?.[LEDGER_KEY] ?? ''),
      version: configMap.metadata?.resourceVersion ?? '',
    };
  }

  async write(state: LedgerState, version: string | undefined): Promise<string> {
    const body: V1ConfigMap = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: this.#name,
        namespace: this.#namespace,
        labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE },
        ...(version !== undefined && { resourceVersion: version }),
      },
      data: { [LEDGER_KEY]: serializeLedger(state) },
    };
    try {
      const written =
        version === undefined
          ? await callKubernetes(this.#recorder, 'configmaps.create', () =>
              this.#core.createNamespacedConfigMap({ namespace: this.#namespace, body }),
            )
          : await callKubernetes(this.#recorder, 'configmaps.update', () =>
              this.#core.replaceNamespacedConfigMap({ name: this.#name, namespace: this.#namespace, body }),
            );
      return written.metadata?.resourceVersion ?? '';
    } catch (error) {
      // Another replica created it first, or it was deleted since it was read: read it again.
      if (error instanceof ClusterError && (error.kind === 'AlreadyExists' || error.kind === 'NotFound')) {
        throw new ClusterError('Conflict', error.message, { cause: error });
      }
      throw error;
    }
  }
}
