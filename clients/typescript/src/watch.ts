// Following an exposure (GET /exposures/{id}/watch, server-sent events) over fetch — a browser
// EventSource cannot send a bearer token. The stream is parsed by eventsource-parser; a dropped
// connection is resumed with the id of the last event, which any replica understands, so a caller
// sees every change and none twice.
import { type EventSourceMessage, EventSourceParserStream } from 'eventsource-parser/stream';
import { applyCredentials, type Credentials } from './credentials.ts';
import { errorOf } from './errors.ts';
import type { components } from './schema.ts';

type Exposure = components['schemas']['Exposure'];

export type WatchEvent =
  /** The exposure now (sent first, then on every change); `eventId` resumes after it. */
  | { type: 'exposure'; eventId: string; exposure: Exposure }
  /** The exposure is gone; the last event. No `eventId` when it was found gone on a reconnect. */
  | { type: 'deleted'; eventId?: string; id: string };

export interface ReconnectOptions {
  /** Failed attempts in a row (no connection, or 429/5xx) before the watch throws. Default 10. */
  maxAttempts?: number;
  /** Delay before reconnecting; doubled per failed attempt, with jitter. Default 500 ms (a server's `retry:` replaces it). */
  initialDelayMs?: number;
  /** Longest delay between attempts. Default 30 s. */
  maxDelayMs?: number;
}

export interface WatchOptions {
  /** Ends the watch: the iteration finishes without an error. */
  signal?: AbortSignal;
  /** Resume after this event: the exposure is sent at once only if it changed since. */
  lastEventId?: string;
  reconnect?: ReconnectOptions;
}

export interface WatchTransport {
  baseUrl: string;
  fetch: (input: Request) => Promise<Response>;
  credentials: Credentials;
  reconnect?: ReconnectOptions;
}

/** Statuses worth another attempt: busy (429), stopping or briefly unreachable. */
const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504]);
/** An event larger than this is refused rather than buffered (an exposure with 5,000 endpoints is ≈ 3 MB). */
const MAX_EVENT_CHARACTERS = 64 * 1024 * 1024;

type Attempt =
  | { kind: 'connected'; response: Response; request: Request }
  | { kind: 'deleted' }
  | { kind: 'failed'; error: unknown };

export async function* watchExposure(
  transport: WatchTransport,
  id: string,
  options: WatchOptions = {},
): AsyncGenerator<WatchEvent, void, undefined> {
  const settings = {
    maxAttempts: 10,
    initialDelayMs: 500,
    maxDelayMs: 30_000,
    ...transport.reconnect,
    ...options.reconnect,
  };
  const { signal } = options;
  let lastEventId = options.lastEventId;
  let retryMs = settings.initialDelayMs;
  let failures = 0;
  while (!signal?.aborted) {
    const attempt = await connect(transport, id, lastEventId, signal);
    if (signal?.aborted) return;
    if (attempt.kind === 'deleted') {
      yield { type: 'deleted', id };
      return;
    }
    if (attempt.kind === 'connected') {
      failures = 0;
      try {
        for await (const message of messages(attempt.response, signal, (ms) => (retryMs = ms))) {
          if (message.event === 'exposure') {
            lastEventId = message.id ?? lastEventId;
            yield { type: 'exposure', eventId: lastEventId ?? '', exposure: JSON.parse(message.data) };
          } else if (message.event === 'deleted') {
            const gone = JSON.parse(message.data) as { id: string };
            yield { type: 'deleted', id: gone.id, ...(message.id && { eventId: message.id }) };
            return;
          }
        }
      } catch (error) {
        if (signal?.aborted) return;
        if (error instanceof SyntaxError) throw error;
        // The connection dropped: resume below, like a stream the server ended.
      }
      if (signal?.aborted) return;
    } else if (++failures >= settings.maxAttempts) {
      throw attempt.error;
    }
    await pause(backoff(retryMs, failures, settings.maxDelayMs), signal);
  }
}

async function connect(
  transport: WatchTransport,
  id: string,
  lastEventId: string | undefined,
  signal: AbortSignal | undefined,
): Promise<Attempt> {
  const headers = new Headers({ accept: 'text/event-stream', 'cache-control': 'no-cache' });
  if (lastEventId !== undefined) headers.set('last-event-id', lastEventId);
  let request: Request;
  let response: Response;
  try {
    await applyCredentials(headers, transport.credentials);
    const url = `${transport.baseUrl}/exposures/${encodeURIComponent(id)}/watch`;
    request = new Request(url, { headers, ...(signal && { signal }) });
    response = await transport.fetch(request);
  } catch (error) {
    return { kind: 'failed', error };
  }
  if (response.ok) {
    const type = response.headers.get('content-type') ?? '';
    // The request is used after the fetch so that it stays reachable while the fetch waits: Node's
    // fetch passes the caller's abort on through the Request, which it holds only weakly, and a
    // collected Request leaves the abort nowhere to go. Once the response is read, `messages` ends
    // it at the abort itself.
    if (type.startsWith('text/event-stream')) return { kind: 'connected', response, request };
    await response.body?.cancel();
    throw new Error(
      `exposure-api answered ${type || 'no content type'} where text/event-stream was expected`,
    );
  }
  // Gone while we were away: the resumed watch ends as it would have with the connection kept.
  if (response.status === 404 && lastEventId !== undefined) {
    await response.body?.cancel();
    return { kind: 'deleted' };
  }
  const error = await errorOf(response);
  if (!RETRYABLE_STATUSES.has(response.status)) throw error;
  return { kind: 'failed', error };
}

/**
 * The events of one response; leaving the loop early releases the connection. The caller's abort
 * ends them here too, whatever the fetch did with the signal: a fetch of the caller's own may drop
 * it, and Node's stops passing it on once the Request is collected.
 */
async function* messages(
  response: Response,
  signal: AbortSignal | undefined,
  onRetry: (ms: number) => void,
): AsyncGenerator<EventSourceMessage> {
  if (!response.body) return;
  const reader = response.body
    .pipeThrough(new TextDecoderStream())
    .pipeThrough(
      new EventSourceParserStream({ onRetry, maxBufferSize: MAX_EVENT_CHARACTERS, onError: 'terminate' }),
    )
    .getReader();
  const stop = () => void reader.cancel(signal?.reason).catch(() => {});
  signal?.addEventListener('abort', stop, { once: true });
  try {
    for (;;) {
      if (signal?.aborted) return;
      const { value, done } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    signal?.removeEventListener('abort', stop);
    await reader.cancel().catch(() => {});
  }
}

/** Exponential, capped, with jitter so that the watchers of a stopped replica do not come back at once. */
function backoff(baseMs: number, failures: number, maxMs: number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, failures - 1));
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
