// Sandbox-only routes: fail and restore a simulated node, so that a user can watch that node's
// endpoints turn Unhealthy while the others stay Healthy. Not part of the API's OpenAPI document.
// They need a token like the API: failing a node affects every tenant, so it takes a token that may
// use every namespace (the sandbox's admin token); the events show a caller its own namespaces'.
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { mayUseNamespace } from '../application/principal.ts';
import authentication, { principalOf, type TokenAuthenticator } from '../edge/plugins/authentication.ts';
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
function mayControlNodes(request: FastifyRequest, reply: FastifyReply): boolean {
  if (principalOf(request).namespaces.includes('*')) return true;
  sendProblem(
    request,
    reply,
    'forbidden',
    'failing and restoring sandbox nodes takes the sandbox admin token',
  );
  return false;
}

export function sandboxRoutes(
  world: SandboxWorld,
  cluster: InMemoryCluster,
  authenticator: TokenAuthenticator,
): FastifyPluginAsync {
  return async (app: FastifyInstance) => {
    await app.register(authentication, { authenticator });
    app.get('/sandbox/nodes', { schema: { hide: true } }, async () => ({ nodes: world.nodeStates() }));

    app.post<{ Params: { name: string }; Querystring: { notReady?: boolean } }>(
      '/sandbox/nodes/:name/fail',
      { schema: { hide: true, params: NodeParams, querystring: NodeQuery } },
      async (request, reply) => {
        if (!mayControlNodes(request, reply)) return reply;
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
        if (!mayControlNodes(request, reply)) return reply;
        const { name } = request.params;
        if (!world.hasNode(name))
          return sendProblem(request, reply, 'route-not-found', `no sandbox node '${name}'`);
        await world.restoreNode(name);
        cluster.setNodeReady(name, true);
        return { node: world.nodeStates().find((node) => node.name === name) };
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
