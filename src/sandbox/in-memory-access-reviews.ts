// TokenReview and SubjectAccessReview as kube-apiserver answers them, in memory: ServiceAccounts
// whose tokens are minted here (JWTs from the sandbox's service-account issuer, bound to their
// audiences), and RBAC bindings of rules to users, groups and ServiceAccounts. The AccessReviews
// contract suite holds it to the real apiserver's answers.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type {
  AccessReviewSubject,
  AccessReviews,
  ResourceAttributes,
  TokenReviewOutcome,
} from '../application/ports/access-reviews.ts';

export const SANDBOX_SERVICE_ACCOUNT_ISSUER = 'https://kubernetes.default.svc.cluster.local';

export interface RbacRule {
  apiGroups: readonly string[];
  resources: readonly string[];
  verbs: readonly string[];
  resourceNames?: readonly string[];
}

export type RbacSubject =
  | { kind: 'User'; name: string }
  | { kind: 'Group'; name: string }
  | { kind: 'ServiceAccount'; namespace: string; name: string };

export interface RbacBinding {
  /** Absent: a ClusterRoleBinding (every namespace, and cluster-scoped resources). */
  namespace?: string;
  subjects: readonly RbacSubject[];
  rules: readonly RbacRule[];
}

interface IssuedToken {
  namespace: string;
  name: string;
  audiences: readonly string[];
  expiresAt: number;
}

export class InMemoryAccessReviews implements AccessReviews {
  readonly issuer: string;
  readonly #serviceAccounts = new Set<string>();
  readonly #tokens = new Map<string, IssuedToken>();
  readonly #bindings = new Map<number, RbacBinding>();
  readonly #key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  readonly #now: () => number;
  #nextBinding = 1;
  /** Reviews answered, by kind (tests count upstream calls with it). */
  readonly calls = { tokenReviews: 0, subjectAccessReviews: 0 };

  constructor(options: { issuer?: string; now?: () => number } = {}) {
    this.issuer = options.issuer ?? SANDBOX_SERVICE_ACCOUNT_ISSUER;
    this.#now = options.now ?? Date.now;
  }

  createServiceAccount(namespace: string, name: string): void {
    this.#serviceAccounts.add(`${namespace}/${name}`);
  }

  deleteServiceAccount(namespace: string, name: string): void {
    this.#serviceAccounts.delete(`${namespace}/${name}`);
  }

  /** TokenRequest: a token bound to the ServiceAccount; without audiences, the apiserver's own (the issuer). */
  async mintToken(
    namespace: string,
    name: string,
    options: { audiences?: readonly string[]; expirationSeconds?: number } = {},
  ): Promise<string> {
    if (!this.#serviceAccounts.has(`${namespace}/${name}`)) {
      throw new Error(`serviceaccounts "${name}" not found in namespace ${namespace}`);
    }
    const audiences = options.audiences?.length ? [...options.audiences] : [this.issuer];
    const issuedAt = Math.floor(this.#now() / 1000);
    const expiresAt = issuedAt + (options.expirationSeconds ?? 3600);
    const token = await new SignJWT({
      'kubernetes.io': { namespace, serviceaccount: { name, uid: randomUUID() } },
    })
      .setProtectedHeader({ alg: 'ES256', kid: 'sandbox' })
      .setIssuer(this.issuer)
      .setSubject(`system:serviceaccount:${namespace}:${name}`)
      .setAudience(audiences)
      .setIssuedAt(issuedAt)
      .setNotBefore(issuedAt)
      .setExpirationTime(expiresAt)
      .setJti(randomUUID())
      .sign(this.#key);
    this.#tokens.set(token, { namespace, name, audiences, expiresAt: expiresAt * 1000 });
    return token;
  }

  /** Adds a binding; returns a function that removes it again. */
  bind(binding: RbacBinding): () => void {
    const id = this.#nextBinding++;
    this.#bindings.set(id, binding);
    return () => this.#bindings.delete(id);
  }

  async reviewToken(token: string, audiences: readonly string[]): Promise<TokenReviewOutcome> {
    this.calls.tokenReviews++;
    const issued = this.#tokens.get(token);
    if (
      !issued ||
      issued.expiresAt <= this.#now() ||
      !this.#serviceAccounts.has(`${issued.namespace}/${issued.name}`)
    ) {
      return { authenticated: false, audiences: [], error: 'invalid bearer token' };
    }
    const wanted = audiences.length > 0 ? audiences : [this.issuer];
    const matching = wanted.filter((audience) => issued.audiences.includes(audience));
    if (matching.length === 0) {
      return {
        authenticated: false,
        audiences: [],
        error: 'token audiences is invalid for the target audiences',
      };
    }
    return {
      authenticated: true,
      user: {
        username: `system:serviceaccount:${issued.namespace}:${issued.name}`,
        groups: [
          'system:serviceaccounts',
          `system:serviceaccounts:${issued.namespace}`,
          'system:authenticated',
        ],
      },
      audiences: matching,
    };
  }

  async reviewAccess(subject: AccessReviewSubject, attributes: ResourceAttributes): Promise<boolean> {
    this.calls.subjectAccessReviews++;
    if (subject.groups.includes('system:masters')) return true;
    for (const binding of this.#bindings.values()) {
      if (binding.namespace !== undefined && binding.namespace !== attributes.namespace) continue;
      if (!binding.subjects.some((candidate) => matchesSubject(candidate, subject))) continue;
      if (binding.rules.some((rule) => matchesRule(rule, attributes))) return true;
    }
    return false;
  }
}

function matchesSubject(candidate: RbacSubject, subject: AccessReviewSubject): boolean {
  switch (candidate.kind) {
    case 'User':
      return candidate.name === subject.user;
    case 'Group':
      return subject.groups.includes(candidate.name);
    case 'ServiceAccount':
      return subject.user === `system:serviceaccount:${candidate.namespace}:${candidate.name}`;
  }
}

function matchesRule(rule: RbacRule, attributes: ResourceAttributes): boolean {
  const has = (list: readonly string[], value: string) => list.includes('*') || list.includes(value);
  if (!has(rule.apiGroups, attributes.group) || !has(rule.resources, attributes.resource)) return false;
  if (!has(rule.verbs, attributes.verb)) return false;
  const names = rule.resourceNames ?? [];
  return names.length === 0 || (attributes.name !== undefined && names.includes(attributes.name));
}
