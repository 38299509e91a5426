// The `firewall` part of an answer: the rules the exposure needs, and what the reconciler and the
// drift sweeps last saw of them in GCE.
import {
  type FirewallSettings,
  ipFamilyOfRuleName,
  recordFirewallRules,
} from '../domain/desired-firewall.ts';
import { type ExposureRecord, isTerminating } from '../domain/exposure-record.ts';
import type { FirewallVerification } from '../domain/firewall-verification.ts';
import type { FirewallView } from '../schemas/exposure.ts';

/**
 * The `rules` part of the view, by record version and settings. A record is replaced, never
 * changed, so its rules stay what they were; building them parses every source range, which was
 * a tenth of a 500-item list page on a large installation.
 */
const rulesByRecord = new WeakMap<FirewallSettings, WeakMap<ExposureRecord, FirewallView['rules']>>();

function ruleViews(record: ExposureRecord, settings: FirewallSettings): FirewallView['rules'] {
  let bySettings = rulesByRecord.get(settings);
  if (!bySettings) {
    bySettings = new WeakMap();
    rulesByRecord.set(settings, bySettings);
  }
  let rules = bySettings.get(record);
  if (!rules) {
    rules = recordFirewallRules(record, settings).map((rule) => ({
      name: rule.name,
      ipFamily: ipFamilyOfRuleName(rule.name),
      sourceRanges: rule.sourceRanges,
      // Copied to its length: a flatMap result keeps spare room, and these are kept per record.
      allowed: rule.allowed
        .flatMap((entry) => entry.ports.map((port) => `${entry.protocol}:${port}`))
        .slice(),
    }));
    bySettings.set(record, rules);
  }
  return rules;
}

export function firewallView(
  record: ExposureRecord,
  settings: FirewallSettings,
  verification: FirewallVerification | undefined,
): FirewallView {
  const status = record.firewallStatus;
  const upToDate = status !== undefined && status.specHash === record.specHash;
  const state = isTerminating(record)
    ? 'Deleting'
    : !upToDate
      ? 'Pending'
      : verification?.stale
        ? 'Unknown'
        : status.state;
  return {
    project: settings.project,
    network: settings.network,
    priority: settings.priority,
    ...('targetTags' in settings.targets
      ? { targetTags: [...settings.targets.targetTags] }
      : { targetServiceAccounts: [...settings.targets.targetServiceAccounts] }),
    rules: ruleViews(record, settings),
    state,
    ...(verification?.verifiedAt && { verifiedAt: verification.verifiedAt }),
    ...(status?.lastDrift && { lastDrift: status.lastDrift }),
    ...(status?.lastRepair && { lastRepair: status.lastRepair }),
  };
}
