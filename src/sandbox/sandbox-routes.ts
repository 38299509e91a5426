// Sandbox-only routes: fail and restore a simulated node, so that a user can watch that node's
// endpoints turn Unhealthy while the others stay Healthy; and set a namespace's ResourceQuota, to
// watch creates beyond it refused. Not part of the API's OpenAPI document.
// They need a token like the API: failing a node affects every tenant and a ResourceQuota is the
// cluster admin's to set, so those take a token that may use every namespace (the sandbox's admin
// token); a caller sees the events and quotas of its own namespaces.
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { mayUseNamespace } from '../application/principal.ts';
import authentication, { type EdgeAuthentication, principalOf } from '../edge/plugins/authentication.ts';
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

/** Answers 403 unless the caller may use every namespace; true when it may go on. */
export function isSandboxAdmin(request: FastifyRequest, reply: FastifyReply, action: string): boolean {
  if (principalOf(request).namespaces.includes('*')) return true;
  sendProblem(request, reply, 'forbidden', `${action} takes the sandbox admin token`);
  return false;
}

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

export function sandboxRoutes(
  world: SandboxWorld,
  cluster: InMemoryCluster,
  edgeAuthentication: EdgeAuthentication,
): FastifyPluginAsync {
  return async (app: FastifyInstance) => {
    await app.register(authentication, { authentication: edgeAuthentication });
    app.get('/sandbox/nodes', { schema: { hide: true } }, async () => ({ nodes: world.nodeStates() }));

    app.post<{ Params: { name: string }; Querystring: { notReady?: boolean } }>(
      '/sandbox/nodes/:name/fail',
      { schema: { hide: true, params: NodeParams, querystring: NodeQuery } },
      async (request, reply) => {
        if (!isSandboxAdmin(request, reply, 'failing and restoring sandbox nodes')) return reply;
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
        if (!isSandboxAdmin(request, reply, 'failing and restoring sandbox nodes')) return reply;
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
      async (request, reply) => {
        if (!isSandboxAdmin(request, reply, 'setting a ResourceQuota')) return reply;
        const { namespace, name } = request.params;
        cluster.setResourceQuota(namespace, name, request.body.hard);
        return { resourceQuotas: cluster.resourceQuotas(namespace) };
      },
    );

    app.get<{ Params: { namespace: string } }>(
      '/sandbox/namespaces/:namespace/resourcequotas',
      { schema: { hide: true, params: Type.Object({ namespace: Type.String({ maxLength: 63 }) }) } },
      async (request, reply) => {
        const { namespace } = request.params;
        if (!mayUseNamespace(principalOf(request), namespace))
          return sendProblem(request, reply, 'forbidden', `this token may not use namespace '${namespace}'`);
        return { resourceQuotas: cluster.resourceQuotas(namespace) };
      },
    );

    app.get('/sandbox/events', { schema: { hide: true } }, async (request) => {
      const principal = principalOf(request);
      return {
        events: cluster
          .events()
          .filter((event) => mayUseNamespace(principal, event.involvedObject.namespace)),
      };
    });
  };
}
