// An OIDC issuer on loopback: a discovery document, a JWKS, and ID tokens signed on request (for
// the sandbox's demo users, and for tests). Keys can be rotated, as a real issuer rotates them.
import { generateKeyPairSync, type KeyObject, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, type JWK, type JWTPayload, SignJWT } from 'jose';

interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  jwk: JWK;
}

export class LocalOidcIssuer {
  readonly #server: Server;
  #url = '';
  #keys: SigningKey[] = [];
  /** Requests served, by path (tests count discovery and JWKS fetches). */
  readonly requests = { discovery: 0, jwks: 0 };

  private constructor() {
    this.#server = createServer((request, response) => {
      const path = new URL(request.url ?? '/', this.#url).pathname;
      if (path === '/.well-known/openid-configuration') {
        this.requests.discovery++;
        this.#json(response, {
          issuer: this.#url,
          jwks_uri: `${this.#url}/jwks`,
          id_token_signing_alg_values_supported: ['RS256'],
          response_types_supported: ['id_token'],
          subject_types_supported: ['public'],
        });
      } else if (path === '/jwks') {
        this.requests.jwks++;
        this.#json(response, { keys: this.#keys.map((key) => key.jwk) });
      } else {
        response.writeHead(404).end();
      }
    });
  }

  static async start(host = '127.0.0.1'): Promise<LocalOidcIssuer> {
    const issuer = new LocalOidcIssuer();
    issuer.#server.listen(0, host);
    await once(issuer.#server, 'listening');
    const { port } = issuer.#server.address() as AddressInfo;
    issuer.#url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    await issuer.rotateKey();
    return issuer;
  }

  get url(): string {
    return this.#url;
  }

  /** The key tokens are signed with now (its public half is published in the JWKS). */
  get currentKey(): { kid: string; privateKey: KeyObject; publicJwk: JWK } {
    const key = this.#keys[0] as SigningKey;
    return { kid: key.kid, privateKey: key.privateKey, publicJwk: key.jwk };
  }

  /** A new signing key; with `retireOld`, the old ones leave the JWKS. */
  async rotateKey(options: { retireOld?: boolean } = {}): Promise<string> {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const kid = randomUUID();
    const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
    this.#keys = [{ kid, privateKey, jwk }, ...(options.retireOld ? [] : this.#keys)];
    return kid;
  }

  /** A signed ID token: issuer, audience and lifetime as given (defaults: this issuer, one hour). */
  async sign(
    claims: JWTPayload & { sub: string },
    options: {
      audience: string | string[];
      issuer?: string;
      expiresInSeconds?: number;
      kid?: string;
      notBefore?: number;
      issuedAt?: number;
    },
  ): Promise<string> {
    const key = this.currentKey;
    const now = Math.floor(Date.now() / 1000);
    const issuedAt = options.issuedAt ?? now;
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: options.kid ?? key.kid, typ: 'JWT' })
      .setIssuer(options.issuer ?? this.#url)
      .setAudience(options.audience)
      .setIssuedAt(issuedAt)
      .setNotBefore(options.notBefore ?? issuedAt)
      .setExpirationTime(issuedAt + (options.expiresInSeconds ?? 3600))
      .sign(key.privateKey);
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    this.#server.close();
    await once(this.#server, 'close');
  }

  #json(response: import('node:http').ServerResponse, body: unknown): void {
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  }
}
