// One open watch stream: writes the events of one exposure to one client without ever waiting for
// it. While the client's socket is backed up (`write()` returned false, no 'drain' yet) only the
// latest frame is kept — a watcher needs the state now, not every state in between — and a stream
// that stays backed up too long is cut by the registry, so a slow reader costs one frame of memory
// and never delays anyone else.
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { WatchSnapshot, WatchSubscriber } from '../../application/watch/watch-topic.ts';
import { commentFrame, deletedFrame, type ExposureFrames, HEARTBEAT_FRAME } from './sse-frames.ts';

export interface EventStreamOptions {
  frames: ExposureFrames;
  /** Milliseconds of a monotonic clock. */
  now: () => number;
  /** Called once, when the response is closed for whatever reason. */
  onClosed: (stream: EventStream) => void;
}

export class EventStream implements WatchSubscriber {
  readonly subject: string;
  readonly #res: ServerResponse;
  readonly #options: EventStreamOptions;
  /** pending: headers not written yet; ending: the last frame is written or waits for the socket. */
  #state: 'pending' | 'open' | 'ending' | 'closed' = 'pending';
  /** The frame to write when the socket can take it (only the latest is kept). */
  #pending: Buffer | undefined;
  /** Before the stream opens: whether it ends after `#pending` (a `deleted` event, or a close). */
  #endAfterPending = false;
  #backedUpSince: number | undefined;
  #lastWriteAt: number;

  constructor(res: ServerResponse, subject: string, options: EventStreamOptions) {
    this.#res = res;
    this.subject = subject;
    this.#options = options;
    this.#lastWriteAt = options.now();
    res.once('close', () => {
      this.#state = 'closed';
      this.#pending = undefined;
      options.onClosed(this);
    });
  }

  get closed(): boolean {
    return this.#state === 'closed';
  }

  /** Runs `listener` once the stream is closed (at once if it is). */
  whenClosed(listener: () => void): void {
    if (this.#state === 'closed') listener();
    else this.#res.once('close', listener);
  }

  snapshot(snapshot: WatchSnapshot): void {
    this.#send(this.#options.frames.of(snapshot), false);
  }

  deleted(id: string): void {
    this.#send(deletedFrame(id), true);
  }

  /** Writes the response head and whatever arrived before it; the stream is live from here. */
  open(headers: OutgoingHttpHeaders, greeting: string): void {
    if (this.#state !== 'pending') return;
    this.#res.writeHead(200, headers);
    this.#state = 'open';
    this.#write(commentFrame(greeting));
    const pending = this.#pending;
    this.#pending = undefined;
    if (pending) this.#send(pending, this.#endAfterPending);
  }

  /** A comment line when nothing was written for `idleMs`, so that idle proxies keep the stream. */
  heartbeat(now: number, idleMs: number): void {
    if (this.#state !== 'open' || this.#backedUpSince !== undefined) return;
    if (now - this.#lastWriteAt >= idleMs) this.#write(HEARTBEAT_FRAME);
  }

  /** How long the client has not taken what was written, in ms (0 when it keeps up). */
  behindFor(now: number): number {
    return this.#backedUpSince === undefined ? 0 : now - this.#backedUpSince;
  }

  /** Ends the stream cleanly (the client resumes elsewhere with its last event id). */
  close(reason: string): void {
    if (this.#state === 'closed') return;
    if (this.#backedUpSince !== undefined) {
      // What is buffered would never be flushed to a client that does not read: cut it.
      this.abort();
      return;
    }
    this.#send(commentFrame(reason), true);
  }

  /** Drops the connection at once (a client that stopped reading). */
  abort(): void {
    if (this.#state === 'closed') return;
    this.#res.destroy();
  }

  #send(frame: Buffer, last: boolean): void {
    if (this.#state === 'closed' || this.#state === 'ending') return;
    if (this.#state === 'pending') {
      // A final frame already waiting (a `deleted` event) is not replaced by anything.
      if (this.#endAfterPending) return;
      this.#pending = frame;
      this.#endAfterPending = last;
      return;
    }
    if (last) {
      // It supersedes any frame still waiting; ending after it lets what is buffered flush first.
      this.#pending = undefined;
      this.#write(frame);
      this.#end();
      return;
    }
    if (this.#backedUpSince !== undefined) {
      this.#pending = frame;
      return;
    }
    this.#write(frame);
  }

  #write(frame: Buffer): void {
    const now = this.#options.now();
    this.#lastWriteAt = now;
    if (!this.#res.write(frame) && this.#backedUpSince === undefined) {
      this.#backedUpSince = now;
      this.#res.once('drain', this.#drained);
    }
  }

  readonly #drained = (): void => {
    this.#backedUpSince = undefined;
    const pending = this.#pending;
    this.#pending = undefined;
    if (pending) this.#send(pending, false);
  };

  #end(): void {
    this.#state = 'ending';
    this.#res.end();
  }
}
