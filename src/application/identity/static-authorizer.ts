// Static authorization: the namespaces of a static token's grant, or those configured per subject
// and per group for callers of the other authenticators; impersonation only as configured.
import type { Authorizer, ExposureVerb, ImpersonationTarget } from '../ports/authorizer.ts';
import { mayUseNamespace, type Principal } from '../principal.ts';

export interface StaticAuthorizationSettings {
  /** Namespaces per subject (`*` for all). */
  subjects: Readonly<Record<string, readonly string[]>>;
  /** Namespaces per group. */
  groups: Readonly<Record<string, readonly string[]>>;
  /** Who may impersonate whom: a subject or group, and the users and groups it may act as (`*` any; `prefix*` by prefix). */
  impersonators: readonly {
    subject?: string | undefined;
    group?: string | undefined;
    users: readonly string[];
    groups: readonly string[];
  }[];
}

export const NO_STATIC_GRANTS: StaticAuthorizationSettings = { subjects: {}, groups: {}, impersonators: [] };

export class StaticAuthorizer implements Authorizer {
  readonly #settings: StaticAuthorizationSettings;

  constructor(settings: StaticAuthorizationSettings = NO_STATIC_GRANTS) {
    this.#settings = settings;
  }

  allowed(principal: Principal, _verb: ExposureVerb, namespace: string): boolean {
    return mayUseNamespace(principal, namespace);
  }

  decidedNow(principal: Principal, verb: ExposureVerb, namespace: string): boolean {
    return this.allowed(principal, verb, namespace);
  }

  async mayImpersonate(caller: Principal, target: ImpersonationTarget): Promise<boolean> {
    const groups = caller.groups ?? [];
    return this.#settings.impersonators.some((rule) => {
      const applies =
        (rule.subject !== undefined && rule.subject === caller.subject) ||
        (rule.group !== undefined && groups.includes(rule.group));
      const names = target.kind === 'users' ? rule.users : rule.groups;
      return applies && names.some((name) => matches(name, target.name));
    });
  }

  staticNamespaces(identity: { subject: string; groups: readonly string[] }): readonly string[] {
    const namespaces = new Set(this.#settings.subjects[identity.subject] ?? []);
    for (const group of identity.groups)
      for (const ns of this.#settings.groups[group] ?? []) namespaces.add(ns);
    return [...namespaces];
  }
}

/** `*` matches any name, `prefix*` the names that start with the prefix, anything else itself. */
function matches(pattern: string, name: string): boolean {
  return pattern.endsWith('*') ? name.startsWith(pattern.slice(0, -1)) : pattern === name;
}
