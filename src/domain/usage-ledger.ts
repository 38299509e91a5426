// The usage ledger: the installation's counts per namespace, per subject and in total, as every
// replica sees them (the Kubernetes adapter keeps them in one ConfigMap), changed with a
// compare-and-swap the way Kubernetes' quota admission changes a ResourceQuota's status.
//
// Counts go up when a change is reserved, before anything is written, and down when it is released
// (a delete) or reverted (a write that failed after its reservation). A periodic recount from the
// Services themselves, as the quota controller does, repairs what a crash left behind. A change is
// also remembered as pending for a while, because the Service it wrote may not yet be in the
// recounting replica's cache: a recount takes a pending change over the cache's older copy.
import {
  addUsage,
  exceededLimit,
  isNoUsage,
  type LimitExceeded,
  NO_USAGE,
  subtractUsage,
  USAGE_RESOURCES,
  type Usage,
  type UsageHolders,
  type UsageLimits,
  type UsageTotals,
} from './usage.ts';

/** A change written (or about to be) that a replica's cache may not show yet. */
export interface PendingUsage {
  namespace: string;
  subject: string;
  /** What the exposure holds after the change (nothing once deleted). */
  usage: Usage;
  /** The spec generation after the change. */
  generation: number;
  deleted?: true;
  /** When the change was reserved (ms since the epoch). */
  atMs: number;
}

export interface LedgerState extends UsageTotals {
  namespaces: Record<string, Usage>;
  subjects: Record<string, Usage>;
  /** By exposure id; forgotten after a grace period, or once a recount sees the change. */
  pending: Record<string, PendingUsage>;
  /** When the counts were last recomputed from the Services (ISO 8601). */
  recountedAt?: string;
}

/** One exposure's usage before and after a write to it. */
export interface UsageChange {
  id: string;
  namespace: string;
  subject: string;
  before: Usage;
  after: Usage;
  /** The spec generation after the change. */
  generation: number;
  /** The exposure is being deleted: what it held is released. */
  deleted?: boolean;
}

/** An exposure as a recount sees it in the cache. */
export interface CountedExposure {
  id: string;
  namespace: string;
  subject: string;
  usage: Usage;
  generation: number;
  /** Being deleted: released already, so not counted. */
  terminating: boolean;
}

export const EMPTY_LEDGER: LedgerState = Object.freeze({
  namespaces: {},
  subjects: {},
  installation: NO_USAGE,
  pending: {},
}) as LedgerState;

export type ReserveOutcome = { ok: true; state: LedgerState } | { ok: false; exceeded: LimitExceeded };

/** Counts the change in, unless it would break a limit. */
export function reserve(
  state: LedgerState,
  change: UsageChange,
  limits: UsageLimits,
  installation: string,
  nowMs: number,
): ReserveOutcome {
  const holders: UsageHolders = { namespace: change.namespace, subject: change.subject, installation };
  const exceeded = exceededLimit(state, holders, difference(change.after, change.before), limits);
  if (exceeded) return { ok: false, exceeded };
  return { ok: true, state: applyChange(state, change, nowMs) };
}

/** Counts the change in without checking limits (a release never needs room). */
export function applyChange(state: LedgerState, change: UsageChange, nowMs: number): LedgerState {
  const next = shift(state, change, change.before, change.after);
  next.pending[change.id] = {
    namespace: change.namespace,
    subject: change.subject,
    usage: change.deleted ? NO_USAGE : change.after,
    generation: change.generation,
    ...(change.deleted && { deleted: true as const }),
    atMs: nowMs,
  };
  return next;
}

/** Takes back a reserved change whose write failed. */
export function revertChange(state: LedgerState, change: UsageChange): LedgerState {
  const next = shift(state, change, change.after, change.before);
  delete next.pending[change.id];
  return next;
}

/** Forgets pending changes older than the grace period: every cache shows them by then. */
export function prunePending(state: LedgerState, nowMs: number, graceMs: number): LedgerState {
  const stale = Object.entries(state.pending).filter(([, entry]) => nowMs - entry.atMs > graceMs);
  if (stale.length === 0) return state;
  const pending = { ...state.pending };
  for (const [id] of stale) delete pending[id];
  return { ...state, pending };
}

/**
 * The counts recomputed from the exposures in a cache, taking over what the ledger knows to be
 * newer: a young pending change the cache does not show yet (a create or change not yet delivered,
 * a delete whose Service still looks alive).
 */
