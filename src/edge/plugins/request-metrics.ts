// Records every HTTP request through the HttpMetrics port, by route pattern (not URL, which would
// explode the label set) and status, and serves /metrics.
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { HttpMetrics } from '../../application/ports/http-metrics.ts';

async function requestMetrics(app: FastifyInstance, options: { metrics: HttpMetrics }): Promise<void> {
  const { metrics } = options;
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.observeHttp(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    reply.type(metrics.contentType);
    return metrics.text();
  });
}

export default fp(requestMetrics, { name: 'request-metrics' });
