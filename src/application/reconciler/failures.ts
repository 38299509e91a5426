// What a failed step means for the exposure: the FirewallReady reason, a message that tells a
// person what to do, and whether retrying can help at all.
import type { FirewallRuleSpec } from '../../domain/firewall-rule.ts';
import {
  gcloudCreateCommand,
  gcloudDeleteCommand,
  gcloudUpdateCommand,
} from '../../domain/gcloud-command.ts';
import { FirewallError } from '../ports/firewalls.ts';

export interface FirewallFailure {
  reason: string;
  message: string;
  /** True when only a person can fix it (retries continue, but slowly). */
  needsPerson: boolean;
  /** A lower bound for the next attempt, e.g. after a rate limit. */
  notBeforeMs?: number;
}

export type FirewallAction = 'create' | 'update' | 'delete';

/** A GCE call of a step failed; `cause` is what the Firewalls port threw. */
export class StepFailure extends Error {
  readonly action: FirewallAction;
  readonly rule: FirewallRuleSpec;
  constructor(action: FirewallAction, rule: FirewallRuleSpec, cause: unknown) {
    super(`${action} ${rule.name} failed`, { cause });
    this.action = action;
    this.rule = rule;
  }
}

/** A rule of the exposure's name exists but its description does not name the exposure. */
export class RuleNameTaken extends Error {
  readonly rule: FirewallRuleSpec;
  constructor(rule: FirewallRuleSpec) {
    super(`rule ${rule.name} exists but is not owned by this exposure`);
    this.rule = rule;
  }
}

const RATE_LIMIT_PAUSE_MS = 5_000;

/** Classifies whatever a step threw; `project` is the one that holds the rules. */
export function classifyFailure(error: unknown, project: string): FirewallFailure {
  if (error instanceof RuleNameTaken) {
    return {
      reason: 'RuleNameTaken',
      message: `a firewall rule named ${error.rule.name} exists in project ${project} but its description does not name this exposure, so exposure-api will not adopt it; delete it (${gcloudDeleteCommand(error.rule.name, project)}) or delete this exposure`,
      needsPerson: true,
    };
  }
  if (error instanceof StepFailure)
    return describeFirewallFailure(error.cause, error.action, error.rule, project);
  return {
    reason: 'ReconcileError',
    message: error instanceof Error ? error.message : String(error),
    needsPerson: false,
  };
}

function describeFirewallFailure(
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
