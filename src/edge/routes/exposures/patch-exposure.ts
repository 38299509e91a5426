import { Type } from 'typebox';
import type { ExposureService } from '../../../application/exposure-service.ts';
import { ExposureProblem } from '../../../application/problems.ts';
import { IMMUTABLE_FIELDS } from '../../../domain/exposure-spec.ts';
import { invalid } from '../../../domain/violation.ts';
import { Exposure, ExposureIdParams, PatchExposureRequest } from '../../../schemas/exposure.ts';
import { ref } from '../../../schemas/reference.ts';
import { audit } from '../../audit.ts';
import { principalOf } from '../../plugins/authentication.ts';
import { ETAG_HEADER, jsonResponse, problemResponses } from '../../response-schemas.ts';
import type { TypedApp } from '../../typed-app.ts';

const PatchHeaders = Type.Object({
  'if-match': Type.Optional(Type.String({ description: 'An ETag from a previous read' })),
});

export function patchExposureRoute(app: TypedApp, exposures: ExposureService): void {
  app.patch(
    '/exposures/:id',
    {
      // Say plainly that identity fields cannot change, rather than "not a known field".
      preValidation: async (request) => {
        const body: unknown = request.body;
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
        summary: 'Change the source ranges, ports, labels or expiry of an exposure',
        description:
          'A JSON merge patch (`application/merge-patch+json`, RFC 7396). The result is validated like a create; the Service is updated and the firewall rule patched in place (never re-created). With `If-Match`, the change is made only if the spec still has that ETag (412 otherwise).',
        params: ExposureIdParams,
        headers: PatchHeaders,
        body: ref(PatchExposureRequest),
        response: {
          200: jsonResponse(Exposure, 'The changed exposure, with the new ETag', ETAG_HEADER),
          ...problemResponses(400, 403, 404, 408, 409, 412, 413, 414, 415, 422, 429, 431, 503),
        },
      },
    },
    async (request, reply) => {
      const ifMatch = request.headers['if-match'];
      const result = await exposures.patch(principalOf(request), request.params.id, request.body, {
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
