// The /exposures routes. Each maps HTTP to one call of the ExposureService and back.
import type { FastifyInstance } from 'fastify';
import type { ExposureService } from '../../../application/exposure-service.ts';
import { createExposureRoute } from './create-exposure.ts';
import { deleteExposureRoute } from './delete-exposure.ts';
import { getExposureRoute } from './get-exposure.ts';
import { listExposuresRoute } from './list-exposures.ts';
import { patchExposureRoute } from './patch-exposure.ts';

export interface ExposureRoutesOptions {
  exposures: ExposureService;
  deleteWaitSeconds: number;
}

export default async function exposureRoutes(
  app: FastifyInstance,
  options: ExposureRoutesOptions,
): Promise<void> {
  createExposureRoute(app, options.exposures);
  getExposureRoute(app, options.exposures);
  listExposuresRoute(app, options.exposures);
  patchExposureRoute(app, options.exposures);
  // RFC 7396 merge patches are JSON; parse them with the same parser (and body limit).
  app.addContentTypeParser(
    'application/merge-patch+json',
    { parseAs: 'string' },
    app.getDefaultJsonParser('error', 'error'),
  );
  deleteExposureRoute(app, options.exposures, options.deleteWaitSeconds);
}
