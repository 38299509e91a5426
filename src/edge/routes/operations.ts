// Liveness and readiness. Readiness is about the caches reads are served from, not about GCE: a
// GCE outage must not take the cache-served reads out of service (it shows in metrics and
// conditions instead).
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { problemResponses } from '../response-schemas.ts';

export interface ReadinessCheck {
  name: string;
  ready: () => boolean;
}

const HealthResponse = Type.Object(
  {
    status: Type.Union([Type.Literal('ok'), Type.Literal('ready'), Type.Literal('not-ready')]),
    checks: Type.Optional(Type.Record(Type.String(), Type.Boolean())),
  },
  { additionalProperties: false },
);

export default async function operationRoutes(
  app: FastifyInstance,
  options: { readiness: readonly ReadinessCheck[] },
): Promise<void> {
  app.get(
    '/healthz',
    {
      schema: {
        operationId: 'healthz',
        tags: ['operations'],
        summary: 'Liveness: the process answers',
        response: { 200: HealthResponse, ...problemResponses(408, 429, 431) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );
  app.get(
    '/readyz',
    {
      schema: {
        operationId: 'readyz',
        tags: ['operations'],
        summary: 'Readiness: the caches are synced',
        response: { 200: HealthResponse, 503: HealthResponse, ...problemResponses(408, 429, 431) },
      },
    },
    async (_request, reply) => {
      const checks = Object.fromEntries(options.readiness.map((check) => [check.name, check.ready()]));
      const ready = Object.values(checks).every(Boolean);
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not-ready', checks });
    },
  );
}
