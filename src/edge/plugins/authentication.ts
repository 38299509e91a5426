// Bearer-token authentication and impersonation. A token goes to the TokenRouter (a static token
// is a hash lookup; a JWT is routed by its issuer to ServiceAccount or OIDC verification); the
// failed-authentication limit per client address is checked before that, so a locked-out address
// never causes a TokenReview or JWKS call. Impersonate-User / Impersonate-Group are honoured only
// when the authorizer says the caller may act as that user and those groups.
import { createHash, hash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { RoutedAuthentication, TokenRouter } from '../../application/identity/token-router.ts';
import type { Identity } from '../../application/ports/authenticator.ts';
import type { Authorizer } from '../../application/ports/authorizer.ts';
import type { HttpMetrics } from '../../application/ports/http-metrics.ts';
import type { Principal } from '../../application/principal.ts';
import { problemResponses } from '../response-schemas.ts';
import { sendProblem } from './problem-details.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller, on the routes of an authenticated group: read it with `principalOf`. */
    principal: Principal | null;
  }
}

export interface TokenGrant {
  sha256: string;
  subject: string;
  namespaces: readonly string[];
}

/**
 * The static tokens, by hash. Hashing first makes the lookup independent of the token's bytes, and
 * no token is kept in memory, only its hash (as in the configuration). Their subjects are recorded
 * as configured (no prefix); authorization sees them as `static:<subject>`.
 */
export class TokenAuthenticator {
  readonly identities: ReadonlyMap<string, Identity>;

  constructor(grants: readonly TokenGrant[]) {
    this.identities = new Map(
      grants.map((grant) => [
        grant.sha256.toLowerCase(),
        {
          subject: grant.subject,
          username: `static:${grant.subject}`,
          groups: [],
          authenticatedBy: 'static',
          namespaces: grant.namespaces,
        },
      ]),
    );
  }

  /** The identity a static token stands for. */
  authenticate(token: string): Identity | undefined {
    return this.identities.get(hash('sha256', token, 'hex'));
  }
}

