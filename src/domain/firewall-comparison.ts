// "Does this rule need an update?" — compared field by field, as the GCE cloud provider's
// firewallNeedsUpdate does, so that drift is repaired with a patch of exactly what differs
// instead of a delete and re-create (which would briefly close the port).
import type { FirewallAllowed, FirewallRuleSpec, ObservedFirewallRule } from './firewall-rule.ts';

export type FirewallField =
  | Exclude<keyof FirewallRuleSpec, 'name'>
  /** Set by hand on the observed rule: exposure-api wants them empty. */
  | 'sourceTags'
  | 'sourceServiceAccounts'
  | 'destinationRanges'
  | 'denied';

export function firewallDifferences(
  desired: FirewallRuleSpec,
  observed: ObservedFirewallRule,
): FirewallField[] {
  const differences: FirewallField[] = [];
  if (desired.description !== observed.description) differences.push('description');
  if (desired.network !== observed.network) differences.push('network');
  if (desired.priority !== observed.priority) differences.push('priority');
  if (desired.direction !== observed.direction) differences.push('direction');
  if (!sameSet(desired.sourceRanges, observed.sourceRanges)) differences.push('sourceRanges');
  if (!sameAllowed(desired.allowed, observed.allowed)) differences.push('allowed');
  if (!sameSet(desired.targetTags, observed.targetTags)) differences.push('targetTags');
  if (!sameSet(desired.targetServiceAccounts, observed.targetServiceAccounts))
    differences.push('targetServiceAccounts');
  if (desired.disabled !== observed.disabled) differences.push('disabled');
  if ((observed.sourceTags ?? []).length > 0) differences.push('sourceTags');
  if ((observed.sourceServiceAccounts ?? []).length > 0) differences.push('sourceServiceAccounts');
  if ((observed.destinationRanges ?? []).length > 0) differences.push('destinationRanges');
  if ((observed.denied ?? []).length > 0) differences.push('denied');
  return differences;
}

export function firewallNeedsUpdate(desired: FirewallRuleSpec, observed: ObservedFirewallRule): boolean {
  return firewallDifferences(desired, observed).length > 0;
}

/**
 * How to repair a rule that differs: patch the differing fields in place; replace the whole rule
 * when switching between target tags and target service accounts (a patch cannot empty the list
 * being abandoned); or delete and re-create it when its network or direction differ, which GCE
 * cannot change on an existing rule.
 */
export type RepairAction = 'none' | 'patch' | 'update' | 'recreate';

export function repairAction(
  differences: readonly FirewallField[],
  desired: FirewallRuleSpec,
  observed: ObservedFirewallRule,
): RepairAction {
  if (differences.length === 0) return 'none';
  if (differences.includes('network') || differences.includes('direction')) return 'recreate';
  // A patch cannot empty a list, so what was added by hand goes with a whole-rule update.
  const addedByHand = ['sourceTags', 'sourceServiceAccounts', 'destinationRanges', 'denied'] as const;
  if (addedByHand.some((field) => differences.includes(field))) return 'update';
  const clearsTags = desired.targetTags.length === 0 && observed.targetTags.length > 0;
  const clearsAccounts =
    desired.targetServiceAccounts.length === 0 && observed.targetServiceAccounts.length > 0;
  return clearsTags || clearsAccounts ? 'update' : 'patch';
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...left].every((item) => right.has(item));
}

function sameAllowed(a: readonly FirewallAllowed[], b: ObservedFirewallRule['allowed']): boolean {
  return sameSet(a.flatMap(allowedKey), b.flatMap(allowedKey));
}

/** One `protocol:port` key per port or range, so order and grouping do not matter. */
function allowedKey(entry: { protocol: string; ports: readonly string[] }): string[] {
  const protocol = entry.protocol.toLowerCase();
  return entry.ports.length === 0 ? [`${protocol}:*`] : entry.ports.map((port) => `${protocol}:${port}`);
}
