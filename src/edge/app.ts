// Builds the Fastify application from its dependencies (fastify/demo style: `buildApp()` is
// separate from starting a server, so tests drive it through `app.inject`).
import { randomBytes } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import type { ExposureService } from '../application/exposure-service.ts';
import type { HttpMetrics } from '../application/ports/http-metrics.ts';
import type { ExposureWatch } from '../application/watch/exposure-watch.ts';
import { exposureSchemas } from '../schemas/exposure.ts';
import { problemSchemas } from '../schemas/problem.ts';
import { watchSchemas } from '../schemas/watch.ts';
import type { TokenAuthenticator } from './plugins/authentication.ts';
import openapi from './plugins/openapi.ts';
import problemDetails from './plugins/problem-details.ts';
import requestMetrics from './plugins/request-metrics.ts';
import { schemaController } from './request-validation.ts';
import exposureRoutes from './routes/exposures/index.ts';
import operationRoutes, { type ReadinessCheck } from './routes/operations.ts';
import problemDocsRoutes from './routes/problem-docs.ts';
import type { StreamLimits } from './watch/stream-registry.ts';

export interface AppDependencies {
  exposures: ExposureService;
  authenticator: TokenAuthenticator;
  metrics: HttpMetrics;
  readiness: readonly ReadinessCheck[];
  deleteWaitSeconds: number;
  /** Follows exposures for the watch route, within the limits on open streams. */
  watch: ExposureWatch;
  watchStreams: StreamLimits;
  bodyLimitBytes: number;
  logger?: FastifyBaseLogger;
  /** Routes only some setups have (the sandbox's node controls). */
  extraRoutes?: readonly FastifyPluginAsync[];
}

const REQUEST_ID = /^[\w.:-]{1,64}$/;

/**
 * Request ids: a random prefix per process and a counter — unique across replicas and restarts,
 * and cheap (a random id per request costs more than the rest of a cached read).
 */
const processPrefix = randomBytes(6).toString('base64url');
let requestCounter = 0;
function nextRequestId(): string {
  requestCounter = (requestCounter + 1) % Number.MAX_SAFE_INTEGER;
  return `${processPrefix}-${requestCounter.toString(36)}`;
}

export async function buildApp(deps: AppDependencies): Promise<FastifyInstance> {
  const app = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: false }),
    bodyLimit: deps.bodyLimitBytes,
    schemaController,
    return503OnClosing: true,
    // Keep a caller's request id when it is sane, so its logs and ours line up.
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : nextRequestId();
    },
  });
  // Graceful stop: once closing, answers say `Connection: close` and connections that fall idle are
  // closed, so keep-alive clients cannot hold the process open after the last in-flight request.
  let draining = false;
  app.addHook('preClose', (done) => {
    draining = true;
    const closer = setInterval(() => app.server.closeIdleConnections(), 100);
    closer.unref();
    app.server.once('close', () => clearInterval(closer));
    done();
  });
  // Callback-style hooks: on the hot read path, an async hook's promise is measurable overhead.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    if (draining) reply.header('connection', 'close');
    done();
  });
  // The API speaks JSON only: a text/plain body is a 415, not a string that fails validation.
  app.removeContentTypeParser('text/plain');
  for (const schema of [...problemSchemas, ...exposureSchemas, ...watchSchemas]) app.addSchema(schema);

  await app.register(problemDetails);
  await app.register(openapi);
  await app.register(requestMetrics, { metrics: deps.metrics });
  await app.register(operationRoutes, { readiness: deps.readiness });
  await app.register(problemDocsRoutes);
  await app.register(exposureRoutes, {
    exposures: deps.exposures,
    authenticator: deps.authenticator,
    deleteWaitSeconds: deps.deleteWaitSeconds,
    watch: deps.watch,
    watchStreams: deps.watchStreams,
  });
  for (const routes of deps.extraRoutes ?? []) await app.register(routes);
  return app;
}
