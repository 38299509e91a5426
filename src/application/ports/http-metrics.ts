// What the HTTP edge needs from metrics: a place to record each request and each refusal of its
// abuse limits, and the text of the /metrics page. The edge knows this port only, not the library
// that implements it.

/** The limits that refuse requests: per caller for reads and writes, per address for failed tokens. */
export type RequestLimit = 'reads' | 'writes' | 'failed-authentication';

export interface HttpMetrics {
  /** One finished request, by route pattern (never the raw URL, which would explode the label set). */
  observeHttp(method: string, route: string, statusCode: number, seconds: number): void;
  /** One request refused with 429 by a rate limit. */
  countRateLimited(limit: RequestLimit): void;
  /** One connection refused because its address already holds the most connections allowed. */
  countRefusedConnection(): void;
  /** One request refused because its token did not authenticate, by reason (never the token). */
  countFailedAuthentication(reason: string): void;
  /** The media type of the exposition text. */
  readonly contentType: string;
  /** The exposition text for /metrics. */
  text(): Promise<string>;
}
