// What a failed GCE call means for the exposure: the FirewallReady reason, a message that tells a
// person what to do, and whether retrying can help at all.

import type { FirewallRuleSpec } from '../domain/firewall-rule.ts';
import { gcloudCreateCommand, gcloudDeleteCommand, gcloudUpdateCommand } from '../domain/gcloud-command.ts';
import { FirewallError } from './ports/firewalls.ts';

export interface FirewallFailure {
  reason: string;
  message: string;
  /** True when only a person can fix it (retries continue, but slowly). */
  needsPerson: boolean;
  /** A lower bound for the next attempt, e.g. after a rate limit. */
  notBeforeMs?: number;
}

export type FirewallAction = 'create' | 'update' | 'delete';

const RATE_LIMIT_PAUSE_MS = 5_000;

export function describeFirewallFailure(
  error: unknown,
  action: FirewallAction,
  rule: FirewallRuleSpec,
  project: string,
): FirewallFailure {
  if (!(error instanceof FirewallError)) {
    return { reason: 'ReconcileError', message: `unexpected error: ${messageOf(error)}`, needsPerson: false };
  }
  const what = `${action} firewall rule ${rule.name} in project ${project}`;
  switch (error.kind) {
    case 'QuotaExceeded':
      return {
        reason: 'QuotaExceeded',
        message: `GCE refused to ${what}: ${error.message}. Delete unused firewall rules or ask for a higher FIREWALLS quota for project ${project}; exposure-api retries on its own.`,
        needsPerson: true,
      };
    case 'PermissionDenied': {
      const command =
        action === 'create'
          ? gcloudCreateCommand(rule, project)
          : action === 'update'
            ? gcloudUpdateCommand(rule, project)
            : gcloudDeleteCommand(rule.name, project);
      return {
        reason: 'PermissionDenied',
        message: `exposure-api may not ${what} (${error.message}). Either grant its service account compute.firewalls.* on project ${project}, or have a network administrator run: ${command}`,
        needsPerson: true,
      };
    }
    case 'Invalid':
      return {
        reason: 'InvalidRule',
        message: `GCE refused to ${what} as invalid: ${error.message}. Check the firewall settings of this installation.`,
        needsPerson: true,
      };
    case 'RateLimited':
      return {
        reason: 'RateLimited',
        message: `GCE rate-limited the request to ${what}; retrying with backoff`,
        needsPerson: false,
        notBeforeMs: RATE_LIMIT_PAUSE_MS,
      };
    default:
      return {
        reason: 'GceUnavailable',
        message: `could not ${what}: ${error.message}; retrying with backoff`,
        needsPerson: false,
      };
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
