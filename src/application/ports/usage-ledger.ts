// The port through which replicas share the installation's usage counts (the ledger): one stored
// document, read whole and replaced whole with optimistic concurrency, the way Kubernetes' quota
// admission updates a ResourceQuota's status. Implemented on a ConfigMap by the Kubernetes adapter
// and in memory for the sandbox; one contract suite runs against both.
import type { LedgerState } from '../../domain/usage-ledger.ts';

export interface StoredLedger {
  /** Undefined when what is stored cannot be read as a ledger (edited by hand, say): recount it. */
  state: LedgerState | undefined;
  /** Opaque; changes with every write. */
  version: string;
}

export interface UsageLedger {
  /** The ledger as stored now, or undefined before its first write. */
  read(): Promise<StoredLedger | undefined>;
  /**
   * Replaces the ledger if it is still at `version` (undefined: only if none exists yet) and
   * returns the new version. Otherwise it fails with ClusterError 'Conflict' and changes nothing.
   */
  write(state: LedgerState, version: string | undefined): Promise<string>;
}
