import type { OutgoingHttpHeaders } from 'node:http';
import type { ExposureWatch, WatchSubscription } from '../../../application/watch/exposure-watch.ts';
import { Exposure, ExposureIdParams } from '../../../schemas/exposure.ts';
import { ref } from '../../../schemas/reference.ts';
import { WatchEvent, WatchExposureHeaders, WatchExposureQuery } from '../../../schemas/watch.ts';
import { principalOf } from '../../plugins/authentication.ts';
import { sendProblem } from '../../plugins/problem-details.ts';
import { problemResponses } from '../../response-schemas.ts';
import type { TypedApp } from '../../typed-app.ts';
import { ExposureFrames } from '../../watch/sse-frames.ts';
import { type StreamLimits, StreamRegistry } from '../../watch/stream-registry.ts';

/** The schema GET /exposures/{id} serializes with: the events carry the same JSON. */
const EXPOSURE_JSON: Record<string, unknown> = { ...ref(Exposure) };

/**
 * What keeps the stream flowing through proxies: `no-transform` stops compressing proxies (and
 * compression middleware such as Backstage's) from holding events back to fill a compressed block,
 * and `X-Accel-Buffering: no` stops nginx from buffering the response.
 */
const STREAM_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  'x-accel-buffering': 'no',
};

const DESCRIPTION = [
  'A stream of server-sent events (`text/event-stream`): the exposure now, then again whenever what it shows changes (phase, conditions, endpoints and their health, spec, firewall rules), until it is deleted.',
  '',
  '- `event: exposure` — `data` is the exposure exactly as `GET /exposures/{id}` serves it; `id` is a version of that state (a digest, the same on every replica).',
  '- `event: deleted` — `data` is `{"id": …}`; the last event, then the stream closes.',
  '- Comment lines (`: heartbeat`) when nothing else was sent for `server.watchHeartbeatSeconds` (15 s by default), so that proxies that cut idle connections keep the stream.',
  '',
  'Resume after a dropped connection with `Last-Event-ID` (or `?lastEventId=`, for clients that cannot set headers), on any replica: the current exposure comes at once only if it differs from what that event showed, so a resumed stream misses no change and repeats none. A 404 on resume means the exposure was deleted meanwhile. Streams end when a load balancer bounds the time of a whole response (GKE Ingress: the BackendConfig `timeoutSec`, 30 s by default) and when a replica stops: resume then.',
  '',
  'Served from caches, like a read: no call to the Kubernetes or GCE API per watcher; while anyone watches, the endpoints are probed again every `probe.cacheTtlMs` (at least a second apart) for all of them at once. A client that does not read gets only the latest state when it catches up, and is cut after `server.watchSlowReaderSeconds`. Open streams are limited per caller and per replica (429).',
].join('\n');

export function watchExposureRoute(app: TypedApp, watch: ExposureWatch, limits: StreamLimits): void {
  const registry = new StreamRegistry(limits);
  let frames: ExposureFrames | undefined;
  // A graceful stop waits for open connections: streams never end by themselves, so end them first.
  app.addHook('preClose', (done) => {
    registry.closeAll('the server is stopping; resume with Last-Event-ID');
    done();
  });
  app.get(
    '/exposures/:id/watch',
    {
      // A HEAD would open a stream whose events are thrown away.
      exposeHeadRoute: false,
      schema: {
        operationId: 'watchExposure',
        summary: 'Follow an exposure: its state now, then every change, as server-sent events',
        description: DESCRIPTION,
        params: ExposureIdParams,
        querystring: WatchExposureQuery,
        headers: WatchExposureHeaders,
        response: {
          200: {
            description:
              'An event stream that stays open: `exposure` events, heartbeat comments, and a final `deleted` event. Each event is one of `WatchEvent`.',
            headers: {
              'Cache-Control': { type: 'string', description: '`no-cache, no-transform`' },
              'X-Accel-Buffering': { type: 'string', description: '`no`' },
            },
            content: { 'text/event-stream': { schema: ref(WatchEvent) } },
          },
          ...problemResponses(400, 404, 429, 503),
        },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      frames ??= new ExposureFrames(
        reply.compileSerializationSchema(EXPOSURE_JSON) as (exposure: Exposure) => string,
      );
      const admitted = registry.admit(principal.subject, reply.raw, frames);
      if ('refused' in admitted) return sendProblem(request, reply, 'too-many-streams', admitted.refused);
      const stream = admitted;
      let subscription: WatchSubscription;
      try {
        subscription = await watch.subscribe(principal, request.params.id, stream, {
          ...lastEventId(request.headers['last-event-id'], request.query.lastEventId),
        });
      } catch (error) {
        registry.release(stream);
        throw error;
      }
      // From here the route writes the response itself, for as long as the stream lasts.
      reply.hijack();
      stream.whenClosed(() => subscription.close());
      stream.open(
        { ...(reply.getHeaders() as OutgoingHttpHeaders), ...STREAM_HEADERS },
        `watching ${request.params.id}`,
      );
    },
  );
}

function lastEventId(header: string | undefined, query: string | undefined): { lastVersion?: string } {
  const id = header ?? query;
  return id === undefined ? {} : { lastVersion: id };
}
