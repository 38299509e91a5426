// OIDC / JWT bearer tokens of one issuer, verified with jose: keys from the issuer's JWKS
// (discovered or given), refetched on an unknown kid at most once per refresh interval; `iss`,
// `aud`, `exp`, `nbf` and `iat` checked with a small skew; the algorithms pinned per issuer
// (asymmetric only, so neither `none` nor an HMAC token "signed" with a public key can pass).
// Mapped users and groups are prefixed `oidc:<issuer name>:`; a claim value that starts with
// `system:` is refused, and an `email` user name needs `email_verified`. Verified tokens are cached
// by hash until shortly before they expire.
import {
  createRemoteJWKSet,
  customFetch,
  errors,
  type FetchImplementation,
  type JWTPayload,
  type JWTVerifyGetKey,
  jwtVerify,
} from 'jose';
import { LRUCache } from 'lru-cache';
import {
  type AuthenticationResult,
  type Authenticator,
  refused,
} from '../../application/ports/authenticator.ts';

export interface JwtIssuer {
  name: string;
  url: string;
  audiences: readonly string[];
  discoveryUrl?: string | undefined;
  jwksUri?: string | undefined;
  algorithms: readonly string[];
  usernameClaim: string;
  groupsClaim: string;
}

export interface JwtAuthenticatorSettings {
  clockSkewSeconds: number;
  /** An unknown kid refetches the JWKS at most once per this interval. */
  jwksRefreshMs: number;
  cacheEntries: number;
  /** Fetch used for discovery and the JWKS (tests count calls with it). */
  fetch?: typeof fetch;
}

/** A verified token is dropped from the cache this long before it expires. */
const EXPIRY_MARGIN_MS = 5_000;
const FETCH_TIMEOUT_MS = 5_000;

export class JwtAuthenticator implements Authenticator {
  readonly #issuer: JwtIssuer;
  readonly #settings: JwtAuthenticatorSettings;
  readonly #verified: LRUCache<string, AuthenticationResult>;
  readonly #fetch: typeof fetch;
  #keys: Promise<JWTVerifyGetKey> | undefined;
  #discoveryFailedAt = 0;

  constructor(issuer: JwtIssuer, settings: JwtAuthenticatorSettings) {
    this.#issuer = issuer;
    this.#settings = settings;
    this.#fetch = settings.fetch ?? fetch;
    this.#verified = new LRUCache({ max: settings.cacheEntries });
  }

  get issuerUrl(): string {
    return this.#issuer.url;
  }

  cached(tokenHash: string): AuthenticationResult | undefined {
    return this.#verified.get(tokenHash);
  }

  async authenticate(token: string, tokenHash: string): Promise<AuthenticationResult> {
    let keys: JWTVerifyGetKey;
    try {
      keys = await this.#keySet();
    } catch {
      return refused('upstream-unavailable', `the keys of issuer ${this.#issuer.name} cannot be fetched now`);
    }
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer: this.#issuer.url,
        audience: [...this.#issuer.audiences],
        algorithms: [...this.#issuer.algorithms],
        clockTolerance: this.#settings.clockSkewSeconds,
        requiredClaims: ['exp', 'iat'],
      }));
    } catch (error) {
      return refusalOf(error);
    }
    const skew = this.#settings.clockSkewSeconds;
    if (typeof payload.iat === 'number' && payload.iat > Date.now() / 1000 + skew) {
      return refused('not-yet-valid', 'the token was issued in the future (iat)');
    }
    const result = this.#identityOf(payload);
    if (result.ok && typeof payload.exp === 'number') {
      const ttl = payload.exp * 1000 - Date.now() - EXPIRY_MARGIN_MS;
      if (ttl > 0) this.#verified.set(tokenHash, result, { ttl });
    }
    return result;
  }

  #identityOf(payload: JWTPayload): AuthenticationResult {
    const { name, usernameClaim, groupsClaim } = this.#issuer;
    const user = payload[usernameClaim];
    if (typeof user !== 'string' || user.length === 0) {
      return refused('invalid-token', `the token has no ${usernameClaim} claim`);
    }
    if (usernameClaim === 'email' && payload.email_verified !== true) {
      return refused('unverified-email', "the token's email is not verified (email_verified)");
    }
    const rawGroups = payload[groupsClaim];
    const groups =
      typeof rawGroups === 'string'
        ? [rawGroups]
        : Array.isArray(rawGroups)
          ? rawGroups.filter((g) => typeof g === 'string')
          : [];
    if (user.startsWith('system:') || groups.some((group) => group.startsWith('system:'))) {
      return refused('forbidden-name', 'a user name or group from a token may not start with system:');
    }
    const prefix = `oidc:${name}:`;
    const username = `${prefix}${user}`;
    return {
      ok: true,
      identity: {
        subject: username,
        username,
        groups: groups.map((group) => `${prefix}${group}`),
        authenticatedBy: `oidc:${name}`,
      },
    };
  }

  /** The JWKS, its location discovered once (again after a failure, at most once per refresh interval). */
  #keySet(): Promise<JWTVerifyGetKey> {
    if (!this.#keys) {
      if (Date.now() - this.#discoveryFailedAt < this.#settings.jwksRefreshMs) {
        return Promise.reject(new Error('discovery failed recently'));
      }
      this.#keys = this.#jwksUri().then((uri) =>
        createRemoteJWKSet(new URL(uri), {
          cooldownDuration: this.#settings.jwksRefreshMs,
          timeoutDuration: FETCH_TIMEOUT_MS,
          [customFetch]: this.#fetch as FetchImplementation,
        }),
      );
      this.#keys.catch(() => {
        this.#keys = undefined;
        this.#discoveryFailedAt = Date.now();
      });
    }
    return this.#keys;
  }

  async #jwksUri(): Promise<string> {
    if (this.#issuer.jwksUri) return this.#issuer.jwksUri;
    const discovery =
      this.#issuer.discoveryUrl ?? `${this.#issuer.url.replace(/\/$/, '')}/.well-known/openid-configuration`;
    const response = await this.#fetch(discovery, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
    if (!response.ok) throw new Error(`discovery answered ${response.status}`);
    const document = (await response.json()) as { issuer?: unknown; jwks_uri?: unknown };
    if (document.issuer !== this.#issuer.url) throw new Error('the discovery document names another issuer');
    if (typeof document.jwks_uri !== 'string') throw new Error('the discovery document has no jwks_uri');
    return document.jwks_uri;
  }
}

function refusalOf(error: unknown): AuthenticationResult {
  if (error instanceof errors.JWTExpired) return refused('expired', 'the token has expired');
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'aud')
      return refused('wrong-audience', 'the token is not meant for this service (aud)');
    if (error.claim === 'nbf') return refused('not-yet-valid', 'the token is not valid yet (nbf)');
    return refused('invalid-token', `the token's ${error.claim} claim is not acceptable`);
  }
  // A failed fetch of the keys says nothing about the token: it must not be remembered as refused.
  if (!(error instanceof errors.JOSEError))
    return refused('upstream-unavailable', "the issuer's keys cannot be fetched now");
  if (error instanceof errors.JWKSTimeout)
    return refused('upstream-unavailable', "the issuer's keys did not arrive in time");
  return refused('invalid-token', "the token's signature or form is not valid");
}
