import { Type } from 'typebox';
import type { ExposureService } from '../../../application/exposure-service.ts';
import { Exposure, ExposureIdParams } from '../../../schemas/exposure.ts';
import { audit } from '../../audit.ts';
import { principalOf } from '../../plugins/authentication.ts';
import { parsePrefer } from '../../prefer.ts';
import { ETAG_HEADER, jsonResponse, problemResponses } from '../../response-schemas.ts';
import type { TypedApp } from '../../typed-app.ts';

const DeleteHeaders = Type.Object({
  prefer: Type.Optional(Type.String({ description: 'RFC 7240: `wait=N` or `respond-async`' })),
  'if-match': Type.Optional(Type.String({ description: 'Delete only if the spec still has this ETag' })),
});

export function deleteExposureRoute(
  app: TypedApp,
  exposures: ExposureService,
  defaultWaitSeconds: number,
): void {
  app.delete(
    '/exposures/:id',
    {
      schema: {
        operationId: 'deleteExposure',
        summary: 'Delete an exposure: its firewall rules first, then its Service',
        description: `Waits up to ${defaultWaitSeconds} s (or \`Prefer: wait=N\`) for both to be gone and answers 204; if that takes longer, 202 with the exposure in phase Deleting. \`Prefer: respond-async\` answers 202 at once. Nothing is left behind: the Service carries a finalizer until its rules are deleted.`,
        params: ExposureIdParams,
        headers: DeleteHeaders,
        response: {
          202: jsonResponse(Exposure, 'Deletion is under way (phase Deleting).', ETAG_HEADER),
          204: { type: 'null', description: 'Deleted: the firewall rules and the Service are gone.' },
          ...problemResponses(400, 404, 408, 412, 414, 429, 431, 503),
        },
      },
    },
    async (request, reply) => {
      const prefer = parsePrefer(request.headers.prefer);
      const waitSeconds = prefer.respondAsync ? 0 : (prefer.waitSeconds ?? defaultWaitSeconds);
      const ifMatch = request.headers['if-match'];
      const outcome = await exposures.delete(principalOf(request), request.params.id, {
        waitMs: waitSeconds * 1000,
        ...(ifMatch !== undefined && { ifMatch }),
      });
      audit(request, 'exposure.delete', outcome.target, { outcome: outcome.state });
      // No body goes out with a 204; null is what its response schema describes.
      if (outcome.state === 'deleted') return reply.code(204).send(null);
      return reply.code(202).header('etag', outcome.etag).send(outcome.exposure);
    },
  );
}
