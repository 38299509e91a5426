// Composes authentication and authorization from the configuration: the static tokens, the
// ServiceAccount authenticator (TokenReview) and the OIDC issuers, routed by issuer; and the
// authorizer (static, or Kubernetes RBAC through SubjectAccessReview). Part of the composition root.
import { JwtAuthenticator } from './adapters/oidc/jwt-authenticator.ts';
import { KubernetesAuthorizer } from './application/identity/kubernetes-authorizer.ts';
import { ServiceAccountAuthenticator } from './application/identity/service-account-authenticator.ts';
import { StaticAuthorizer } from './application/identity/static-authorizer.ts';
import { TokenRouter } from './application/identity/token-router.ts';
import { UpstreamGate } from './application/identity/upstream-gate.ts';
import type { AccessReviews } from './application/ports/access-reviews.ts';
import type { Authenticator } from './application/ports/authenticator.ts';
import type { Authorizer } from './application/ports/authorizer.ts';
import type { Config } from './config/schema.ts';
import { type EdgeAuthentication, TokenAuthenticator } from './edge/plugins/authentication.ts';

export interface IdentityOptions {
  /** TokenReview and SubjectAccessReview; required when either Kubernetes mode is configured. */
  accessReviews?: AccessReviews | undefined;
  /** Fetch for OIDC discovery and JWKS (tests count the calls). */
  fetch?: typeof fetch;
}

export interface Identity extends EdgeAuthentication {
  /** The gates in front of TokenReview and SubjectAccessReview (their call counts). */
  gates: { tokenReviews: UpstreamGate; accessReviews: UpstreamGate };
  authenticators: ReadonlyMap<string, Authenticator>;
}

export function createIdentity(config: Config, options: IdentityOptions = {}): Identity {
  const { auth, authorization } = config;
  const needsReviews = auth.serviceAccounts.enabled || authorization.mode === 'kubernetes';
  if (needsReviews && !options.accessReviews) {
    throw new Error(
      "ServiceAccount tokens and Kubernetes authorization need the cluster's TokenReview and SubjectAccessReview",
    );
  }
  const gate = () =>
    new UpstreamGate({ concurrency: auth.upstreamConcurrency, maxQueued: auth.upstreamQueue });
  const gates = { tokenReviews: gate(), accessReviews: gate() };
  const staticTokens = new TokenAuthenticator(auth.tokens);
  const authorizer: Authorizer =
    authorization.mode === 'kubernetes' && options.accessReviews
      ? new KubernetesAuthorizer(
          options.accessReviews,
          {
            allowedTtlMs: authorization.kubernetes.allowedCacheSeconds * 1000,
            deniedTtlMs: authorization.kubernetes.deniedCacheSeconds * 1000,
            cacheEntries: authorization.kubernetes.cacheEntries,
          },
          gates.accessReviews,
        )
      : new StaticAuthorizer({
          // An impersonated static-token subject keeps its grant's namespaces.
          subjects: {
            ...Object.fromEntries(auth.tokens.map((grant) => [grant.subject, grant.namespaces])),
            ...(authorization.static.subjects ?? {}),
          },
          groups: authorization.static.groups ?? {},
          impersonators: authorization.static.impersonators,
        });
  const authenticators = new Map<string, Authenticator>();
  if (auth.serviceAccounts.enabled && options.accessReviews) {
    authenticators.set(
      auth.serviceAccounts.issuer,
      new ServiceAccountAuthenticator(
        options.accessReviews,
        {
          audience: auth.serviceAccounts.audience,
          cacheTtlMs: auth.serviceAccounts.cacheSeconds * 1000,
          cacheEntries: auth.serviceAccounts.cacheEntries,
        },
        gates.tokenReviews,
      ),
    );
  }
  for (const issuer of auth.jwt) {
    if (authenticators.has(issuer.issuer.url))
      throw new Error(`issuer ${issuer.issuer.url} is configured twice`);
    authenticators.set(
      issuer.issuer.url,
      new JwtAuthenticator(
        {
          name: issuer.name,
          url: issuer.issuer.url,
          audiences: issuer.issuer.audiences,
          discoveryUrl: issuer.issuer.discoveryUrl,
          jwksUri: issuer.issuer.jwksUri,
          algorithms: issuer.issuer.algorithms,
          usernameClaim: issuer.claimMappings.username.claim,
          groupsClaim: issuer.claimMappings.groups.claim,
        },
        {
          clockSkewSeconds: auth.clockSkewSeconds,
          jwksRefreshMs: auth.jwksRefreshSeconds * 1000,
          cacheEntries: auth.serviceAccounts.cacheEntries,
          ...(options.fetch && { fetch: options.fetch }),
        },
      ),
    );
  }
  const router = new TokenRouter({
    staticTokens: staticTokens.identities,
    issuers: authenticators,
    namespacesOf: (identity) => authorizer.staticNamespaces(identity),
    settings: { negativeCacheMs: auth.negativeCacheSeconds * 1000, negativeCacheEntries: 10_000 },
  });
  return { router, authorizer, gates, authenticators };
}
