// Authenticators turn a bearer token into an identity. They are routed to by what a token is (see
// identity/token-router.ts), never tried in turn, so a token reaches at most one of them.

/** Why a token was refused; counted by reason in /metrics (never with the token). */
export type AuthenticationFailure =
  | 'missing-token'
  | 'malformed-header'
  | 'unknown-token'
  | 'unknown-issuer'
  | 'invalid-token'
  | 'wrong-audience'
  | 'expired'
  | 'not-yet-valid'
  | 'forbidden-name'
  | 'unverified-email'
  | 'rejected'
  | 'upstream-unavailable'
  | 'busy';

export interface Identity {
  /** The name recorded for the caller (see Principal.subject). */
  subject: string;
  /** The user name authorization sees. */
  username: string;
  groups: readonly string[];
  /** `static`, `serviceaccount` or `oidc:<issuer name>`. */
  authenticatedBy: string;
  /** Namespaces of a static token's grant (static authorization). */
  namespaces?: readonly string[];
}

export type AuthenticationResult =
  | { ok: true; identity: Identity }
  | { ok: false; reason: AuthenticationFailure; detail: string };

export interface Authenticator {
  /** A result already known for this token hash (no upstream call), or undefined. */
  cached(tokenHash: string): AuthenticationResult | undefined;
  /** Verifies the token; may call upstream (TokenReview, JWKS). */
  authenticate(token: string, tokenHash: string): Promise<AuthenticationResult>;
}

export function refused(reason: AuthenticationFailure, detail: string): AuthenticationResult {
  return { ok: false, reason, detail };
}
