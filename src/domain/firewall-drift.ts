// "Is this exposure's firewall up to date?", answered from a listing of the rules alone: the drift
// sweep compares every exposure with one list of its installation's rules, so an exposure that
// passes this check costs no call of its own.
import type { ExposureRecord } from './exposure-record.ts';
import { firewallNeedsUpdate } from './firewall-comparison.ts';
import type { FirewallRuleSpec, ObservedFirewallRule } from './firewall-rule.ts';

/**
 * True when the last pass recorded the rules UpToDate for the exposure's current spec and every
 * desired rule is among the listed rules, equal field by field. Anything else needs a pass: a rule
 * missing or edited out of band, a spec changed since, or a pass that failed.
 */
export function firewallUpToDate(
  record: Pick<ExposureRecord, 'specHash' | 'firewallStatus'>,
  desired: readonly FirewallRuleSpec[],
  listed: ReadonlyMap<string, ObservedFirewallRule>,
): boolean {
  return (
    record.firewallStatus?.state === 'UpToDate' &&
    record.firewallStatus.specHash === record.specHash &&
    desired.every((rule) => {
      const observed = listed.get(rule.name);
      return observed !== undefined && !firewallNeedsUpdate(rule, observed);
    })
  );
}
