// What an out-of-band change did to a rule, in the terms that decide what to repair first:
// `widened` lets in traffic the spec does not (a security incident: repaired before anything
// else), `narrowed` or `deleted` shuts out traffic the spec allows (an outage: repaired next),
// `edited` changed something that lets in neither more nor less (a description). A change that
// both widens and narrows (other target tags) counts as widened: exposure before closure.
//
// Each difference is also told in plain words, for the exposure's status and its events.
import { type Cidr, cidrContains, parseCidr } from './cidr.ts';
import type { FirewallRuleSpec, ObservedFirewallRule } from './firewall-rule.ts';

export type DriftKind = 'deleted' | 'widened' | 'narrowed' | 'edited';

export const DRIFT_KINDS: readonly DriftKind[] = ['deleted', 'widened', 'narrowed', 'edited'];

export interface DriftFinding {
  kind: DriftKind;
  /** What changed, e.g. `source ranges widened out of band to 0.0.0.0/0`, joined by `; `. */
  description: string;
}

interface Change {
  effect: 'widens' | 'narrows' | 'neutral';
  words: string;
}

/**
 * Classifies the difference between the desired rule and what GCE holds (`undefined`: no rule of
 * that name); `undefined` when they do not differ.
 */
export function classifyDrift(
  desired: FirewallRuleSpec,
  observed: ObservedFirewallRule | undefined,
): DriftFinding | undefined {
  if (!observed) return { kind: 'deleted', description: 'deleted out of band' };
  const changes = [
    ...sourceRangeChanges(desired, observed),
    ...portChanges(desired, observed),
    ...targetChanges(desired, observed),
    ...otherSourceChanges(observed),
    ...settingChanges(desired, observed),
  ];
  if (changes.length === 0) return undefined;
  const kind: DriftKind = changes.some((c) => c.effect === 'widens')
    ? 'widened'
    : changes.some((c) => c.effect === 'narrows')
      ? 'narrowed'
      : 'edited';
  return { kind, description: changes.map((c) => c.words).join('; ') };
}

function sourceRangeChanges(desired: FirewallRuleSpec, observed: ObservedFirewallRule): Change[] {
  const wanted = parsed(desired.sourceRanges);
  const held = parsed(observed.sourceRanges);
  // A range GCE holds that no desired range contains lets in more; a desired range that the held
  // ones no longer cover shuts someone out.
  const wider = held.some((range) => !range || !wanted.some((w) => w && cidrContains(w, range)));
  const narrower = wanted.some((range) => range && !held.some((h) => h && cidrContains(h, range)));
  const list = observed.sourceRanges.length > 0 ? observed.sourceRanges.join(', ') : 'none';
  if (wider) return [{ effect: 'widens', words: `source ranges widened out of band to ${list}` }];
  if (narrower) return [{ effect: 'narrows', words: `source ranges narrowed out of band to ${list}` }];
  return [];
}

function portChanges(desired: FirewallRuleSpec, observed: ObservedFirewallRule): Change[] {
  const wanted = new Set(desired.allowed.flatMap((e) => e.ports.map((p) => `${e.protocol}:${p}`)));
  const held = observed.allowed.flatMap((entry) => expand(entry.protocol.toLowerCase(), entry.ports));
  const heldKeys = new Set(held);
  const list = describePorts(observed.allowed);
  if (held.some((key) => !wanted.has(key)))
    return [{ effect: 'widens', words: `allowed ports widened out of band to ${list}` }];
  if ([...wanted].some((key) => !heldKeys.has(key)))
    return [{ effect: 'narrows', words: `allowed ports narrowed out of band to ${list}` }];
  return [];
}

