import type { FastifyInstance } from 'fastify';
import type { Static } from 'typebox';
import type { ExposureService } from '../../../application/exposure-service.ts';
import { ExposureProblem } from '../../../application/problems.ts';
import { IMMUTABLE_FIELDS } from '../../../domain/exposure-spec.ts';
import { invalid } from '../../../domain/violation.ts';
import { Exposure, ExposureIdParams, PatchExposureRequest } from '../../../schemas/exposure.ts';
import { ref } from '../../../schemas/reference.ts';
import { audit } from '../../audit.ts';
import { ETAG_HEADER, jsonResponse, problemResponses } from '../../response-schemas.ts';

export function patchExposureRoute(app: FastifyInstance, exposures: ExposureService): void {
  app.patch<{ Params: Static<typeof ExposureIdParams>; Body: PatchExposureRequest }>(
    '/exposures/:id',
    {
      onRequest: app.requireAuthentication,
      // Say plainly that identity fields cannot change, rather than "not a known field".
      preValidation: async (request) => {
        const body = request.body;
        if (body === null || typeof body !== 'object' || Array.isArray(body)) return;
        const immutable = IMMUTABLE_FIELDS.filter((field) => field in body);
        if (immutable.length > 0) {
          throw new ExposureProblem(
            'validation-failed',
            'these fields cannot be changed; create another exposure',
            {
              violations: immutable.map((field) => invalid(`/${field}`, 'cannot be changed after creation')),
            },
          );
        }
      },
      schema: {
        operationId: 'patchExposure',
        tags: ['exposures'],
        summary: 'Change the source ranges, ports, labels or expiry of an exposure',
        description:
          'A JSON merge patch (`application/merge-patch+json`, RFC 7396). The result is validated like a create; the Service is updated and the firewall rule patched in place (never re-created). With `If-Match`, the change is made only if the spec still has that ETag (412 otherwise).',
        security: [{ bearerAuth: [] }],
        params: ExposureIdParams,
        headers: {
          type: 'object',
          properties: { 'if-match': { type: 'string', description: 'An ETag from a previous read' } },
        },
        body: ref(PatchExposureRequest),
        response: {
          200: jsonResponse(Exposure, 'The changed exposure, with the new ETag', ETAG_HEADER),
          ...problemResponses(400, 401, 404, 409, 412, 413, 415, 422, 503),
        },
      },
    },
    async (request, reply) => {
      const ifMatch = request.headers['if-match'];
      const result = await exposures.patch(request.principal!, request.params.id, request.body, {
        ...(ifMatch !== undefined && { ifMatch }),
      });
      audit(request, 'exposure.patch', result.exposure, {
        changed: Object.keys(request.body),
        generation: result.exposure.generation,
      });
      return reply.header('etag', result.etag).send(result.exposure);
    },
  );
}
