import type { ExposureService } from '../../../application/exposure-service.ts';
import { Exposure, ExposureIdParams, GetExposureQuery } from '../../../schemas/exposure.ts';
import { sayCacheAge } from '../../cache-age.ts';
import { principalOf } from '../../plugins/authentication.ts';
import { CACHE_AGE_HEADERS, ETAG_HEADER, jsonResponse, problemResponses } from '../../response-schemas.ts';
import type { TypedApp } from '../../typed-app.ts';

export function getExposureRoute(app: TypedApp, exposures: ExposureService): void {
  const serialized = new WeakMap<object, string>();
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
    async (request, reply) => {
      const age = sayCacheAge(reply, exposures.cacheAge());
      const result = await exposures.get(principalOf(request), request.params.id, {
        refresh: request.query.refresh === true,
        ...(request.query.endpointLimit !== undefined && { endpointLimit: request.query.endpointLimit }),
      });
      // An unchanged exposure is the same object (see ExposureViews): serialize it once.
      // Serialized with the route's response schema for 200 application/json, as send() would.
      reply.header('etag', result.etag).type('application/json; charset=utf-8');
      // Stale answers are rare and not memoized: the view object stays what every other read shares.
      if (age !== undefined) return reply.send({ ...result.exposure, cacheAgeSeconds: age });
      let body = serialized.get(result.exposure);
      if (body === undefined) {
        body = reply.serializeInput(result.exposure, '200', 'application/json') as string;
        serialized.set(result.exposure, body);
      }
      return reply.send(body);
    },
  );
}
