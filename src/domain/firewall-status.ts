// What the reconciler last observed of an exposure's firewall rules. It is written into an
// annotation of the Service (under the reconciler's own field manager) so that every replica
// serves the same status from its cache, and a restart loses nothing.
import type { DriftKind } from './drift-classification.ts';
import type { Condition } from './exposure-status.ts';

/** `Drifted`: a drift sweep found a rule changed out of band, and its repair is queued. */
export type FirewallState = 'Pending' | 'UpToDate' | 'Drifted' | 'Failed' | 'Deleting';

/**
 * What the answers show of the rules: the recorded state, or `Unknown` while the drift sweeps
 * fail and the record can no longer be vouched for.
 */
export type FirewallViewState = FirewallState | 'Unknown';

/** An out-of-band change found, or its repair: kept in the record, as Events expire (1 h). */
export interface FirewallIncident {
  at: string;
  rule: string;
  kind: DriftKind;
  message: string;
}

export interface FirewallStatusRecord {
  /** Hash of the accepted spec this observation belongs to; a newer spec makes it stale. */
  specHash: string;
  generation: number;
  state: FirewallState;
  /** The FirewallReady condition. */
  condition: Omit<Condition, 'type' | 'observedGeneration'>;
  /** Names of the rules that were in place and up to date at the time. */
  rules: string[];
  /** Whether the rules were ever up to date: drift after that is Degraded, not Provisioning. */
  everReady: boolean;
  /** Consecutive failed attempts (0 when the last attempt succeeded). */
  failures: number;
  lastAttemptTime: string;
  /** The last out-of-band change found, and the last repair of one. */
  lastDrift?: FirewallIncident;
  lastRepair?: FirewallIncident;
}

export function parseFirewallStatus(text: string | undefined): FirewallStatusRecord | undefined {
  if (!text) return undefined;
  try {
    const parsed = JSON.parse(text) as Partial<FirewallStatusRecord>;
    if (
      typeof parsed.specHash !== 'string' ||
      typeof parsed.state !== 'string' ||
      !isCondition(parsed.condition)
    )
      return undefined;
    return {
      specHash: parsed.specHash,
      generation: typeof parsed.generation === 'number' ? parsed.generation : 0,
      state: parsed.state,
      condition: parsed.condition,
      rules: ruleNames(parsed.rules),
      everReady: parsed.everReady === true,
      failures: typeof parsed.failures === 'number' ? parsed.failures : 0,
      lastAttemptTime: typeof parsed.lastAttemptTime === 'string' ? parsed.lastAttemptTime : '',
      ...(isIncident(parsed.lastDrift) && { lastDrift: parsed.lastDrift }),
      ...(isIncident(parsed.lastRepair) && { lastRepair: parsed.lastRepair }),
    };
  } catch {
    return undefined;
  }
}

/**
 * The rule names of a status, as parsed when they are all strings (a parsed array has exactly its
 * length; a filtered one keeps spare room, held as long as the record is cached).
 */
function ruleNames(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  if (value.every((name) => typeof name === 'string')) return value;
  return value.filter((name): name is string => typeof name === 'string').slice();
}

function isCondition(value: unknown): value is FirewallStatusRecord['condition'] {
  if (value === null || typeof value !== 'object') return false;
  const condition = value as Record<string, unknown>;
  return (
    (condition.status === 'True' || condition.status === 'False' || condition.status === 'Unknown') &&
    typeof condition.reason === 'string' &&
    typeof condition.message === 'string' &&
    typeof condition.lastTransitionTime === 'string'
  );
}

function isIncident(value: unknown): value is FirewallIncident {
  if (value === null || typeof value !== 'object') return false;
  const incident = value as Record<string, unknown>;
  return (
    typeof incident.at === 'string' &&
    typeof incident.rule === 'string' &&
    typeof incident.kind === 'string' &&
    typeof incident.message === 'string'
  );
}

/** Whether two records say the same thing (ignoring when they were written). */
export function sameFirewallStatus(a: FirewallStatusRecord | undefined, b: FirewallStatusRecord): boolean {
  if (!a) return false;
  return (
    a.specHash === b.specHash &&
    a.generation === b.generation &&
    a.state === b.state &&
    a.condition.status === b.condition.status &&
    a.condition.reason === b.condition.reason &&
    a.condition.message === b.condition.message &&
    a.everReady === b.everReady &&
    a.failures === b.failures &&
    a.rules.join(',') === b.rules.join(',') &&
    a.lastDrift?.at === b.lastDrift?.at &&
    a.lastRepair?.at === b.lastRepair?.at
  );
}
