// The steps that keep a live exposure's firewall as its spec says: create what is missing, repair
// what drifted, delete rules of IP families it no longer has — or, when the spec breaks today's
// policy, close the port until someone fixes it.
import { recordFirewallRules } from '../../domain/desired-firewall.ts';
import { classifyDrift } from '../../domain/drift-classification.ts';
import { type ExposureRecord, exposedPorts } from '../../domain/exposure-record.ts';
import { firewallDifferences, repairAction } from '../../domain/firewall-comparison.ts';
import type { FirewallRuleSpec } from '../../domain/firewall-rule.ts';
import { checkSourceRanges } from '../../domain/source-range-policy.ts';
import { FirewallError } from '../ports/firewalls.ts';
import { RuleNameTaken, StepFailure } from './failures.ts';
import type { RuleOutcome } from './reporting.ts';
import type { ReconcileResult } from './request.ts';
import { failStep, type StepContext } from './step-context.ts';

/** Creates or repairs the exposure's rules and removes rules of IP families it no longer has. */
export async function ensureRules(context: StepContext, record: ExposureRecord): Promise<ReconcileResult> {
  const problem = policyProblem(context, record);
  if (problem) return closeForPolicy(context, record, problem);
  const desired = recordFirewallRules(record, context.settings.firewall);
  const steps: RuleOutcome[] = [];
  try {
    for (const rule of desired) steps.push(await ensureRule(context, rule, record));
    // Rules of an IP family the exposure no longer has: the ones the last pass had in place, or
    // that a sweep found; looking each possible name up every time would double the reads.
    const wanted = new Set(desired.map((rule) => rule.name));
    const known = new Set([...(record.firewallStatus?.rules ?? []), ...context.unwanted.of(record.id)]);
    for (const name of known) {
      if (!wanted.has(name)) await context.rules.deleteIfOwned(name, record.id);
    }
    context.unwanted.forget(record.id);
  } catch (error) {
    return failStep(context, record, error);
  }
  await context.report.upToDate(record, steps);
  return { kind: 'done' };
}

/**
 * Why the stored spec may not be opened as it is, or undefined. The spec was checked when it was
 * accepted, but it lives in an annotation anyone with `kubectl edit` can change, and the policy
 * may have been tightened since: the rule must never be wider than the policy allows today.
 */
function policyProblem(context: StepContext, record: ExposureRecord): string | undefined {
  const ranges = checkSourceRanges(record.spec.sourceRanges, context.settings.spec.sourceRanges);
  if (ranges.violations.length > 0) return ranges.violations.map((v) => v.detail).join('; ');
  if (exposedPorts(record).length === 0) return 'none of the ports the exposure asked for is on the Service';
  return undefined;
}

async function ensureRule(
  context: StepContext,
  rule: FirewallRuleSpec,
  record: ExposureRecord,
  attempt = 1,
): Promise<RuleOutcome> {
  const { rules } = context;
  const observed = await rules.call('create', rule, () => rules.firewalls.get(rule.name));
  if (!observed) {
    try {
      await rules.firewalls.insert(rule);
    } catch (error) {
      // Another pass (or a crashed one) may have created it meanwhile: look once more.
      const raced = error instanceof FirewallError && error.kind === 'AlreadyExists' && attempt === 1;
      if (!raced) throw new StepFailure('create', rule, error);
      return ensureRule(context, rule, record, attempt + 1);
    }
    // The rules of an exposure that was once in place are gone: deleted out of band.
    if (!record.firewallStatus?.everReady) return { rule, step: 'created' };
    const drift = classifyDrift(rule, undefined);
    return { rule, step: 'repaired', ...(drift && { drift }) };
  }
  if (!rules.ownedBy(observed, record.id)) throw new RuleNameTaken(rule);
  const differences = firewallDifferences(rule, observed);
  const action = repairAction(differences, rule, observed);
  if (action === 'none') return { rule, step: 'unchanged' };
  const drift = classifyDrift(rule, observed);
  if (action === 'recreate') {
    // The port is closed between the delete and the insert; unavoidable, since GCE cannot move
    // a rule to another network or direction.
    await rules.call('delete', rule, () => rules.firewalls.delete(rule.name));
    await rules.call('create', rule, () => rules.firewalls.insert(rule));
  } else if (action === 'update') {
    await rules.call('update', rule, () => rules.firewalls.update(rule));
  } else {
    const changes: Partial<FirewallRuleSpec> = {};
    for (const field of differences) {
      if (field in rule) Object.assign(changes, { [field]: rule[field as keyof FirewallRuleSpec] });
    }
    await rules.call('update', rule, () => rules.firewalls.patch(rule.name, changes));
  }
  // A rule that matched the spec at the last pass (or that a sweep found drifted) and differs now
  // was edited out of band.
  const state = record.firewallStatus?.state;
  const specUnchanged =
    record.firewallStatus?.specHash === record.specHash && (state === 'UpToDate' || state === 'Drifted');
  return specUnchanged ? { rule, step: 'repaired', ...(drift && { drift }) } : { rule, step: 'updated' };
}

/** A spec that breaks today's policy: its rules are removed (the port closes) until it is fixed. */
async function closeForPolicy(
  context: StepContext,
  record: ExposureRecord,
  problem: string,
): Promise<ReconcileResult> {
  try {
    await context.rules.deleteAll(record.id);
  } catch (error) {
    return failStep(context, record, error);
  }
  await context.report.policyViolation(record, problem);
  return { kind: 'needsPerson', recheckAfterMs: context.settings.needsPersonRecheckMs };
}
