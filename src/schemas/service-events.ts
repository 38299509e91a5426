// The recent Kubernetes Events of an exposure's Service as `GET /exposures/{id}/events` serves them:
// what `kubectl describe svc` shows under Events, from a cache (no call to the Kubernetes API).
import { type Static, Type } from 'typebox';
import { MAX_EVENTS_PER_READ } from '../domain/recent-events.ts';
import { ref } from './reference.ts';

/** How old the data of a read from the caches may be; shared by the reads that say it. */
export const CacheAgeSeconds = Type.Integer({
  minimum: 0,
  description:
    'Present only when the watch on the Kubernetes API has been broken for longer than `cluster.staleAfterSeconds`: the answer comes from the caches, whose data may be this many seconds old (also in the `X-Cache-Age` header).',
});

export const ServiceEvent = Type.Object(
  {
    type: Type.Union([Type.Literal('Normal'), Type.Literal('Warning')]),
    reason: Type.String({ description: 'A CamelCase word', examples: ['FirewallDrifted'] }),
    message: Type.String(),
    count: Type.Integer({ minimum: 1, description: 'How many times it happened.' }),
    firstTimestamp: Type.String({ format: 'date-time' }),
    lastTimestamp: Type.String({ format: 'date-time' }),
    source: Type.String({ description: 'Who reported it, e.g. `exposure-api`.' }),
  },
  {
    $id: 'ServiceEvent',
    additionalProperties: false,
    description: "A Kubernetes Event on the exposure's Service.",
  },
);
export type ServiceEvent = Static<typeof ServiceEvent>;

export const ServiceEventList = Type.Object(
  {
    items: Type.Array(ref(ServiceEvent), {
      description: 'Newest first. Kubernetes keeps Events for an hour by default.',
    }),
    cacheAgeSeconds: Type.Optional(CacheAgeSeconds),
  },
  { $id: 'ServiceEventList', additionalProperties: false },
);
export type ServiceEventList = Static<typeof ServiceEventList>;

export const ServiceEventsQuery = Type.Object(
  {
    limit: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: MAX_EVENTS_PER_READ,
        description: `Events to list at most, newest first (default and most: ${MAX_EVENTS_PER_READ}, what the cache keeps per exposure).`,
      }),
    ),
  },
  { additionalProperties: false },
);
export type ServiceEventsQuery = Static<typeof ServiceEventsQuery>;

/** Named schemas in dependency order, registered with `app.addSchema`. */
export const serviceEventSchemas = [ServiceEvent, ServiceEventList];
