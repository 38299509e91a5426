// Sandbox-only routes that hand out credentials, so that every authentication mode can be tried:
// a ServiceAccount token from the in-memory TokenRequest (as `kubectl create token <sa> --audience
// exposure-api` would mint it), and an ID token from the sandbox's OIDC issuer for a demo person
// (as an identity provider would after a login). Both take the sandbox admin token.
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import authentication, { type EdgeAuthentication } from '../edge/plugins/authentication.ts';
import { sendProblem } from '../edge/plugins/problem-details.ts';
import { DEMO_AUDIENCE } from './demo-identities.ts';
import type { InMemoryAccessReviews } from './in-memory-access-reviews.ts';
import type { LocalOidcIssuer } from './local-oidc-issuer.ts';
import { isSandboxAdmin } from './sandbox-routes.ts';

const ServiceAccountParams = Type.Object(
  { namespace: Type.String({ maxLength: 63 }), name: Type.String({ maxLength: 253 }) },
  { additionalProperties: false },
);
const TokenRequestBody = Type.Object(
  {
    audience: Type.Optional(Type.String({ minLength: 1, maxLength: 253 })),
    expirationSeconds: Type.Optional(Type.Integer({ minimum: 60, maximum: 86400 })),
  },
  { additionalProperties: false },
);
const IdTokenBody = Type.Object(
  {
    email: Type.String({ minLength: 3, maxLength: 253 }),
    groups: Type.Optional(Type.Array(Type.String({ maxLength: 253 }), { maxItems: 20 })),
  },
  { additionalProperties: false },
);

export function sandboxIdentityRoutes(
  edgeAuthentication: EdgeAuthentication,
  accessReviews: InMemoryAccessReviews,
  oidcIssuer: LocalOidcIssuer,
): FastifyPluginAsync {
  return async (app: FastifyInstance) => {
    await app.register(authentication, { authentication: edgeAuthentication });

    app.post<{
      Params: { namespace: string; name: string };
      Body: { audience?: string; expirationSeconds?: number };
    }>(
      '/sandbox/serviceaccounts/:namespace/:name/token',
      { schema: { hide: true, params: ServiceAccountParams, body: TokenRequestBody } },
      async (request, reply) => {
        if (!isSandboxAdmin(request, reply, 'minting ServiceAccount tokens')) return reply;
        const { namespace, name } = request.params;
        const { audience, expirationSeconds } = request.body ?? {};
        try {
          const token = await accessReviews.mintToken(namespace, name, {
            ...(audience !== undefined && { audiences: [audience] }),
            ...(expirationSeconds !== undefined && { expirationSeconds }),
          });
          return reply.code(201).send({ token });
        } catch (error) {
          return sendProblem(request, reply, 'route-not-found', (error as Error).message);
        }
      },
    );

    app.post<{ Body: { email: string; groups?: string[] } }>(
      '/sandbox/oidc/token',
      { schema: { hide: true, body: IdTokenBody } },
      async (request, reply) => {
        if (!isSandboxAdmin(request, reply, 'minting ID tokens')) return reply;
        const { email, groups } = request.body;
        const token = await oidcIssuer.sign(
          { sub: email, email, email_verified: true, ...(groups && { groups }) },
          { audience: DEMO_AUDIENCE },
        );
        return reply.code(201).send({ token });
      },
    );
  };
}