export function sha256Hex(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** What the authentication hook needs: the token router and the authorizer (for impersonation). */
export interface EdgeAuthentication {
  router: TokenRouter;
  authorizer: Authorizer;
}

/** Name of the OpenAPI security scheme of bearer tokens (declared by the openapi plugin). */
export const BEARER_AUTH = 'bearerAuth';

/** The statuses the authentication hook answers with. */
const AUTHENTICATION_STATUSES = [400, 401, 403, 429, 503] as const;

const BEARER = /^Bearer[ ]+([\x21-\x7e]+)[ ]*$/i;

/** The token of an `Authorization: Bearer <token>` header, undefined for any other header. */
export function bearerTokenOf(header: string | undefined): string | undefined {
  return header === undefined ? undefined : BEARER.exec(header)?.[1];
}

/**
 * Authenticates every route of the context it is registered in, before anything else of the
 * route runs, and documents those routes as needing a token. Register it inside a route group:
 * routes outside it (health, metrics, documentation) stay open. Failed attempts count against the
 * client address's limit (the rate-limits plugin), here, since a 401 ends the request before any
 * route-level hook could count it.
 */
async function authentication(
  app: FastifyInstance,
  options: { authentication: EdgeAuthentication; metrics?: HttpMetrics },
): Promise<void> {
  const { router, authorizer } = options.authentication;
  app.decorateRequest('principal', null);
  app.addHook('onRoute', (route) => {
    route.schema = {
      ...route.schema,
      security: [{ [BEARER_AUTH]: [] }],
      // What this hook itself can answer on any route it guards: a refused token (401), an
      // impersonation without a user (400) or not allowed (403), a locked-out address or a full
      // review queue (429), a review that cannot be made now (503). A route's own entries stay.
      response: {
        ...problemResponses(...AUTHENTICATION_STATUSES),
        ...(route.schema?.response as Record<number, unknown> | undefined),
      },
    };
  });
  const failures = app.requestLimits.failedAuthentication;
  const refuse = (request: FastifyRequest, reply: FastifyReply, reason: string, detail: string) => {
    options.metrics?.countFailedAuthentication(reason);
    failures.failed(request).then(
      (lockedOutSeconds) => {
        if (lockedOutSeconds > 0) lockedOut(request, reply, lockedOutSeconds);
        else sendProblem(request, reply, 'unauthenticated', detail);
      },
      (error: unknown) => {
        request.log.error({ err: error }, 'failed authentication could not be counted');
        sendProblem(request, reply, 'unauthenticated', detail);
      },
    );
  };
  const settle = (
    request: FastifyRequest,
    reply: FastifyReply,
    done: () => void,
    result: RoutedAuthentication,
  ) => {
    if (!result.ok) {
      // Busy or unavailable says nothing about the token: it is neither counted nor remembered.
      if (result.reason === 'busy') {
        options.metrics?.countFailedAuthentication(result.reason);
        sendProblem(request, reply, 'rate-limited', result.detail, { retryAfterSeconds: 1 });
      } else if (result.reason === 'upstream-unavailable') {
        options.metrics?.countFailedAuthentication(result.reason);
        sendProblem(request, reply, 'kubernetes-unavailable', result.detail, { retryAfterSeconds: 1 });
      } else {
        refuse(request, reply, result.reason, result.detail);
      }
      return;
    }
    if (
      request.headers['impersonate-user'] === undefined &&
      request.headers['impersonate-group'] === undefined
    ) {
      request.principal = result.principal;
      done();
      return;
    }
    impersonate(request, result.principal, authorizer).then(
      (outcome) => {
        if (typeof outcome === 'string') {
          sendProblem(
            request,
            reply,
            outcome === 'no-user' ? 'malformed-request' : 'forbidden',
            impersonationDetail(outcome, request),
          );
          return;
        }
        request.principal = outcome;
        done();
      },
      (error: unknown) => {
        request.log.warn({ err: error }, 'the impersonation check failed');
        sendProblem(
          request,
          reply,
          'kubernetes-unavailable',
          'the impersonation check failed; retry shortly',
          {
            retryAfterSeconds: 1,
          },
        );
      },
    );
  };
  // Callback style: on the hot read path an async hook's promise is measurable overhead. A hook
  // that answers does not call done(), which ends the request there.
  app.addHook('onRequest', (request, reply, done) => {
    const lockedOutSeconds = failures.lockedOutSeconds(request);
    if (lockedOutSeconds > 0) {
      lockedOut(request, reply, lockedOutSeconds);
      return;
    }
    const header = request.headers.authorization;
    if (header === undefined) {
      refuse(request, reply, 'missing-token', 'send Authorization: Bearer <token>');
      return;
    }
    const token = bearerTokenOf(header);
    if (!token) {
      refuse(request, reply, 'malformed-header', 'the bearer token is not valid');
      return;
    }
    const result = router.authenticate(token);
    if (result instanceof Promise) {
      result.then((settled) => settle(request, reply, done, settled));
    } else {
      settle(request, reply, done, result);
    }
  });
}

type ImpersonationRefusal = 'no-user' | 'user' | 'group';

/** The person the caller acts for, as the apiserver builds it: the user, the groups asked for, and system:authenticated. */
async function impersonate(
  request: FastifyRequest,
  caller: Principal,
  authorizer: Authorizer,
): Promise<Principal | ImpersonationRefusal> {
  // Node joins repeated headers with ", " (user and group names cannot hold a comma).
  const values = (name: string) =>
    [request.headers[name] ?? []]
      .flat()
      .flatMap((value) => String(value).split(','))
      .map((value) => value.trim())
      .filter((value) => value.length > 0);
  const user = values('impersonate-user')[0];
  const groups = values('impersonate-group');
  if (!user) return 'no-user';
  if (!(await authorizer.mayImpersonate(caller, { kind: 'users', name: user }))) return 'user';
  for (const group of groups) {
    if (!(await authorizer.mayImpersonate(caller, { kind: 'groups', name: group }))) return 'group';
  }
  const allGroups = [...new Set([...groups, 'system:authenticated'])];
  return {
    subject: user,
    username: user,
    groups: allGroups,
    namespaces: authorizer.staticNamespaces({ subject: user, groups: allGroups }),
    authenticatedBy: caller.authenticatedBy ?? 'static',
    impersonatedBy: caller,
  };
}

function impersonationDetail(refusal: ImpersonationRefusal, request: FastifyRequest): string {
  if (refusal === 'no-user') return 'Impersonate-Group needs an Impersonate-User';
  const header = refusal === 'user' ? 'Impersonate-User' : 'one of the Impersonate-Group values';
  return `you may not impersonate ${header} (${refusal === 'user' ? String(request.headers['impersonate-user']) : String(request.headers['impersonate-group'])})`;
}

function lockedOut(request: FastifyRequest, reply: FastifyReply, seconds: number): void {
  sendProblem(
    request,
    reply,
    'rate-limited',
    `too many requests with a missing or unknown token from your address; retry after ${seconds} s`,
    { retryAfterSeconds: seconds },
  );
}

/** The caller of a route of an authenticated group. */
export function principalOf(request: FastifyRequest): Principal {
  // Undefined, not null, outside the group: the request decoration exists only inside it.
  const principal = request.principal as Principal | null | undefined;
  if (!principal) {
    throw new Error(`${request.method} ${request.routeOptions.url} is not in an authenticated route group`);
  }
  return principal;
}

export default fp(authentication, { name: 'authentication' });
