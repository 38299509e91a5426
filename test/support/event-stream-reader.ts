// Reads a server-sent event stream over a plain HTTP connection of its own, recording its events and
// comments as they arrive, and whether the stream ended cleanly or was cut. For tests of the watch
// route that look at the wire itself (the typed client parses streams its own way).
import { once } from 'node:events';
import { get, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { eventually } from './eventually.ts';

export interface StreamEvent {
  id?: string;
  event?: string;
  data: string;
}

export class EventStreamReader {
  readonly events: StreamEvent[] = [];
  readonly comments: string[] = [];
  /** The body of an answer that is not a stream (a problem). */
  body = '';
  ended = false;
  cut = false;
  status = 0;
  headers: IncomingHttpHeaders = {};
  response!: IncomingMessage;
  #buffer = '';

  /** Opens the stream; with `reading: false` the client takes nothing from its socket until resumed. */
  static async open(
    url: string,
    headers: Record<string, string> = {},
    options: { reading?: boolean } = {},
  ): Promise<EventStreamReader> {
    const reader = new EventStreamReader();
    const request = get(url, { headers, agent: false });
    request.on('error', () => {
      reader.cut = true;
    });
    const [response] = (await once(request, 'response')) as [IncomingMessage];
    reader.response = response;
    reader.status = response.statusCode ?? 0;
    reader.headers = response.headers;
    if (options.reading === false) response.pause();
    response.setEncoding('utf8');
    const streaming = String(response.headers['content-type']).startsWith('text/event-stream');
    response.on('data', (chunk: string) => {
      if (streaming) reader.#read(chunk);
      else reader.body += chunk;
    });
    response.on('end', () => {
      reader.ended = true;
    });
    for (const failure of ['aborted', 'error'] as const) {
      response.on(failure, () => {
        reader.cut = true;
      });
    }
    return reader;
  }

  /** Waits until `count` events have arrived, and returns the last of them. */
  async event(count: number, timeoutMs = 5_000): Promise<StreamEvent> {
    await eventually(
      () => this.events.length,
      (length) => length >= count,
      { timeoutMs, what: `event ${count} of the stream (${this.events.length} so far)` },
    );
    return this.events[count - 1] as StreamEvent;
  }

  async closed(timeoutMs = 5_000): Promise<void> {
    await eventually(
      () => this.ended || this.cut,
      (over) => over,
      { timeoutMs, what: 'the end of the stream' },
    );
  }

  close(): void {
    this.response.destroy();
  }

  #read(chunk: string): void {
    this.#buffer += chunk.replace(/\r\n?/g, '\n');
    for (let end = this.#buffer.indexOf('\n\n'); end >= 0; end = this.#buffer.indexOf('\n\n')) {
      const block = this.#buffer.slice(0, end);
      this.#buffer = this.#buffer.slice(end + 2);
      const event: StreamEvent = { data: '' };
      const data: string[] = [];
      for (const line of block.split('\n')) {
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === '') this.comments.push(value);
        else if (field === 'data') data.push(value);
        else if (field === 'id') event.id = value;
        else if (field === 'event') event.event = value;
      }
      if (data.length === 0) continue;
      event.data = data.join('\n');
      this.events.push(event);
    }
  }
}
