// The reconciler's access to GCE firewall rules, with the ownership rule built in: a rule is
// deleted only when its description proves it belongs to the exposure, and every call that fails
// is reported as the step (create, update, delete) it was part of.
import type { ExposureId } from '../../domain/exposure-id.ts';
import { isOwnedBy } from '../../domain/firewall-ownership.ts';
import type { FirewallRuleSpec, ObservedFirewallRule } from '../../domain/firewall-rule.ts';
import { firewallRuleName, firewallRulePrefix } from '../../domain/naming.ts';
import type { Firewalls } from '../ports/firewalls.ts';
import type { Logger } from '../ports/log.ts';
import { type FirewallAction, StepFailure } from './failures.ts';

/** GCE's largest page. */
const PAGE_SIZE = 500;

export class OwnedRules {
  readonly firewalls: Firewalls;
  readonly #clusterId: string;
  readonly #log: Logger;

  constructor(firewalls: Firewalls, clusterId: string, log: Logger) {
    this.firewalls = firewalls;
    this.#clusterId = clusterId;
    this.#log = log;
  }

  /** The project that holds the rules (for messages and gcloud commands). */
  get project(): string {
    return this.firewalls.project;
  }

  /** Every name a rule of the exposure can have (one per IP family). */
  namesOf(id: ExposureId): string[] {
    return [firewallRuleName(this.#clusterId, id, 'IPv4'), firewallRuleName(this.#clusterId, id, 'IPv6')];
  }

  /** Whether the rule's description names this installation and the exposure. */
  ownedBy(rule: Pick<ObservedFirewallRule, 'description'>, id: ExposureId): boolean {
    return isOwnedBy(rule.description, this.#clusterId, id);
  }

  /** Every page of this installation's rules: one list call each. */
  pages(): AsyncGenerator<readonly ObservedFirewallRule[]> {
    return installationRulePages(this.firewalls, this.#clusterId);
  }

  /** Deletes every rule of the exposure that proves it is the exposure's. */
  async deleteAll(id: ExposureId): Promise<void> {
    for (const name of this.namesOf(id)) await this.deleteIfOwned(name, id);
  }

  /** Deletes the rule if it exists and its description names the exposure; leaves it otherwise. */
  async deleteIfOwned(name: string, id: ExposureId): Promise<void> {
    const placeholder = placeholderRule(name);
    const observed = await this.call('delete', placeholder, () => this.firewalls.get(name));
    if (!observed) return;
    // Never touch a rule that does not prove, in its description, that it is ours.
    if (!this.ownedBy(observed, id)) {
      this.#log.warn(
        { rule: name, exposure: id },
        'not deleting a firewall rule that this exposure does not own',
      );
      return;
    }
    await this.call('delete', placeholder, () => this.firewalls.delete(name));
    this.#log.info({ rule: name, exposure: id }, 'firewall rule deleted');
  }

  /** Runs one GCE call of a step; a failure is thrown as a StepFailure of that step. */
  async call<T>(action: FirewallAction, rule: FirewallRuleSpec, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw new StepFailure(action, rule, error);
    }
  }
}

/** Every page of an installation's rules (their names carry its prefix): one list call each. */
export async function* installationRulePages(
  firewalls: Firewalls,
  clusterId: string,
): AsyncGenerator<readonly ObservedFirewallRule[]> {
  const namePrefix = firewallRulePrefix(clusterId);
  let pageToken: string | undefined;
  do {
    const page = await firewalls.listPage({
      namePrefix,
      maxResults: PAGE_SIZE,
      comparedFieldsOnly: true,
      ...(pageToken !== undefined && { pageToken }),
    });
    yield page.rules;
    pageToken = page.nextPageToken;
  } while (pageToken);
}

/** A rule known by its name only, for failures of deletes whose rule was never read. */
function placeholderRule(name: string): FirewallRuleSpec {
  return {
    name,
    description: '',
    network: '',
    priority: 0,
    direction: 'INGRESS',
    sourceRanges: [],
    allowed: [],
    targetTags: [],
    targetServiceAccounts: [],
    disabled: false,
  };
}
