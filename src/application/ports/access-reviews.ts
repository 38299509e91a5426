// What the cluster answers about identities and permissions: TokenReview (authentication.k8s.io)
// and SubjectAccessReview (authorization.k8s.io), as an aggregated API server uses them. The
// Kubernetes adapter calls the apiserver; the in-memory cluster answers from its demo
// ServiceAccounts and RBAC rules; one contract suite holds both to the same behaviour.

export interface TokenReviewOutcome {
  authenticated: boolean;
  user?: { username: string; uid?: string; groups: readonly string[] };
  /** The audiences the token is valid for, of those asked; empty means "the apiserver's own". */
  audiences: readonly string[];
  error?: string;
}

export interface AccessReviewSubject {
  user: string;
  groups: readonly string[];
}

export interface ResourceAttributes {
  verb: string;
  group: string;
  resource: string;
  /** Absent: cluster-wide (users and groups for impersonation). */
  namespace?: string;
  name?: string;
}

export interface AccessReviews {
  reviewToken(token: string, audiences: readonly string[]): Promise<TokenReviewOutcome>;
  reviewAccess(subject: AccessReviewSubject, attributes: ResourceAttributes): Promise<boolean>;
}

export const EXPOSURES_RESOURCE = { group: 'exposure-api.io', resource: 'exposures' } as const;
