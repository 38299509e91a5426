// Who is calling, and which namespaces they may use.

export interface Principal {
  /**
   * The name recorded for the caller (`createdBy`, the per-subject quotas, rate limits): a static
   * token's configured subject as it is, a ServiceAccount's `system:serviceaccount:<ns>:<name>`,
   * an OIDC caller's `oidc:<issuer name>:<username>`.
   */
  subject: string;
  /** Namespaces the caller may use under static authorization; `*` means all. */
  namespaces: readonly string[];
  /** The caller's groups (each authenticator's own, prefixed); none for a static token. */
  groups?: readonly string[];
  /** The user name authorization sees; static tokens are `static:<subject>` there. Default: the subject. */
  username?: string;
  /** How the caller authenticated: `static`, `serviceaccount` or `oidc:<issuer name>`. */
  authenticatedBy?: string;
  /** The authenticated caller acting for this principal through Impersonate-User. */
  impersonatedBy?: Principal;
}

export function mayUseNamespace(principal: Principal, namespace: string): boolean {
  return principal.namespaces.includes('*') || principal.namespaces.includes(namespace);
}

/** The user name authorization decides on. */
export function usernameOf(principal: Principal): string {
  return principal.username ?? principal.subject;
}
