// The open watch streams of this replica: admits new ones within the limits (per caller and in all),
// keeps idle ones alive with heartbeats, cuts clients that stopped reading, and closes every stream
// when the server stops so that a graceful stop does not wait for streams that never end.
import type { ServerResponse } from 'node:http';
import { EventStream } from './event-stream.ts';
import type { ExposureFrames } from './sse-frames.ts';

export interface StreamLimits {
  /** Open streams one caller (authenticated subject) may hold on this replica. */
  perCaller: number;
  /** Open streams this replica holds in all. */
  total: number;
  /** A stream with nothing written for this long gets a heartbeat comment. */
  heartbeatMs: number;
  /** A stream whose client has not taken what was written for this long is cut. */
  slowReaderMs: number;
}

/** The sweep runs a few times per heartbeat, at least once a second. */
const MAX_SWEEP_MS = 1000;

export class StreamRegistry {
  readonly #limits: StreamLimits;
  readonly #now: () => number;
  readonly #streams = new Set<EventStream>();
  readonly #perCaller = new Map<string, number>();
  #sweep: NodeJS.Timeout | undefined;
  #stopping = false;

  constructor(limits: StreamLimits, now: () => number = () => performance.now()) {
    this.#limits = limits;
    this.#now = now;
  }

  get open(): number {
    return this.#streams.size;
  }

  /** A stream for the caller, not yet open; or why there is none (a limit is reached). */
  admit(subject: string, res: ServerResponse, frames: ExposureFrames): EventStream | { refused: string } {
    if (this.#stopping) return { refused: 'the server is stopping' };
    const mine = this.#perCaller.get(subject) ?? 0;
    if (mine >= this.#limits.perCaller) {
      return {
        refused: `you hold ${mine} open watch streams on this replica, as many as one caller may; close one first`,
      };
    }
    if (this.#streams.size >= this.#limits.total) {
      return {
        refused: `this replica holds ${this.#streams.size} watch streams, as many as it serves; retry later`,
      };
    }
    const stream = new EventStream(res, subject, {
      frames,
      now: this.#now,
      onClosed: (closed) => this.release(closed),
    });
    this.#streams.add(stream);
    this.#perCaller.set(subject, mine + 1);
    this.#startSweep();
    return stream;
  }

  /** Gives a stream's place back (idempotent); called when its response closes. */
  release(stream: EventStream): void {
    if (!this.#streams.delete(stream)) return;
    const left = (this.#perCaller.get(stream.subject) ?? 1) - 1;
    if (left > 0) this.#perCaller.set(stream.subject, left);
    else this.#perCaller.delete(stream.subject);
    if (this.#streams.size === 0) this.#stopSweep();
  }

  /** Ends every stream and admits no more (the server is stopping). */
  closeAll(reason: string): void {
    this.#stopping = true;
    for (const stream of [...this.#streams]) stream.close(reason);
  }

  #startSweep(): void {
    if (this.#sweep) return;
    const every = Math.min(MAX_SWEEP_MS, this.#limits.heartbeatMs / 4, this.#limits.slowReaderMs / 4);
    this.#sweep = setInterval(() => this.#tick(), every);
    this.#sweep.unref();
  }

  #stopSweep(): void {
    clearInterval(this.#sweep);
    this.#sweep = undefined;
  }

  #tick(): void {
    const now = this.#now();
    for (const stream of this.#streams) {
      if (stream.behindFor(now) > this.#limits.slowReaderMs) stream.abort();
      else stream.heartbeat(now, this.#limits.heartbeatMs);
    }
  }
}
