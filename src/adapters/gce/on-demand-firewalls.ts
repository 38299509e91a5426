// The Firewalls port with its Compute Engine clients built on first use. Only the leader calls GCE
// (the reconciler, the drift sweep and the resync run on the leader alone), so a follower never
// loads @google-cloud/compute: loading it and constructing its two clients costs some 10 MB of
// memory even with only the part of its protocol definition they use (compute-clients.ts), and
// google-auth-library besides, which a follower would hold for nothing.
//
// `open` is expected to import the adapter's module dynamically, so that nothing of the client
// library is loaded before the first call.
import type {
  FirewallPage,
  FirewallRuleSpec,
  ListFirewallsOptions,
  ObservedFirewallRule,
} from '../../application/ports/firewalls.ts';
import type { UpstreamCallRecorder } from '../../application/ports/telemetry.ts';
import type { Config } from '../../config/schema.ts';
import type { GceFirewalls } from './gce-firewalls.ts';

export interface OnDemandFirewalls extends GceFirewalls {
  /** Whether the clients were built (a replica that never led: false). */
  readonly opened: boolean;
  /** Builds the clients now (before the first call needs them). */
  open(): Promise<void>;
}

export function onDemandFirewalls(project: string, open: () => Promise<GceFirewalls>): OnDemandFirewalls {
  let opening: Promise<GceFirewalls> | undefined;
  let opened = false;
  const clients = (): Promise<GceFirewalls> => {
    opening ??= open().then(
      (firewalls) => {
        opened = true;
        return firewalls;
      },
      (error: unknown) => {
        // A failed load is tried again by the next call (the reconciler retries with backoff).
        opening = undefined;
        throw error;
      },
    );
    return opening;
  };
  return {
    project,
    get opened() {
      return opened;
    },
    async open() {
      await clients();
    },
    get: async (name: string): Promise<ObservedFirewallRule | undefined> => (await clients()).get(name),
    listPage: async (options?: ListFirewallsOptions): Promise<FirewallPage> =>
      (await clients()).listPage(options),
    insert: async (rule: FirewallRuleSpec): Promise<void> => (await clients()).insert(rule),
    patch: async (name: string, changes: Partial<Omit<FirewallRuleSpec, 'name'>>): Promise<void> =>
      (await clients()).patch(name, changes),
    update: async (rule: FirewallRuleSpec): Promise<void> => (await clients()).update(rule),
    delete: async (name: string): Promise<'deleted' | 'absent'> => (await clients()).delete(name),
    async close() {
      if (opening) await (await opening.catch(() => undefined))?.close();
    },
  };
}

/**
 * The adapter for the project, endpoint and operation timeout the configuration names, its clients
 * built on first use; `onLoad` is told when the library has been loaded, just before they are built.
 */
export function onDemandComputeFirewalls(
  config: Config,
  recorder: UpstreamCallRecorder,
  onLoad?: () => void,
): OnDemandFirewalls {
  return onDemandFirewalls(config.gce.project, async () => {
    const [{ createGceFirewalls }, { computeEndpoint }] = await Promise.all([
      import('./gce-firewalls.ts'),
      import('./compute-endpoint.ts'),
    ]);
    onLoad?.();
    return createGceFirewalls({
      project: config.gce.project,
      ...computeEndpoint(config),
      recorder,
      operationTimeoutMs: config.gce.operationTimeoutSeconds * 1000,
    });
  });
}