export function recount(
  exposures: Iterable<CountedExposure>,
  previous: LedgerState,
  nowMs: number,
  graceMs: number,
): LedgerState {
  const { pending } = prunePending(previous, nowMs, graceMs);
  const keep: Record<string, PendingUsage> = {};
  const counted: { namespace: string; subject: string; usage: Usage }[] = [];
  const seen = new Set<string>();
  for (const exposure of exposures) {
    seen.add(exposure.id);
    const newer = pending[exposure.id];
    if (newer && (newer.deleted || newer.generation > exposure.generation)) {
      keep[exposure.id] = newer;
      counted.push(newer);
      continue;
    }
    if (!exposure.terminating) counted.push(exposure);
  }
  for (const [id, entry] of Object.entries(pending)) {
    if (seen.has(id)) continue;
    // Not in the cache yet (a create not yet delivered), or gone already (a delete): the entry
    // says which. Either way it stays until the grace period ends.
    keep[id] = entry;
    counted.push(entry);
  }
  const next: LedgerState = { namespaces: {}, subjects: {}, installation: NO_USAGE, pending: keep };
  for (const entry of counted) {
    if (isNoUsage(entry.usage)) continue;
    next.namespaces[entry.namespace] = addUsage(next.namespaces[entry.namespace] ?? NO_USAGE, entry.usage);
    next.subjects[entry.subject] = addUsage(next.subjects[entry.subject] ?? NO_USAGE, entry.usage);
    next.installation = addUsage(next.installation, entry.usage);
  }
  next.recountedAt = new Date(nowMs).toISOString();
  return next;
}

/** The ledger as stored: JSON, read back defensively (a person may have edited it). */
export function serializeLedger(state: LedgerState): string {
  return JSON.stringify(state);
}

export function parseLedger(text: string): LedgerState | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(parsed)) return undefined;
  const namespaces = usageMap(parsed.namespaces);
  const subjects = usageMap(parsed.subjects);
  const installation = usageOf(parsed.installation);
  const pending = pendingMap(parsed.pending);
  if (!namespaces || !subjects || !installation || !pending) return undefined;
  return {
    namespaces,
    subjects,
    installation,
    pending,
    ...(typeof parsed.recountedAt === 'string' && { recountedAt: parsed.recountedAt }),
  };
}

// --- internals --------------------------------------------------------------------------------

/** `after - before`: negative where the change holds less. */
function difference(after: Usage, before: Usage): Usage {
  return {
    exposures: after.exposures - before.exposures,
    nodePorts: after.nodePorts - before.nodePorts,
    firewallRules: after.firewallRules - before.firewallRules,
  };
}

/** Moves the holders' counts from `from` to `to`. */
function shift(
  state: LedgerState,
  holders: { namespace: string; subject: string },
  from: Usage,
  to: Usage,
): LedgerState {
  const move = (current: Usage) => addUsage(subtractUsage(current, from), to);
  const next: LedgerState = {
    ...state,
    namespaces: { ...state.namespaces },
    subjects: { ...state.subjects },
    installation: move(state.installation),
    pending: { ...state.pending },
  };
  setOrDrop(next.namespaces, holders.namespace, move(state.namespaces[holders.namespace] ?? NO_USAGE));
  setOrDrop(next.subjects, holders.subject, move(state.subjects[holders.subject] ?? NO_USAGE));
  return next;
}

/** Holders with nothing counted are left out, so the stored ledger holds only who uses something. */
function setOrDrop(map: Record<string, Usage>, key: string, usage: Usage): void {
  if (isNoUsage(usage)) delete map[key];
  else map[key] = usage;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function usageOf(value: unknown): Usage | undefined {
  if (!isRecord(value)) return undefined;
  const usage = { ...NO_USAGE };
  for (const resource of USAGE_RESOURCES) {
    const figure = value[resource] ?? 0;
    if (typeof figure !== 'number' || !Number.isInteger(figure) || figure < 0) return undefined;
    usage[resource] = figure;
  }
  return usage;
}

function usageMap(value: unknown): Record<string, Usage> | undefined {
  if (!isRecord(value)) return undefined;
  const map: Record<string, Usage> = {};
  for (const [key, entry] of Object.entries(value)) {
    const usage = usageOf(entry);
    if (!usage) return undefined;
    map[key] = usage;
  }
  return map;
}

function pendingMap(value: unknown): Record<string, PendingUsage> | undefined {
  if (value === undefined) return {};
  if (!isRecord(value)) return undefined;
  const map: Record<string, PendingUsage> = {};
  for (const [id, entry] of Object.entries(value)) {
    if (!isRecord(entry)) return undefined;
    const usage = usageOf(entry.usage);
    const { namespace, subject, generation, atMs } = entry;
    if (
      !usage ||
      typeof namespace !== 'string' ||
      typeof subject !== 'string' ||
      typeof generation !== 'number' ||
      typeof atMs !== 'number'
    ) {
      return undefined;
    }
    map[id] = {
      namespace,
      subject,
      usage,
      generation,
      atMs,
      ...(entry.deleted === true && { deleted: true }),
    };
  }
  return map;
}
