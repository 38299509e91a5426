// What the HTTP edge needs from metrics: a place to record each request, and the text of the
// /metrics page. The edge knows this port only, not the library that implements it.

export interface HttpMetrics {
  /** One finished request, by route pattern (never the raw URL, which would explode the label set). */
  observeHttp(method: string, route: string, statusCode: number, seconds: number): void;
  /** The media type of the exposition text. */
  readonly contentType: string;
  /** The exposition text for /metrics. */
  text(): Promise<string>;
}
