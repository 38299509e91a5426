// The OpenAPI 3.1 document, generated from the route schemas (components named by `$id`), served
// at /openapi.json with an interactive page at /docs.
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { problemTypes, problemTypeUri } from '../problem-types.ts';
import { BEARER_AUTH } from './authentication.ts';

export const API_VERSION = '0.1.0';

async function openapi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'exposure-api',
        version: API_VERSION,
        description: [
          'Expose a Kubernetes workload on a NodePort Service and open the GCE firewall for it in one call, then see every node endpoint (`IP:nodePort`) with its health, healthy ones first.',
          '',
          'Errors are RFC 9457 problem details (`application/problem+json`). Their `type`s:',
          '',
          ...Object.entries(problemTypes).map(
            ([kind, type]) =>
              `- \`${problemTypeUri(kind as keyof typeof problemTypes)}\` (${type.status}) — ${type.title}: ${type.description}`,
          ),
        ].join('\n'),
      },
      components: {
        securitySchemes: {
          [BEARER_AUTH]: {
            type: 'http',
            scheme: 'bearer',
            description: 'A token configured in the installation.',
          },
        },
      },
      tags: [
        { name: 'exposures', description: 'NodePort Service + firewall rule, with endpoints and health' },
        { name: 'operations', description: 'Health, readiness and metrics' },
      ],
    },
    refResolver: {
      // Components are named by the schemas' $id, so the document reads like the code.
      buildLocalReference: (json, _baseUri, _fragment, i) =>
        typeof json.$id === 'string' ? json.$id : `def-${i}`,
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}

export default fp(openapi, { name: 'openapi' });
