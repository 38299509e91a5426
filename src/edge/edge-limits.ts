// The limits the HTTP edge enforces against a hostile or broken client: timeouts, connections per
// address and rate limits. The configuration maps onto this (src/config/settings.ts).

/** A fixed-window limit: at most `max` requests per `windowMs`. */
export interface WindowLimit {
  max: number;
  windowMs: number;
}

export interface EdgeLimits {
  /** Fastify's `trustProxy`: whose X-Forwarded-For names the client address. */
  trustProxy: boolean | number | string[];
  requestTimeoutMs: number;
  headersTimeoutMs: number;
  connectionsCheckingIntervalMs: number;
  keepAliveTimeoutMs: number;
  connectionTimeoutMs: number;
  maxConnectionsPerAddress: number;
  rateLimits: {
    /** Per caller (token subject). */
    reads: WindowLimit;
    /** Per caller (token subject). */
    writes: WindowLimit;
    /** Per client address. */
    failedAuthentication: WindowLimit;
  };
}
