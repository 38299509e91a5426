// An exposure's status stream relayed to the browser as server-sent events. Backstage's root HTTP
// router compresses responses (compression() gzips text/event-stream too and holds the events in
// zlib until the response ends); `Cache-Control: no-transform` makes it pass the stream through as
// it is written. `X-Accel-Buffering: no` does the same for an nginx in front of Backstage.

import type { ExposureClient, WatchEvent } from '@exposure-api/backstage-plugin-exposure-api-node';
import { toBackstageError } from '@exposure-api/backstage-plugin-exposure-api-node';
import type { Request, Response } from 'express';

/** A comment line when nothing was sent for this long, so that proxies do not cut a quiet stream. */
const HEARTBEAT_MS = 15_000;

export interface RelayOptions {
  client: ExposureClient;
  id: string;
  /** Whether an exposure the stream shows is still one of the entity's (its labels may change). */
  stillBelongs: (event: WatchEvent) => Promise<boolean>;
}

/**
 * Relays the watch until the exposure is deleted, stops belonging to the entity, or the browser
 * leaves. Headers are sent with the first event, so that a problem before it (a 404, a refused
 * token) is still answered as an ordinary error.
 */
export async function relayWatch(req: Request, res: Response, options: RelayOptions): Promise<void> {
  const abort = new AbortController();
  res.on('close', () => abort.abort());
  const lastEventId = req.header('last-event-id');
  const events = options.client.watchExposure(options.id, {
    signal: abort.signal,
    ...(lastEventId && { lastEventId }),
  });
  let heartbeat: NodeJS.Timeout | undefined;
  try {
    for await (const event of events) {
      if (!res.headersSent) {
        startStream(res);
        heartbeat = setInterval(() => res.write(': heartbeat\n\n'), HEARTBEAT_MS);
      }
      if (event.type === 'exposure' && !(await options.stillBelongs(event))) break;
      res.write(encode(event));
      heartbeat?.refresh();
      if (event.type === 'deleted') break;
    }
  } catch (error) {
    throw toBackstageError(error);
  } finally {
    clearInterval(heartbeat);
  }
  if (!res.headersSent) startStream(res);
  res.end();
}

function startStream(res: Response): void {
  res.status(200);
  res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
  res.setHeader('Cache-Control', 'no-cache, no-transform');
  res.setHeader('X-Accel-Buffering', 'no');
  res.flushHeaders();
}

function encode(event: WatchEvent): string {
  const id = event.eventId ? `id: ${event.eventId}\n` : '';
  const data = event.type === 'exposure' ? event.exposure : { id: event.id };
  return `${id}event: ${event.type}\ndata: ${JSON.stringify(data)}\n\n`;
}
