// The exact `gcloud` command an administrator can run to make a firewall change by hand, for when
// exposure-api is not allowed to (a shared-VPC host project), as the GCE cloud provider's
// LoadBalancerManualChange event does.
import type { FirewallRuleSpec } from './firewall-rule.ts';

export function gcloudCreateCommand(rule: FirewallRuleSpec, project: string): string {
  const network = rule.network.split('/').pop() ?? rule.network;
  const parts = [
    'gcloud compute firewall-rules create',
    rule.name,
    `--project=${project}`,
    `--network=${network}`,
    '--direction=INGRESS',
    `--priority=${rule.priority}`,
    `--allow=${rule.allowed.flatMap((entry) => entry.ports.map((port) => `${entry.protocol}:${port}`)).join(',')}`,
    `--source-ranges=${rule.sourceRanges.join(',')}`,
    targetsFlag(rule),
    `--description=${shellQuote(rule.description)}`,
  ];
  return parts.join(' ');
}

function targetsFlag(rule: FirewallRuleSpec): string {
  if (rule.targetTags.length > 0) return `--target-tags=${rule.targetTags.join(',')}`;
  if (rule.targetServiceAccounts.length > 0)
    return `--target-service-accounts=${rule.targetServiceAccounts.join(',')}`;
  // Never print a command that would open the ports on every VM of the network.
  throw new Error(`rule ${rule.name} has no targets`);
}

export function gcloudDeleteCommand(name: string, project: string): string {
  return `gcloud compute firewall-rules delete ${name} --project=${project}`;
}

function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

export function gcloudUpdateCommand(rule: FirewallRuleSpec, project: string): string {
  return [
    'gcloud compute firewall-rules update',
    rule.name,
    `--project=${project}`,
    `--allow=${rule.allowed.flatMap((entry) => entry.ports.map((port) => `${entry.protocol}:${port}`)).join(',')}`,
    `--source-ranges=${rule.sourceRanges.join(',')}`,
    `--priority=${rule.priority}`,
    targetsFlag(rule),
    '--no-disabled',
    `--description=${shellQuote(rule.description)}`,
  ].join(' ');
}
