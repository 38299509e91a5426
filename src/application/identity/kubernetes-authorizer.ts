// Kubernetes authorization: one SubjectAccessReview per decision on the virtual resource
// exposures.exposure-api.io (verbs create, get, list, patch, delete) in the request's namespace,
// with the caller's user name and groups, as an aggregated API server asks. Teams grant access with
// ordinary Roles. Decisions are cached briefly (allowed and denied each with their own TTL) in a
// bounded cache, identical questions in flight share one review, and reviews go through a gate.
import { LRUCache } from 'lru-cache';
import { type AccessReviews, EXPOSURES_RESOURCE, type ResourceAttributes } from '../ports/access-reviews.ts';
import type { Authorizer, ExposureVerb, ImpersonationTarget } from '../ports/authorizer.ts';
import { type Principal, usernameOf } from '../principal.ts';
import { ExposureProblem } from '../problems.ts';
import type { UpstreamGate } from './upstream-gate.ts';

export interface KubernetesAuthorizationSettings {
  allowedTtlMs: number;
  deniedTtlMs: number;
  cacheEntries: number;
}

export class KubernetesAuthorizer implements Authorizer {
  readonly #reviews: AccessReviews;
  readonly #settings: KubernetesAuthorizationSettings;
  readonly #gate: UpstreamGate;
  readonly #decisions: LRUCache<string, boolean>;
  readonly #inFlight = new Map<string, Promise<boolean>>();
  /** The key prefix of each principal (user and groups), built once per principal object. */
  readonly #prefixes = new WeakMap<Principal, string>();

  constructor(reviews: AccessReviews, settings: KubernetesAuthorizationSettings, gate: UpstreamGate) {
    this.#reviews = reviews;
    this.#settings = settings;
    this.#gate = gate;
    this.#decisions = new LRUCache({ max: settings.cacheEntries });
  }

  allowed(principal: Principal, verb: ExposureVerb, namespace: string): boolean | Promise<boolean> {
    return this.#decide(principal, exposureQuestion(verb, namespace), {
      verb,
      namespace,
      ...EXPOSURES_RESOURCE,
    });
  }

  decidedNow(principal: Principal, verb: ExposureVerb, namespace: string): boolean | undefined {
    return this.#decisions.get(`${this.#prefixOf(principal)}${exposureQuestion(verb, namespace)}`);
  }

  async mayImpersonate(caller: Principal, target: ImpersonationTarget): Promise<boolean> {
    return this.#decide(caller, `impersonate\n${target.kind}\n${target.name}`, {
      verb: 'impersonate',
      group: '',
      resource: target.kind,
      name: target.name,
    });
  }

  staticNamespaces(): readonly string[] {
    return [];
  }

  #decide(
    principal: Principal,
    question: string,
    attributes: ResourceAttributes,
  ): boolean | Promise<boolean> {
    const key = `${this.#prefixOf(principal)}${question}`;
    const known = this.#decisions.get(key);
    if (known !== undefined) return known;
    const pending = this.#inFlight.get(key);
    if (pending) return pending;
    const review = this.#gate.run(() =>
      this.#reviews.reviewAccess({ user: usernameOf(principal), groups: principal.groups ?? [] }, attributes),
    );
    if (!review)
      return Promise.reject(unavailable('too many authorization checks at once; retry in a second'));
    const decision = review.then(
      (allowed) => {
        const ttl = allowed ? this.#settings.allowedTtlMs : this.#settings.deniedTtlMs;
        if (ttl > 0) this.#decisions.set(key, allowed, { ttl });
        return allowed;
      },
      (error: unknown) => {
        throw unavailable(`the authorization check failed: ${(error as Error).message}`);
      },
    );
    this.#inFlight.set(key, decision);
    const forget = () => this.#inFlight.delete(key);
    decision.then(forget, forget);
    return decision;
  }

  #prefixOf(principal: Principal): string {
    let prefix = this.#prefixes.get(principal);
    if (prefix === undefined) {
      prefix = `${usernameOf(principal)}\n${(principal.groups ?? []).join('\n')}\n\n`;
      this.#prefixes.set(principal, prefix);
    }
    return prefix;
  }
}

/** The part of a decision's cache key that names the question about exposures. */
function exposureQuestion(verb: ExposureVerb, namespace: string): string {
  return `${verb}\n${namespace}`;
}

function unavailable(detail: string): ExposureProblem {
  return new ExposureProblem('kubernetes-unavailable', detail);
}
