import type { ExposureService } from '../../../application/exposure-service.ts';
import { ExposureIdParams } from '../../../schemas/exposure.ts';
import { ServiceEventList, ServiceEventsQuery } from '../../../schemas/service-events.ts';
import { sayCacheAge } from '../../cache-age.ts';
import { principalOf } from '../../plugins/authentication.ts';
import { CACHE_AGE_HEADERS, jsonResponse, problemResponses } from '../../response-schemas.ts';
import type { TypedApp } from '../../typed-app.ts';

export function exposureEventsRoute(app: TypedApp, exposures: ExposureService): void {
  app.get(
    '/exposures/:id/events',
    {
      schema: {
        operationId: 'exposureEvents',
        summary: "An exposure's recent events: created, drifted, repaired, failed, quota, expired…",
        description:
          "The Kubernetes Events on the exposure's Service, newest first, as `kubectl describe svc` lists them: what the reconciler did to its firewall rules and why it failed. Served from a cache of Events (no call to the Kubernetes API), which keeps the newest of each exposure; Kubernetes itself keeps Events an hour by default.",
        querystring: ServiceEventsQuery,
        params: ExposureIdParams,
        response: {
          200: jsonResponse(ServiceEventList, 'The recent events, newest first', CACHE_AGE_HEADERS),
          ...problemResponses(400, 404, 408, 414, 429, 431, 503),
        },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const age = sayCacheAge(reply, exposures.cacheAge());
      const list = await exposures.events(principal, request.params.id, {
        ...(request.query.limit !== undefined && { limit: request.query.limit }),
      });
      return age === undefined ? list : { ...list, cacheAgeSeconds: age };
    },
  );
}
