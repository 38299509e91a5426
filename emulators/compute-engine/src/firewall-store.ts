// The emulator's firewall rules, per project, kept in memory. Listing walks names in order, the
// order the API lists in, so page tokens can simply name the last rule of a page.

import type { FirewallRule } from './firewall-resource.ts';

export class FirewallStore {
  readonly #projects = new Map<string, Map<string, FirewallRule>>();
  /** Sorted names per project, rebuilt lazily after a write so list pages stay cheap. */
  readonly #sortedNames = new Map<string, string[]>();

  get(project: string, name: string): FirewallRule | undefined {
    return this.#projects.get(project)?.get(name);
  }

  put(project: string, rule: FirewallRule): void {
    let rules = this.#projects.get(project);
    if (!rules) {
      rules = new Map();
      this.#projects.set(project, rules);
    }
    if (!rules.has(rule.name)) this.#sortedNames.delete(project);
    rules.set(rule.name, rule);
  }

  delete(project: string, name: string): boolean {
    const deleted = this.#projects.get(project)?.delete(name) ?? false;
    if (deleted) this.#sortedNames.delete(project);
    return deleted;
  }

  count(project: string): number {
    return this.#projects.get(project)?.size ?? 0;
  }

  /** Rules of the project in name order, starting after `afterName` when given. */
  *inOrder(project: string, afterName?: string): Generator<FirewallRule> {
    const rules = this.#projects.get(project);
    if (!rules) return;
    let names = this.#sortedNames.get(project);
    if (!names) {
      names = [...rules.keys()].sort();
      this.#sortedNames.set(project, names);
    }
    const start = afterName === undefined ? 0 : firstIndexAfter(names, afterName);
    for (let index = start; index < names.length; index++) {
      const rule = rules.get(names[index] ?? '');
      if (rule) yield rule;
    }
  }
}

/** Binary search: the index of the first name greater than `name`. */
function firstIndexAfter(sortedNames: string[], name: string): number {
  let low = 0;
  let high = sortedNames.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((sortedNames[middle] ?? '') <= name) low = middle + 1;
    else high = middle;
  }
  return low;
}
