// Builds the Fastify application from its dependencies (fastify/demo style: `buildApp()` is
// separate from starting a server, so tests drive it through `app.inject`).
import type { Server as HttpsServer } from 'node:https';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import type { ExposureService } from '../application/exposure-service.ts';
import type { HttpMetrics } from '../application/ports/http-metrics.ts';
import type { ExposureWatch } from '../application/watch/exposure-watch.ts';
import { exposureSchemas } from '../schemas/exposure.ts';
import { problemSchemas } from '../schemas/problem.ts';
import { serviceEventSchemas } from '../schemas/service-events.ts';
import { watchSchemas } from '../schemas/watch.ts';
import { buildsAccessLines } from './access-line.ts';
import { AccessLogController } from './access-log.ts';
import type { EdgeLimits } from './edge-limits.ts';
import { answerKeptReadsFirst, keptReadAnswerer } from './kept-reads.ts';
import type { EdgeAuthentication } from './plugins/authentication.ts';
import { clientErrorHandler, frameworkErrors } from './plugins/client-errors.ts';
import { limitConnectionsPerAddress } from './plugins/connection-limits.ts';
import jsonBody from './plugins/json-body.ts';
import { methodNotAllowed } from './plugins/method-not-allowed.ts';
import openapi from './plugins/openapi.ts';
import problemDetails from './plugins/problem-details.ts';
import rateLimits from './plugins/rate-limits.ts';
import requestMetrics from './plugins/request-metrics.ts';
import { requestIdOf } from './request-id.ts';
import { requestLoggerFactory } from './request-logger.ts';
import { schemaController } from './request-validation.ts';
import exposureRoutes from './routes/exposures/index.ts';
import operationRoutes, { type ReadinessCheck } from './routes/operations.ts';
import problemDocsRoutes from './routes/problem-docs.ts';
import { readTlsFiles, reloadTlsOnChange, type TlsFiles } from './tls-files.ts';
import type { StreamLimits } from './watch/stream-registry.ts';

export interface AppDependencies {
  exposures: ExposureService;
  authentication: EdgeAuthentication;
  metrics: HttpMetrics;
  readiness: readonly ReadinessCheck[];
  deleteWaitSeconds: number;
  /** Follows exposures for the watch route, within the limits on open streams. */
  watch: ExposureWatch;
  watchStreams: StreamLimits;
  bodyLimitBytes: number;
  limits: EdgeLimits;
  logger?: FastifyBaseLogger;
  /** Serve HTTPS from these files, reloaded when they change; plain HTTP without. */
  tls?: TlsFiles | undefined;
  /** Routes only some setups have (the sandbox's node controls). */
  extraRoutes?: readonly FastifyPluginAsync[];
}

/** Fastify's `trustProxy`: a hop count becomes "trust the nearest N hops". */
function trustProxyOption(
  trust: EdgeLimits['trustProxy'],
): boolean | string[] | ((address: string, hop: number) => boolean) {
  return typeof trust === 'number' ? (_address, hop) => hop < trust : trust;
}

export async function buildApp(deps: AppDependencies): Promise<FastifyInstance> {
  const { limits } = deps;
  // Fastify's types tell an HTTPS instance from an HTTP one; the routes do not care which it is.
  const app = Fastify({
    ...(deps.tls && { https: readTlsFiles(deps.tls) }),
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: false }),
    logController: new AccessLogController(),
    ...(deps.logger && { childLoggerFactory: requestLoggerFactory }),
    bodyLimit: deps.bodyLimitBytes,
    schemaController,
    return503OnClosing: true,
    trustProxy: trustProxyOption(limits.trustProxy),
    // Node measures the request timeout from the first byte to the end of the body (checked every
    // connectionsCheckingInterval), not the time to answer: a long Prefer: wait or a streamed answer
    // is bounded by the connection (idle) timeout instead, which their writes keep alive.
    requestTimeout: limits.requestTimeoutMs,
    connectionTimeout: limits.connectionTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    http: {
      headersTimeout: limits.headersTimeoutMs,
      connectionsCheckingInterval: limits.connectionsCheckingIntervalMs,
    },
    clientErrorHandler,
    frameworkErrors,
    // Keep a caller's request id when it is sane, so its logs and ours line up.
    genReqId: requestIdOf,
  });
  const connections = limitConnectionsPerAddress(app.server, {
    maxPerAddress: limits.maxConnectionsPerAddress,
    metrics: deps.metrics,
    log: app.log,
  });
  if (deps.tls) {
    const stopWatching = reloadTlsOnChange(app.server as unknown as HttpsServer, deps.tls, app.log);
    app.addHook('onClose', (_instance, done) => {
      stopWatching();
      done();
    });
  }
  const unsupportedMethods = methodNotAllowed(app);
  // Graceful stop: once closing, answers say `Connection: close` and connections that fall idle are
  // closed, so keep-alive clients cannot hold the process open after the last in-flight request;
  // connections that never sent a request are closed too.
  let draining = false;
  app.addHook('preClose', (done) => {
    draining = true;
    const closer = setInterval(() => {
      app.server.closeIdleConnections();
      connections.destroyUnused();
    }, 100);
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
  for (const schema of [...problemSchemas, ...exposureSchemas, ...watchSchemas, ...serviceEventSchemas]) {
    app.addSchema(schema);
  }

  await app.register(problemDetails);
  await app.register(jsonBody);
  await app.register(rateLimits, { limits: limits.rateLimits, metrics: deps.metrics });
  await app.register(openapi);
  await app.register(requestMetrics, { metrics: deps.metrics });
  await app.register(operationRoutes, { readiness: deps.readiness });
  await app.register(problemDocsRoutes);
  await app.register(exposureRoutes, {
    exposures: deps.exposures,
    authentication: deps.authentication,
    metrics: deps.metrics,
    deleteWaitSeconds: deps.deleteWaitSeconds,
    watch: deps.watch,
    watchStreams: deps.watchStreams,
  });
  for (const routes of deps.extraRoutes ?? []) await app.register(routes);
  unsupportedMethods.answer405();
  // Only where the shortcut writes the access line Fastify's path would: with no logger (neither
  // writes one), or a logger whose lines access-line.ts builds.
  if (!deps.logger || buildsAccessLines(app.log)) {
    answerKeptReadsFirst(
      app.server,
      keptReadAnswerer({
        exposures: deps.exposures,
        tokens: deps.authentication.router,
        limits: app.requestLimits,
        metrics: deps.metrics,
        log: app.log,
        accepting: () => !draining,
      }),
    );
  }
  return app;
}
