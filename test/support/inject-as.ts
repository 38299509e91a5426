// A request injected into a service's Fastify app as a bearer of `token`, with a JSON body when
// there is one: how the tiers that build the runtime themselves talk to it.
import type { FastifyInstance, HTTPMethods, LightMyRequestResponse } from 'fastify';

export function injectAs(
  app: FastifyInstance,
  token: string,
  method: HTTPMethods,
  url: string,
  body?: unknown,
): Promise<LightMyRequestResponse> {
  return app.inject({
    method,
    url,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body !== undefined && { 'content-type': 'application/json' }),
    },
    ...(body !== undefined && { payload: JSON.stringify(body) }),
  });
}
