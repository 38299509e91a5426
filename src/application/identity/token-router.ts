// Routes a bearer token to the one authenticator that can judge it, by what the token is, before
// any upstream call: a static token is a local hash lookup; a JWT goes by its (unverified) `iss`
// to the authenticator configured for that issuer; anything else is refused at once. Refusals are
// remembered briefly by token hash (a negative cache), so a token that failed is not sent
// upstream again while it is remembered. The result is synchronous whenever no upstream call is
// needed, which keeps the cached path cheap.
import { hash } from 'node:crypto';
import { decodeJwt } from 'jose';
import { LRUCache } from 'lru-cache';
import {
  type AuthenticationFailure,
  type AuthenticationResult,
  type Authenticator,
  type Identity,
  refused,
} from '../ports/authenticator.ts';
import type { Principal } from '../principal.ts';

export interface TokenRouterSettings {
  negativeCacheMs: number;
  negativeCacheEntries: number;
}

export type RoutedAuthentication =
  | { ok: true; principal: Principal }
  | { ok: false; reason: AuthenticationFailure; detail: string };

/** Three base64url segments: the compact serialization of a JWS. */
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** Accepted tokens whose authenticator is remembered (each authenticator bounds its own cache too). */
const ROUTES_REMEMBERED = 10_000;

/** Failures that say nothing about the token itself, so they are not remembered against it. */
const TRANSIENT: ReadonlySet<AuthenticationFailure> = new Set(['busy', 'upstream-unavailable']);

export class TokenRouter {
  readonly #staticTokens: ReadonlyMap<string, Identity>;
  readonly #byIssuer: ReadonlyMap<string, Authenticator>;
  readonly #namespacesOf: (identity: Identity) => readonly string[];
  readonly #refusals: LRUCache<string, RoutedAuthentication & { ok: false }>;
  /** One answer per identity object, so that a cached identity costs no allocation per request. */
  readonly #answers = new WeakMap<Identity, RoutedAuthentication>();
  /** Which authenticator accepted a token (by hash): a cached token is not decoded again to be routed. */
  readonly #routes: LRUCache<string, Authenticator>;

  constructor(options: {
    staticTokens: ReadonlyMap<string, Identity>;
    issuers: ReadonlyMap<string, Authenticator>;
    namespacesOf: (identity: Identity) => readonly string[];
    settings: TokenRouterSettings;
  }) {
    this.#staticTokens = options.staticTokens;
    this.#byIssuer = options.issuers;
    this.#namespacesOf = options.namespacesOf;
    this.#refusals = new LRUCache({
      max: options.settings.negativeCacheEntries,
      ttl: Math.max(1, options.settings.negativeCacheMs),
    });
    this.#routes = new LRUCache({ max: ROUTES_REMEMBERED });
  }

  /** The issuers tokens are routed to. */
  get issuers(): readonly string[] {
    return [...this.#byIssuer.keys()];
  }

  authenticate(token: string): RoutedAuthentication | Promise<RoutedAuthentication> {
    const tokenHash = hash('sha256', token, 'hex');
    const known = this.#knownNow(tokenHash);
    if (known) return known;
    const routed = this.#route(token);
    if ('reason' in routed) return this.#refused(tokenHash, routed);
    return routed.authenticate(token, tokenHash).then(
      (result) => {
        if (result.ok) this.#routes.set(tokenHash, routed);
        return this.#outcome(tokenHash, result);
      },
      () => this.#outcome(tokenHash, refused('upstream-unavailable', 'the token could not be verified now')),
    );
  }

  /**
   * What `authenticate` answers for a token when that needs no verification now: a static token,
   * a refusal remembered, or a verification cached. Undefined otherwise; nothing is started.
   */
  knownNow(token: string): RoutedAuthentication | undefined {
    return this.#knownNow(hash('sha256', token, 'hex'));
  }

  #knownNow(tokenHash: string): RoutedAuthentication | undefined {
    const known = this.#staticTokens.get(tokenHash);
    if (known) return this.#accepted(known);
    const remembered = this.#refusals.get(tokenHash);
    if (remembered) return remembered;
    const cached = this.#routes.get(tokenHash)?.cached(tokenHash);
    return cached && this.#outcome(tokenHash, cached);
  }

  #route(token: string): Authenticator | { reason: AuthenticationFailure; detail: string } {
    if (!JWT_SHAPE.test(token)) return { reason: 'unknown-token', detail: 'the bearer token is not valid' };
    let issuer: unknown;
    try {
      issuer = decodeJwt(token).iss;
    } catch {
      return { reason: 'invalid-token', detail: 'the bearer token is not a readable JWT' };
    }
    const authenticator = typeof issuer === 'string' ? this.#byIssuer.get(issuer) : undefined;
    if (!authenticator)
      return {
        reason: 'unknown-issuer',
        detail: 'the token was issued by an issuer this installation does not trust',
      };
    return authenticator;
  }

  #outcome(tokenHash: string, result: AuthenticationResult): RoutedAuthentication {
    return result.ok ? this.#accepted(result.identity) : this.#refused(tokenHash, result);
  }

  #accepted(identity: Identity): RoutedAuthentication {
    let answer = this.#answers.get(identity);
    if (!answer) {
      const principal: Principal = {
        subject: identity.subject,
        namespaces: identity.namespaces ?? this.#namespacesOf(identity),
        groups: identity.groups,
        username: identity.username,
        authenticatedBy: identity.authenticatedBy,
      };
      answer = { ok: true, principal };
      this.#answers.set(identity, answer);
    }
    return answer;
  }

  #refused(
    tokenHash: string,
    failure: { reason: AuthenticationFailure; detail: string },
  ): RoutedAuthentication {
    const result = { ok: false as const, reason: failure.reason, detail: failure.detail };
    if (!TRANSIENT.has(failure.reason)) this.#refusals.set(tokenHash, result);
    return result;
  }
}