function targetChanges(desired: FirewallRuleSpec, observed: ObservedFirewallRule): Change[] {
  if (observed.targetTags.length === 0 && observed.targetServiceAccounts.length === 0) {
    return [
      {
        effect: 'widens',
        words: 'targets removed out of band: the rule now applies to every instance in the network',
      },
    ];
  }
  const changes: Change[] = [];
  for (const [field, label] of [
    ['targetTags', 'target tags'],
    ['targetServiceAccounts', 'target service accounts'],
  ] as const) {
    const wanted = new Set(desired[field]);
    const held = new Set(observed[field]);
    const list = observed[field].length > 0 ? observed[field].join(', ') : 'none';
    if ([...held].some((t) => !wanted.has(t))) {
      changes.push({
        effect: 'widens',
        words: `${label} changed out of band to ${list}: the rule now applies to other instances`,
      });
    } else if ([...wanted].some((t) => !held.has(t))) {
      changes.push({ effect: 'narrows', words: `${label} narrowed out of band to ${list}` });
    }
  }
  return changes;
}

/** Source tags and service accounts admit traffic besides the source ranges: always wider. */
function otherSourceChanges(observed: ObservedFirewallRule): Change[] {
  const changes: Change[] = [];
  if ((observed.sourceTags ?? []).length > 0) {
    changes.push({
      effect: 'widens',
      words: `source tags added out of band: ${(observed.sourceTags ?? []).join(', ')}`,
    });
  }
  if ((observed.sourceServiceAccounts ?? []).length > 0) {
    changes.push({
      effect: 'widens',
      words: `source service accounts added out of band: ${(observed.sourceServiceAccounts ?? []).join(', ')}`,
    });
  }
  return changes;
}

function settingChanges(desired: FirewallRuleSpec, observed: ObservedFirewallRule): Change[] {
  const changes: Change[] = [];
  if (desired.network !== observed.network) {
    // The ports are now open on another network's instances (and closed on ours).
    changes.push({ effect: 'widens', words: `moved out of band to network ${observed.network}` });
  }
  if (observed.priority < desired.priority) {
    changes.push({
      effect: 'widens',
      words: `priority raised out of band from ${desired.priority} to ${observed.priority}: it now overrides more rules (deny rules among them)`,
    });
  } else if (observed.priority > desired.priority) {
    changes.push({
      effect: 'narrows',
      words: `priority lowered out of band from ${desired.priority} to ${observed.priority}: more rules now override it`,
    });
  }
  if (observed.direction !== desired.direction) {
    changes.push({ effect: 'narrows', words: `direction changed out of band to ${observed.direction}` });
  }
  if (observed.disabled && !desired.disabled) {
    changes.push({ effect: 'narrows', words: 'disabled out of band' });
  }
  if ((observed.denied ?? []).length > 0) {
    changes.push({
      effect: 'narrows',
      words: `turned into a deny rule out of band (${describePorts(observed.denied ?? [])})`,
    });
  }
  if ((observed.destinationRanges ?? []).length > 0) {
    changes.push({
      effect: 'narrows',
      words: `destination ranges added out of band: ${(observed.destinationRanges ?? []).join(', ')}`,
    });
  }
  if (observed.description !== desired.description) {
    changes.push({ effect: 'neutral', words: 'description edited out of band' });
  }
  return changes;
}

function parsed(ranges: readonly string[]): (Cidr | undefined)[] {
  return ranges.map((range) => {
    const result = parseCidr(range);
    return result.ok ? result.cidr : undefined;
  });
}

/**
 * `protocol:port` keys of an allowed entry, ranges expanded; a protocol without ports (or `all`)
 * is every port: a key no desired rule has.
 */
function expand(protocol: string, ports: readonly string[]): string[] {
  if (ports.length === 0 || (protocol !== 'tcp' && protocol !== 'udp')) return [`${protocol}:*`];
  return ports.flatMap((port) => {
    const [low, high] = port.split('-').map(Number);
    if (low === undefined || Number.isNaN(low)) return [`${protocol}:${port}`];
    const last = high === undefined || Number.isNaN(high) ? low : high;
    return Array.from({ length: Math.max(0, last - low) + 1 }, (_, i) => `${protocol}:${low + i}`);
  });
}

function describePorts(entries: readonly { protocol: string; ports: readonly string[] }[]): string {
  const keys = entries.flatMap((e) =>
    e.ports.length === 0
      ? [`${e.protocol.toLowerCase()} (every port)`]
      : e.ports.map((p) => `${e.protocol.toLowerCase()}:${p}`),
  );
  return keys.length > 0 ? keys.join(', ') : 'none';
}
