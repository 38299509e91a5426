// The /exposures routes. Each maps HTTP to one call of the ExposureService and back. What they
// share is registered once for the group: authentication (and its `security` in the document),
// the per-caller rate limits, the `exposures` tag, and the merge-patch body parser.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { ExposureService } from '../../../application/exposure-service.ts';
import type { HttpMetrics } from '../../../application/ports/http-metrics.ts';
import type { ExposureWatch } from '../../../application/watch/exposure-watch.ts';
import authentication, { type EdgeAuthentication } from '../../plugins/authentication.ts';
import type { TypedApp } from '../../typed-app.ts';
import type { StreamLimits } from '../../watch/stream-registry.ts';
import { createExposureRoute } from './create-exposure.ts';
import { deleteExposureRoute } from './delete-exposure.ts';
import { exposureEventsRoute } from './exposure-events.ts';
import { getExposureRoute } from './get-exposure.ts';
import { listExposuresRoute } from './list-exposures.ts';
import { patchExposureRoute } from './patch-exposure.ts';
import { watchExposureRoute } from './watch-exposure.ts';

export interface ExposureRoutesOptions {
  exposures: ExposureService;
  authentication: EdgeAuthentication;
  metrics: HttpMetrics;
  deleteWaitSeconds: number;
  watch: ExposureWatch;
  watchStreams: StreamLimits;
}

export default async function exposureRoutes(
  parent: FastifyInstance,
  options: ExposureRoutesOptions,
): Promise<void> {
  const app: TypedApp = parent.withTypeProvider<TypeBoxTypeProvider>();
  await app.register(authentication, { authentication: options.authentication, metrics: options.metrics });
  const { reads, writes } = app.requestLimits;
  app.addHook('onRoute', (route) => {
    route.schema = { ...route.schema, tags: ['exposures'] };
    // Per caller, after authentication (a route's own hooks run after its group's): reads and
    // writes each have their own budget.
    const limit = route.method === 'GET' || route.method === 'HEAD' ? reads : writes;
    route.onRequest = [...[route.onRequest ?? []].flat(), limit];
  });
  // RFC 7396 merge patches are JSON; parse them with the same parser (and body limit).
  app.addContentTypeParser(
    'application/merge-patch+json',
    { parseAs: 'string' },
    app.getDefaultJsonParser('error', 'error'),
  );
  createExposureRoute(app, options.exposures);
  getExposureRoute(app, options.exposures);
  listExposuresRoute(app, options.exposures);
  patchExposureRoute(app, options.exposures);
  deleteExposureRoute(app, options.exposures, options.deleteWaitSeconds);
  watchExposureRoute(app, options.watch, options.watchStreams);
  exposureEventsRoute(app, options.exposures);
}
