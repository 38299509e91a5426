// What each Service looked like at its last reconciliation attempt. Events that change nothing the
// reconciler cares about (its own status writes, above all) are skipped, so a failing exposure
// waits for its backoff instead of being retried by the echo of its status update.
import { type ObservedService, type ServiceRef, serviceKey } from '../../domain/cluster-objects.ts';
import { FIREWALL_STATUS_ANNOTATION } from '../../domain/naming.ts';

export class AttemptedServices {
  readonly #fingerprints = new Map<string, string>();

  /** Remembers the Service as a pass is about to act on it. */
  record(service: ObservedService): void {
    this.#fingerprints.set(serviceKey(service), fingerprint(service));
  }

  /** Whether the Service changed, in what matters to the reconciler, since its last attempt. */
  changedSince(service: ObservedService): boolean {
    return this.#fingerprints.get(serviceKey(service)) !== fingerprint(service);
  }

  /** The next event for the Service is acted on, whatever it says. */
  forget(ref: ServiceRef): void {
    this.#fingerprints.delete(serviceKey(ref));
  }

  clear(): void {
    this.#fingerprints.clear();
  }
}

/** The parts of a Service that matter to the reconciler (everything but its own status annotation). */
function fingerprint(service: ObservedService): string {
  const { [FIREWALL_STATUS_ANNOTATION]: _status, ...annotations } = service.annotations;
  return JSON.stringify([
    annotations,
    service.ports,
    service.deletionTimestamp ?? null,
    service.finalizers,
    service.labels,
  ]);
}
