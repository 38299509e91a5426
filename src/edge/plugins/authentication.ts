// Bearer-token authentication. Tokens are configured as SHA-256 hashes, each with a subject and
// the namespaces it may use; the token itself never sits in configuration or memory for long.
import { createHash, hash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Principal } from '../../application/principal.ts';
import { sendProblem } from './problem-details.ts';

declare module 'fastify' {
  interface FastifyRequest {
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

const BEARER = /^Bearer[ ]+([\x21-\x7e]+)[ ]*$/i;

async function authentication(
  app: FastifyInstance,
  options: { authenticator: TokenAuthenticator },
): Promise<void> {
  app.decorateRequest('principal', null);
  app.decorate('requireAuthentication', async (request: FastifyRequest, reply: FastifyReply) => {
    const header = request.headers.authorization;
    if (header === undefined) {
      return sendProblem(request, reply, 'unauthenticated', 'send Authorization: Bearer <token>');
    }
    const match = BEARER.exec(header);
    const principal = match?.[1] ? options.authenticator.authenticate(match[1]) : undefined;
    if (!principal) return sendProblem(request, reply, 'unauthenticated', 'the bearer token is not valid');
    request.principal = principal;
  });
}

declare module 'fastify' {
  interface FastifyInstance {
    requireAuthentication: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
  }
}

export default fp(authentication, { name: 'authentication' });
