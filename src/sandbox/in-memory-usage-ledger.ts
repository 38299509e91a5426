// The usage ledger in memory, with the apiserver's optimistic concurrency on the ConfigMap the
// Kubernetes adapter keeps it in: every write that changes something gets a new version, a write
// against a stale one (or a first write when one exists) is a Conflict, and the namespace must exist. Replicas sharing one
// in-memory cluster share its ledgers, as replicas on one real cluster share the ConfigMap.
import { ClusterError } from '../application/ports/cluster.ts';
import type { StoredLedger, UsageLedger } from '../application/ports/usage-ledger.ts';
import { type LedgerState, parseLedger, serializeLedger } from '../domain/usage-ledger.ts';

export class InMemoryUsageLedger implements UsageLedger {
  readonly #name: string;
  readonly #namespaceExists: () => boolean;
  /** Stored as text, as the ConfigMap holds it: readers never share objects with the writer. */
  #stored: { text: string; version: string } | undefined;
  #version = 0;

  constructor(name: string, namespaceExists: () => boolean = () => true) {
    this.#name = name;
    this.#namespaceExists = namespaceExists;
  }

  async read(): Promise<StoredLedger | undefined> {
    const stored = this.#stored;
    return stored && { state: parseLedger(stored.text), version: stored.version };
  }

  async write(state: LedgerState, version: string | undefined): Promise<string> {
    if (!this.#namespaceExists()) {
      throw new ClusterError('NamespaceNotFound', `namespaces of configmaps "${this.#name}" not found`);
    }
    if (version === undefined ? this.#stored !== undefined : this.#stored?.version !== version) {
      throw new ClusterError(
        'Conflict',
        `Operation cannot be fulfilled on configmaps "${this.#name}": the object has been modified; please apply your changes to the latest version and try again`,
      );
    }
    const text = serializeLedger(state);
    // As the apiserver does: an update that changes nothing keeps the resourceVersion.
    if (this.#stored?.text === text) return this.#stored.version;
    this.#stored = { text, version: String(++this.#version) };
    return this.#stored.version;
  }

  /** Replaces what is stored, as a person with kubectl could (tests of an unreadable ledger). */
  overwrite(text: string): void {
    this.#stored = { text, version: String(++this.#version) };
  }
}
