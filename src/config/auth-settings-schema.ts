// Settings of authentication beyond static tokens (ServiceAccount tokens through TokenReview,
// OIDC/JWT issuers) and of authorization (static namespaces, or Kubernetes RBAC through
// SubjectAccessReview). The `auth` object of the configuration holds the former beside `tokens`.
import { Type } from 'typebox';
import { DNS1123_LABEL } from '../domain/patterns.ts';

/** Asymmetric algorithms only: never `none`, never an HMAC algorithm (whose key would be public). */
export const JWT_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
] as const;

export const ServiceAccountAuthSettings = Type.Object(
  {
    enabled: Type.Boolean({
      default: false,
      description: 'Accept Kubernetes ServiceAccount tokens, verified by the cluster through TokenReview.',
    }),
    issuer: Type.String({
      default: 'https://kubernetes.default.svc.cluster.local',
      description:
        "The cluster's service-account issuer (`--service-account-issuer`): JWTs with this `iss` go to TokenReview.",
    }),
    audience: Type.String({
      minLength: 1,
      default: 'exposure-api',
      description:
        'The audience a token must be minted for (`kubectl create token <sa> --audience exposure-api`).',
    }),
    cacheSeconds: Type.Integer({
      minimum: 0,
      default: 10,
      description: 'How long an accepted token is remembered (by its hash) before it is reviewed again.',
    }),
    cacheEntries: Type.Integer({
      minimum: 1,
      default: 10000,
      description: 'Accepted tokens remembered at most.',
    }),
  },
  { additionalProperties: false, default: {} },
);

const ClaimMapping = (claim: string, what: string) =>
  Type.Object(
    { claim: Type.String({ minLength: 1, default: claim, description: `The claim holding the ${what}.` }) },
    { additionalProperties: false, default: {} },
  );

export const JwtIssuerSettings = Type.Object(
  {
    name: Type.String({
      pattern: DNS1123_LABEL,
      maxLength: 63,
      description: 'Short name of the issuer: its users and groups are prefixed `oidc:<name>:`.',
    }),
    issuer: Type.Object(
      {
        url: Type.String({ minLength: 1, description: 'The issuer (`iss`) exactly as in its tokens.' }),
        audiences: Type.Array(Type.String({ minLength: 1 }), {
          minItems: 1,
          description: 'Accepted audiences (`aud`): a token must name one of them.',
        }),
        discoveryUrl: Type.Optional(
          Type.String({
            description: 'Where the discovery document is, if not `<url>/.well-known/openid-configuration`.',
          }),
        ),
        jwksUri: Type.Optional(Type.String({ description: 'The JWKS, skipping discovery.' })),
        algorithms: Type.Array(Type.Union(JWT_ALGORITHMS.map((alg) => Type.Literal(alg))), {
          minItems: 1,
          default: ['RS256'],
          description: 'Algorithms accepted from this issuer (asymmetric only).',
        }),
      },
      { additionalProperties: false },
    ),
    claimMappings: Type.Object(
      {
        username: ClaimMapping('sub', 'user name (`email` requires `email_verified: true`)'),
        groups: ClaimMapping('groups', 'groups (a list or one string)'),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false },
);

/** Properties of the `auth` object besides the static tokens. */
export const authSettingsProperties = {
  serviceAccounts: ServiceAccountAuthSettings,
  jwt: Type.Array(JwtIssuerSettings, {
    default: [],
    description:
      'OIDC/JWT issuers, shaped like Kubernetes structured authentication (`issuer.url`/`audiences`, `claimMappings`).',
  }),
  negativeCacheSeconds: Type.Integer({
    minimum: 0,
    default: 10,
    description:
      'How long a refused token (by its hash) is refused again without asking TokenReview or the JWKS.',
  }),
  clockSkewSeconds: Type.Integer({
    minimum: 0,
    maximum: 300,
    default: 30,
    description: "Tolerance when checking a JWT's `exp`, `nbf` and `iat`.",
  }),
  jwksRefreshSeconds: Type.Integer({
    minimum: 0,
    default: 30,
    description:
      "A token with an unknown key id refetches its issuer's JWKS at most once per this interval (key rotation).",
  }),
  upstreamConcurrency: Type.Integer({
    minimum: 1,
    default: 4,
    description: 'TokenReviews (and, separately, SubjectAccessReviews) in flight at once.',
  }),
  upstreamQueue: Type.Integer({
    minimum: 0,
    default: 16,
    description: 'Reviews waiting beyond those in flight; further ones are answered 429 at once.',
  }),
};

const NamespaceMap = (of: string) =>
  Type.Record(Type.String(), Type.Array(Type.String()), {
    description: `Namespaces per ${of} (\`*\` for all), for callers other than static tokens (whose grant names theirs).`,
  });

export const AuthorizationSettings = Type.Object(
  {
    mode: Type.Union([Type.Literal('static'), Type.Literal('kubernetes')], {
      default: 'static',
      description:
        '`static`: namespaces from configuration; `kubernetes`: a SubjectAccessReview on exposures.exposure-api.io per decision.',
    }),
    static: Type.Object(
      {
        subjects: Type.Optional(NamespaceMap('subject')),
        groups: Type.Optional(NamespaceMap('group')),
        impersonators: Type.Array(
          Type.Object(
            {
              subject: Type.Optional(Type.String()),
              group: Type.Optional(Type.String()),
              users: Type.Array(Type.String(), { default: [] }),
              groups: Type.Array(Type.String(), { default: [] }),
            },
            { additionalProperties: false },
          ),
          {
            default: [],
            description:
              'Who (a subject or group) may impersonate which users and groups (`*` for any, `prefix*` by prefix).',
          },
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    kubernetes: Type.Object(
      {
        allowedCacheSeconds: Type.Integer({
          minimum: 0,
          default: 10,
          description:
            'How long an allowed decision is reused (a removed RoleBinding takes effect after it).',
        }),
        deniedCacheSeconds: Type.Integer({
          minimum: 0,
          default: 5,
          description: 'How long a denied decision is reused.',
        }),
        cacheEntries: Type.Integer({
          minimum: 1,
          default: 10000,
          description: 'Decisions remembered at most.',
        }),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false, default: {} },
);

export const TlsSettings = Type.Object(
  {
    certFile: Type.String({
      minLength: 1,
      description: 'PEM certificate chain; reloaded when it changes (cert-manager).',
    }),
    keyFile: Type.String({ minLength: 1, description: 'PEM private key; reloaded with the certificate.' }),
  },
  { additionalProperties: false, description: 'Serve HTTPS from these files; absent: plain HTTP.' },
);
