import type { FastifyInstance } from 'fastify';
import type { ExposureService } from '../../../application/exposure-service.ts';
import { ExposureList, ListExposuresQuery } from '../../../schemas/exposure.ts';
import { jsonResponse, problemResponses } from '../../response-schemas.ts';

export function listExposuresRoute(app: FastifyInstance, exposures: ExposureService): void {
  app.get<{ Querystring: ListExposuresQuery }>(
    '/exposures',
    {
      onRequest: app.requireAuthentication,
      schema: {
        operationId: 'listExposures',
        tags: ['exposures'],
        summary: 'List exposures in the namespaces you may use',
        description:
          'Oldest first. Items leave out the endpoint list (see `endpointSummary`) and use cached health only. Pass `nextCursor` back as `cursor` for the next page.',
        security: [{ bearerAuth: [] }],
        querystring: ListExposuresQuery,
        response: {
          200: jsonResponse(ExposureList, 'A page of exposures'),
          ...problemResponses(400, 401, 503),
        },
      },
    },
    async (request) => exposures.list(request.principal!, request.query),
  );
}
