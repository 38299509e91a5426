import type { ExposureService } from '../../../application/exposure-service.ts';
import { ExposureList, ListExposuresQuery } from '../../../schemas/exposure.ts';
import { sayCacheAge } from '../../cache-age.ts';
import { principalOf } from '../../plugins/authentication.ts';
import { CACHE_AGE_HEADERS, jsonResponse, problemResponses } from '../../response-schemas.ts';
import type { TypedApp } from '../../typed-app.ts';

export function listExposuresRoute(app: TypedApp, exposures: ExposureService): void {
  app.get(
    '/exposures',
    {
      schema: {
        operationId: 'listExposures',
        summary: 'List exposures in the namespaces you may use',
        description:
          'Oldest first. Items leave out the endpoint list (see `endpointSummary`) and use cached health only. Pass `nextCursor` back as `cursor` for the next page.',
        querystring: ListExposuresQuery,
        response: {
          200: jsonResponse(ExposureList, 'A page of exposures', CACHE_AGE_HEADERS),
          ...problemResponses(400, 408, 429, 431, 503),
        },
      },
    },
    async (request, reply) => {
      const age = sayCacheAge(reply, exposures.cacheAge());
      const page = await exposures.list(principalOf(request), request.query);
      return age === undefined ? page : { ...page, cacheAgeSeconds: age };
    },
  );
}
