// The bytes of a watch stream (server-sent events: `field: value` lines, an event ended by a blank
// line, `:` lines are comments). Written by hand rather than through an SSE library because an
// exposure event is encoded once per change and the same Buffer written to every watcher of it;
// the libraries encode per connection. JSON never holds a raw line break, so `data` is one line.
import type { WatchSnapshot } from '../../application/watch/watch-topic.ts';
import type { Exposure } from '../../schemas/exposure.ts';

export type ExposureSerializer = (exposure: Exposure) => string;

/** Encodes each snapshot once, however many streams it is written to. */
export class ExposureFrames {
  readonly #serialize: ExposureSerializer;
  readonly #frames = new WeakMap<WatchSnapshot, Buffer>();

  constructor(serialize: ExposureSerializer) {
    this.#serialize = serialize;
  }

  of(snapshot: WatchSnapshot): Buffer {
    let frame = this.#frames.get(snapshot);
    if (!frame) {
      frame = Buffer.from(
        `id: ${snapshot.version}\nevent: exposure\ndata: ${this.#serialize(snapshot.exposure)}\n\n`,
      );
      this.#frames.set(snapshot, frame);
    }
    return frame;
  }
}

export function deletedFrame(id: string): Buffer {
  return Buffer.from(`event: deleted\ndata: ${JSON.stringify({ id })}\n\n`);
}

export function commentFrame(text: string): Buffer {
  return Buffer.from(`: ${text.replace(/[\r\n]+/g, ' ')}\n\n`);
}

export const HEARTBEAT_FRAME = commentFrame('heartbeat');
