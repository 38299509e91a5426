import { Type } from 'typebox';
import type { ExposureService } from '../../../application/exposure-service.ts';
import { CreateExposureRequest, Exposure } from '../../../schemas/exposure.ts';
import { ref } from '../../../schemas/reference.ts';
import { audit } from '../../audit.ts';
import { principalOf } from '../../plugins/authentication.ts';
import { parsePrefer } from '../../prefer.ts';
import { ETAG_HEADER, jsonResponse, LOCATION_HEADER, problemResponses } from '../../response-schemas.ts';
import type { TypedApp } from '../../typed-app.ts';

const CreateHeaders = Type.Object({
  prefer: Type.Optional(Type.String({ description: 'RFC 7240, e.g. `wait=10`', examples: ['wait=10'] })),
  'idempotency-key': Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 255,
      pattern: '^[\\x20-\\x7e]+$',
      description: 'Makes retries of this create safe: the same key and body give the same exposure.',
    }),
  ),
});

export function createExposureRoute(app: TypedApp, exposures: ExposureService): void {
  app.post(
    '/exposures',
    {
      schema: {
        operationId: 'createExposure',
        summary: 'Expose a workload: create a NodePort Service and open the firewall for it',
        description:
          'Validates everything, then creates the Service (a taken name or node port is a 409, never a take-over). The firewall rule(s) follow within seconds; `status` says where things stand. With `Prefer: wait=N` the answer comes once the exposure is Ready (or Failed), or after N seconds. With an `Idempotency-Key`, repeating the same request answers the exposure it created (keys are per caller); the same key with another body is a 422.',
        headers: CreateHeaders,
        body: ref(CreateExposureRequest),
        response: {
          201: jsonResponse(Exposure, 'Created; `status` tells how far provisioning got.', {
            ...LOCATION_HEADER,
            ...ETAG_HEADER,
          }),
          ...problemResponses(400, 403, 404, 408, 409, 413, 415, 422, 429, 431, 503),
        },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const prefer = parsePrefer(request.headers.prefer);
      const idempotencyKey = request.headers['idempotency-key'];
      let result = await exposures.create(principal, request.body, {
        ...(idempotencyKey !== undefined && { idempotencyKey }),
      });
      audit(request, 'exposure.create', result.exposure, {
        sourceRanges: result.exposure.sourceRanges,
        nodePorts: result.exposure.ports.map((port) => port.nodePort),
      });
      if (prefer.waitSeconds !== undefined && !prefer.respondAsync) {
        result = await exposures.waitUntilSettled(principal, result.exposure.id, prefer.waitSeconds * 1000);
        reply.header('preference-applied', `wait=${prefer.waitSeconds}`);
      }
      return reply
        .code(201)
        .header('location', `/exposures/${result.exposure.id}`)
        .header('etag', result.etag)
        .send(result.exposure);
    },
  );
}
