// Sandbox-only routes: fail and restore a simulated node, so that a user can watch that node's
// endpoints turn Unhealthy while the others stay Healthy; and set a namespace's ResourceQuota, to
// watch creates beyond it refused. Not part of the API's OpenAPI document.
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import { sendProblem } from '../edge/plugins/problem-details.ts';
import type { InMemoryCluster } from './in-memory-cluster.ts';
import type { SandboxWorld } from './sandbox-world.ts';

const NodeParams = Type.Object({ name: Type.String({ maxLength: 63 }) }, { additionalProperties: false });
const NodeQuery = Type.Object(
  {
    notReady: Type.Optional(
      Type.Boolean({
        description: 'Also mark the Node NotReady, as the node controller would after a while.',
      }),
    ),
  },
  { additionalProperties: false },
);

const QuotaParams = Type.Object(
  { namespace: Type.String({ maxLength: 63 }), name: Type.String({ maxLength: 63 }) },
  { additionalProperties: false },
);
const QuotaBody = Type.Object(
  {
    hard: Type.Object(
      {
        'services.nodeports': Type.Optional(Type.Integer({ minimum: 0 })),
        'count/services': Type.Optional(Type.Integer({ minimum: 0 })),
        services: Type.Optional(Type.Integer({ minimum: 0 })),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export function sandboxRoutes(world: SandboxWorld, cluster: InMemoryCluster): FastifyPluginAsync {
  return async (app: FastifyInstance) => {
    app.get('/sandbox/nodes', { schema: { hide: true } }, async () => ({ nodes: world.nodeStates() }));

    app.post<{ Params: { name: string }; Querystring: { notReady?: boolean } }>(
      '/sandbox/nodes/:name/fail',
      { schema: { hide: true, params: NodeParams, querystring: NodeQuery } },
      async (request, reply) => {
        const { name } = request.params;
        if (!world.hasNode(name))
          return sendProblem(request, reply, 'route-not-found', `no sandbox node '${name}'`);
        await world.failNode(name);
        if (request.query.notReady) cluster.setNodeReady(name, false);
        return { node: world.nodeStates().find((node) => node.name === name) };
      },
    );

    app.post<{ Params: { name: string } }>(
      '/sandbox/nodes/:name/restore',
      { schema: { hide: true, params: NodeParams } },
      async (request, reply) => {
        const { name } = request.params;
        if (!world.hasNode(name))
          return sendProblem(request, reply, 'route-not-found', `no sandbox node '${name}'`);
        await world.restoreNode(name);
        cluster.setNodeReady(name, true);
        return { node: world.nodeStates().find((node) => node.name === name) };
      },
    );

    // As `kubectl apply` of a ResourceQuota with these `spec.hard` figures would.
    app.put<{ Params: { namespace: string; name: string }; Body: { hard: Record<string, number> } }>(
      '/sandbox/namespaces/:namespace/resourcequotas/:name',
      { schema: { hide: true, params: QuotaParams, body: QuotaBody } },
      async (request) => {
        const { namespace, name } = request.params;
        cluster.setResourceQuota(namespace, name, request.body.hard);
        return { resourceQuotas: cluster.resourceQuotas(namespace) };
      },
    );

    app.get<{ Params: { namespace: string } }>(
      '/sandbox/namespaces/:namespace/resourcequotas',
      { schema: { hide: true, params: Type.Object({ namespace: Type.String({ maxLength: 63 }) }) } },
      async (request) => ({ resourceQuotas: cluster.resourceQuotas(request.params.namespace) }),
    );

    app.get('/sandbox/events', { schema: { hide: true } }, async () => ({ events: cluster.events() }));
  };
}
