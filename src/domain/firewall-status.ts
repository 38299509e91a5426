// What the reconciler last observed of an exposure's firewall rules. It is written into an
// annotation of the Service (under the reconciler's own field manager) so that every replica
// serves the same status from its cache, and a restart loses nothing.
import type { Condition } from './exposure-status.ts';

export type FirewallState = 'Pending' | 'UpToDate' | 'Failed' | 'Deleting';

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
      rules: Array.isArray(parsed.rules)
        ? parsed.rules.filter((r): r is string => typeof r === 'string')
        : [],
      everReady: parsed.everReady === true,
      failures: typeof parsed.failures === 'number' ? parsed.failures : 0,
      lastAttemptTime: typeof parsed.lastAttemptTime === 'string' ? parsed.lastAttemptTime : '',
    };
  } catch {
    return undefined;
  }
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
    a.rules.join(',') === b.rules.join(',')
  );
}
