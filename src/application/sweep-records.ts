// The last drift sweep, as every replica sees it. The leader records each sweep here; it travels
// to the other replicas as an annotation of the leader's Lease, which the leader renews every few
// seconds anyway and the others read as often: publishing it costs no request of its own, and
// never a write per Service per sweep.

import { formatSweepRecord, parseSweepRecord, type SweepRecord } from '../domain/firewall-verification.ts';
import { FIREWALL_SWEEP_ANNOTATION } from '../domain/naming.ts';

export class SweepRecords {
  #latest: SweepRecord | undefined;
  #version = 0;

  /** Changes whenever the latest record does (views built before are stale). */
  get version(): number {
    return this.#version;
  }

  latest(): SweepRecord | undefined {
    return this.#latest;
  }

  /** A sweep this replica ran (completed or missed). */
  record(record: SweepRecord): void {
    this.#set(record);
  }

  /** What the leader's Lease says (on every replica, the leader included). */
  observeLease(annotations: Readonly<Record<string, string>>): void {
    const record = parseSweepRecord(annotations[FIREWALL_SWEEP_ANNOTATION]);
    if (!record) return;
    const current = this.#latest;
    if (current) {
      // Never go back: the leader's own record may be newer than the Lease it read a moment ago.
      const later = Date.parse(record.completedAt || '0') - Date.parse(current.completedAt || '0');
      if (later < 0 || (later === 0 && record.missed <= current.missed)) return;
    }
    this.#set(record);
  }

  /** The annotations the leader writes on its Lease. */
  leaseAnnotations(): Record<string, string> {
    return this.#latest ? { [FIREWALL_SWEEP_ANNOTATION]: formatSweepRecord(this.#latest) } : {};
  }

  #set(record: SweepRecord): void {
    const current = this.#latest;
    if (
      current?.startedAt === record.startedAt &&
      current.completedAt === record.completedAt &&
      current.missed === record.missed
    )
      return;
    this.#latest = record;
    this.#version++;
  }
}
