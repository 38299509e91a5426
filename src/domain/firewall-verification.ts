// When an exposure's rules were last seen matching its spec in GCE, and whether that can still be
// vouched for. The drift sweep compares every rule with its spec every `driftCheckSeconds`, but
// records nothing per exposure while nothing drifted: one sweep record (published on the leader's
// Lease) says when the last sweep ran, and an exposure whose record says its rules were in place
// before that sweep began was seen matching by it.
import type { FirewallStatusRecord } from './firewall-status.ts';

export interface SweepRecord {
  /** When the last completed sweep began listing, and when it finished ('' before the first). */
  startedAt: string;
  completedAt: string;
  /** Sweeps that failed (GCE refused or rate-limited the list) since the last completed one. */
  missed: number;
}

/** After this many missed sweeps the recorded status is no longer vouched for (Unknown). */
export const MISSED_SWEEPS_UNTIL_UNKNOWN = 2;

export interface FirewallVerification {
  /** When the rules were last seen matching (undefined: not in place, or never checked). */
  verifiedAt?: string;
  /** The recorded True status can no longer be vouched for. */
  stale: boolean;
  sweep?: SweepRecord;
}

export function firewallVerification(
  status: FirewallStatusRecord | undefined,
  specHash: string,
  sweep: SweepRecord | undefined,
): FirewallVerification {
  const inPlace = status?.condition.status === 'True' && status.specHash === specHash;
  if (!inPlace) return { stale: false, ...(sweep && { sweep }) };
  const written = status.lastAttemptTime;
  // The pass that wrote the record compared the rules then; a sweep that began after checked again.
  const swept = sweep?.completedAt && (!written || Date.parse(written) <= Date.parse(sweep.startedAt));
  const verifiedAt = swept ? sweep.completedAt : written || undefined;
  return {
    ...(verifiedAt && { verifiedAt }),
    stale: (sweep?.missed ?? 0) >= MISSED_SWEEPS_UNTIL_UNKNOWN,
    ...(sweep && { sweep }),
  };
}

export function formatSweepRecord(record: SweepRecord): string {
  return JSON.stringify(record);
}

/** The record from its annotation; undefined when it is missing or unreadable. */
export function parseSweepRecord(text: string | undefined): SweepRecord | undefined {
  if (!text) return undefined;
  try {
    const parsed = JSON.parse(text) as Partial<SweepRecord>;
    if (typeof parsed.startedAt !== 'string' || typeof parsed.completedAt !== 'string') return undefined;
    return {
      startedAt: parsed.startedAt,
      completedAt: parsed.completedAt,
      missed: typeof parsed.missed === 'number' ? parsed.missed : 0,
    };
  } catch {
    return undefined;
  }
}
