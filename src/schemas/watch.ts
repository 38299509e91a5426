// The watch of an exposure as the HTTP API serves it: a stream of server-sent events. These schemas
// validate the resume parameters and document the events (each event's `data` is JSON; the stream
// itself is `text/event-stream`, see https://html.spec.whatwg.org/multipage/server-sent-events.html).
import { type Static, Type } from 'typebox';
import { EXPOSURE_ID } from '../domain/patterns.ts';
import { Exposure } from './exposure.ts';
import { ref } from './reference.ts';

/** Longest event id accepted back (ours are 22 characters; room for other formats). */
const MAX_EVENT_ID_LENGTH = 256;

const EVENT_ID_DESCRIPTION =
  'The `id` of the last event received. The current exposure is sent at once only if it differs from what that event showed; otherwise the stream starts with the next change.';

export const WatchExposureQuery = Type.Object(
  {
    lastEventId: Type.Optional(
      Type.String({
        maxLength: MAX_EVENT_ID_LENGTH,
        description: `${EVENT_ID_DESCRIPTION} For clients that cannot set the \`Last-Event-ID\` header (which wins when both are sent).`,
      }),
    ),
  },
  { additionalProperties: false },
);
export type WatchExposureQuery = Static<typeof WatchExposureQuery>;

export const WatchExposureHeaders = Type.Object({
  'last-event-id': Type.Optional(
    Type.String({ maxLength: MAX_EVENT_ID_LENGTH, description: EVENT_ID_DESCRIPTION }),
  ),
});

export const ExposureEvent = Type.Object(
  {
    event: Type.Literal('exposure'),
    id: Type.String({
      description:
        "A version of what the exposure shows: a digest of everything in it except the times and latencies of observations (endpoints' `health.checkedAt` and `health.latencyMs`, conditions' `lastTransitionTime`). Every replica gives the same state the same id, so any of them can resume a stream from it. Opaque: compare for equality only.",
    }),
    // On the wire an event's data is text: JSON, whose schema is that of GET /exposures/{id}.
    data: Type.String({ contentMediaType: 'application/json', contentSchema: ref(Exposure) }),
  },
  {
    $id: 'ExposureEvent',
    additionalProperties: false,
    description:
      'The exposure now, exactly as `GET /exposures/{id}` serves it. Sent at once when the stream opens, then whenever its phase, conditions, endpoints or their health, spec or firewall rules change; not when only the times of probes do.',
  },
);
export type ExposureEvent = Static<typeof ExposureEvent>;

export const ExposureDeletedEvent = Type.Object(
  {
    event: Type.Literal('deleted'),
    data: Type.String({
      contentMediaType: 'application/json',
      contentSchema: Type.Object(
        { id: Type.String({ pattern: EXPOSURE_ID }) },
        { additionalProperties: false },
      ),
    }),
  },
  {
    $id: 'ExposureDeletedEvent',
    additionalProperties: false,
    description:
      'The exposure is gone (its rules and its Service are deleted). The last event: the stream closes after it. It has no `id`.',
  },
);
export type ExposureDeletedEvent = Static<typeof ExposureDeletedEvent>;

export const WatchEvent = Type.Union([ref(ExposureEvent), ref(ExposureDeletedEvent)], {
  $id: 'WatchEvent',
  description:
    'One event of a watch stream, written as server-sent event fields: `id:` (exposure events only), `event:` (the name), and `data:` (JSON, on one line, whose schema is the `contentSchema` of `data`). Comment lines (starting with `:`) are heartbeats.',
});
export type WatchEvent = Static<typeof WatchEvent>;

export const watchSchemas = [ExposureEvent, ExposureDeletedEvent, WatchEvent];
