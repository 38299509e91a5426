// Kubernetes ServiceAccount tokens, verified by the apiserver through TokenReview with our
// audience. A token is accepted only when the review says authenticated AND lists our audience:
// an empty list means "valid for the apiserver", which a token meant for the apiserver is, and we
// are not the apiserver. Accepted results are cached by token hash for a short time, as the
// apiserver's webhook token authenticator caches, in a bounded cache; calls go through a gate.
import { LRUCache } from 'lru-cache';
import type { AccessReviews } from '../ports/access-reviews.ts';
import { type AuthenticationResult, type Authenticator, refused } from '../ports/authenticator.ts';
import type { UpstreamGate } from './upstream-gate.ts';

export interface ServiceAccountSettings {
  audience: string;
  cacheTtlMs: number;
  cacheEntries: number;
}

const SERVICE_ACCOUNT_PREFIX = 'system:serviceaccount:';

export class ServiceAccountAuthenticator implements Authenticator {
  readonly #reviews: AccessReviews;
  readonly #settings: ServiceAccountSettings;
  readonly #gate: UpstreamGate;
  readonly #accepted: LRUCache<string, AuthenticationResult>;

  constructor(reviews: AccessReviews, settings: ServiceAccountSettings, gate: UpstreamGate) {
    this.#reviews = reviews;
    this.#settings = settings;
    this.#gate = gate;
    this.#accepted = new LRUCache({ max: settings.cacheEntries, ttl: Math.max(1, settings.cacheTtlMs) });
  }

  cached(tokenHash: string): AuthenticationResult | undefined {
    return this.#accepted.get(tokenHash);
  }

  async authenticate(token: string, tokenHash: string): Promise<AuthenticationResult> {
    const { audience } = this.#settings;
    const review = this.#gate.run(() => this.#reviews.reviewToken(token, [audience]));
    if (!review) return refused('busy', 'too many tokens are being verified at once; retry in a second');
    let outcome: Awaited<typeof review>;
    try {
      outcome = await review;
    } catch {
      return refused('upstream-unavailable', 'the token could not be verified now (TokenReview failed)');
    }
    if (!outcome.authenticated || !outcome.user)
      return refused('rejected', 'the cluster does not accept this token');
    if (!outcome.audiences.includes(audience)) {
      return refused(
        'wrong-audience',
        `the token is not meant for this service: mint it with --audience ${audience}`,
      );
    }
    const { username, groups } = outcome.user;
    // The issuer routed here is the service-account issuer: anything else the apiserver knows is not ours to accept.
    if (!username.startsWith(SERVICE_ACCOUNT_PREFIX))
      return refused('rejected', 'the token is not a ServiceAccount token');
    const result: AuthenticationResult = {
      ok: true,
      identity: { subject: username, username, groups: [...groups], authenticatedBy: 'serviceaccount' },
    };
    this.#accepted.set(tokenHash, result);
    return result;
  }
}
