import type { FastifyReply } from 'fastify';
import type { ExposureService } from '../../../application/exposure-service.ts';
import { Exposure, ExposureIdParams, GetExposureQuery } from '../../../schemas/exposure.ts';
import { sayCacheAge } from '../../cache-age.ts';
import { principalOf } from '../../plugins/authentication.ts';
import { CACHE_AGE_HEADERS, ETAG_HEADER, jsonResponse, problemResponses } from '../../response-schemas.ts';
import type { TypedApp } from '../../typed-app.ts';

export function getExposureRoute(app: TypedApp, exposures: ExposureService): void {
  app.get(
    '/exposures/:id',
    {
      schema: {
        operationId: 'getExposure',
        summary: 'Read an exposure: spec, Service, firewall, status, and every endpoint with its health',
        description:
          'Served from caches: no call to the Kubernetes or GCE API when the exposure is cached. Endpoint health comes from a short-lived probe cache; `refresh=true` probes again now. Lists at most `endpointLimit` endpoints, best first.',
        params: ExposureIdParams,
        querystring: GetExposureQuery,
        response: {
          200: jsonResponse(Exposure, 'The exposure', { ...ETAG_HEADER, ...CACHE_AGE_HEADERS }),
          ...problemResponses(400, 404, 408, 414, 429, 431, 503),
        },
      },
    },
    (request, reply) => {
      const age = sayCacheAge(reply, exposures.cacheAge());
      const options = {
        refresh: request.query.refresh === true,
        ...(request.query.endpointLimit !== undefined && { endpointLimit: request.query.endpointLimit }),
      };
      // Stale answers are rare: built for the occasion, with their age, and serialized by send().
      if (age !== undefined) {
        return exposures
          .get(principalOf(request), request.params.id, options)
          .then(({ exposure, etag }) => sendWithEtag(reply, etag, { ...exposure, cacheAgeSeconds: age }));
      }
      // Fresh answers are the views' kept text, serialized by this route's own serializer for a
      // 200 application/json answer: the same bytes send() would make of the view. A repeated read
      // is answered at once (no promise); the handler then returns nothing, as Fastify asks of a
      // handler that has sent its answer itself.
      const result = exposures.getEncoded(
        principalOf(request),
        request.params.id,
        options,
        (view) => reply.serializeInput(view, '200', 'application/json') as string,
      );
      if (result instanceof Promise) return result.then(({ body, etag }) => sendWithEtag(reply, etag, body));
      sendWithEtag(reply, result.etag, result.body);
      return undefined;
    },
  );
}

/** The answer with its ETag, as JSON: the view's kept text, or the view itself for send() to serialize. */
function sendWithEtag(reply: FastifyReply, etag: string, payload: unknown): FastifyReply {
  return reply.header('etag', etag).type('application/json; charset=utf-8').send(payload);
}
