// Bearer-token authentication. Tokens are configured as SHA-256 hashes, each with a subject and
// the namespaces it may use; the token itself never sits in configuration or memory for long.
import { createHash, hash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Principal } from '../../application/principal.ts';
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

export class TokenAuthenticator {
  readonly #byHash: Map<string, Principal>;

  constructor(grants: readonly TokenGrant[]) {
    this.#byHash = new Map(
      grants.map((grant) => [
        grant.sha256.toLowerCase(),
        { subject: grant.subject, namespaces: grant.namespaces },
      ]),
    );
  }

  /**
   * The principal a token stands for; hashing first makes the lookup independent of the token's
   * bytes, and no token is kept in memory, only its hash (as in the configuration).
   */
  authenticate(token: string): Principal | undefined {
    return this.#byHash.get(hash('sha256', token, 'hex'));
  }
}

export function sha256Hex(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Name of the OpenAPI security scheme of bearer tokens (declared by the openapi plugin). */
export const BEARER_AUTH = 'bearerAuth';

const BEARER = /^Bearer[ ]+([\x21-\x7e]+)[ ]*$/i;

/**
 * Authenticates every route of the context it is registered in, before anything else of the
 * route runs, and documents those routes as needing a token. Register it inside a route group:
 * routes outside it (health, metrics, documentation) stay open. Failed attempts count against the
 * client address's limit (the rate-limits plugin), here, since a 401 ends the request before any
 * route-level hook could count it.
 */
async function authentication(
  app: FastifyInstance,
  options: { authenticator: TokenAuthenticator },
): Promise<void> {
  app.decorateRequest('principal', null);
  app.addHook('onRoute', (route) => {
    route.schema = { ...route.schema, security: [{ [BEARER_AUTH]: [] }] };
  });
  const failures = app.requestLimits.failedAuthentication;
  const refuse = (request: FastifyRequest, reply: FastifyReply, detail: string) => {
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
      refuse(request, reply, 'send Authorization: Bearer <token>');
      return;
    }
    const match = BEARER.exec(header);
    const principal = match?.[1] ? options.authenticator.authenticate(match[1]) : undefined;
    if (!principal) {
      refuse(request, reply, 'the bearer token is not valid');
      return;
    }
    request.principal = principal;
    done();
  });
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
