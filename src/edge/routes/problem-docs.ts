// Problem `type` URIs resolve to a description of the problem, so a client (or a person) that
// sees `/problems/node-port-taken` can look it up.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { sendProblem } from '../plugins/problem-details.ts';
import { type EdgeProblemKind, problemTypes } from '../problem-types.ts';
import type { TypedApp } from '../typed-app.ts';

export default async function problemDocsRoutes(parent: FastifyInstance): Promise<void> {
  const app: TypedApp = parent.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/problems/:kind',
    {
      schema: {
        hide: true,
        params: Type.Object({ kind: Type.String({ maxLength: 64 }) }),
      },
    },
    async (request, reply) => {
      const kind = request.params.kind as EdgeProblemKind;
      const type = Object.hasOwn(problemTypes, kind) ? problemTypes[kind] : undefined;
      if (!type)
        return sendProblem(request, reply, 'route-not-found', `no problem type '${request.params.kind}'`);
      return {
        type: `/problems/${kind}`,
        status: type.status,
        title: type.title,
        description: type.description,
      };
    },
  );
}
