// A known path asked with a method it does not support is a 405 with `Allow` (RFC 9110), not a
// 404: the path exists. Every route's path is collected as it is added; once all are, each gets
// a route for the methods it lacks that answers the problem.
import type { FastifyInstance, HTTPMethods } from 'fastify';
import { sendProblem } from './problem-details.ts';

/**
 * The methods a path is checked for: Fastify's standard ones (with QUERY, RFC 10008). Others
 * (WebDAV and the like) stay 404, as Fastify answers them.
 */
const CHECKED_METHODS: readonly HTTPMethods[] = [
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'PATCH',
  'DELETE',
  'OPTIONS',
  'TRACE',
  'QUERY',
];

/** Starts collecting the paths of the routes added from now on. Call `answer405()` after the last. */
export function methodNotAllowed(app: FastifyInstance): { answer405(): void } {
  const paths = new Set<string>();
  let collecting = true;
  app.addHook('onRoute', (route) => {
    if (collecting) paths.add(route.url);
  });
  return {
    answer405() {
      collecting = false;
      for (const url of paths) {
        // Asked of the router itself: it also holds what Fastify added on its own (HEAD for GET,
        // a prefix's path with and without its trailing slash).
        const supported = CHECKED_METHODS.filter((method) => app.hasRoute({ method, url }));
        const missing = CHECKED_METHODS.filter((method) => !supported.includes(method));
        if (supported.length === 0 || missing.length === 0) continue;
        const allow = supported.join(', ');
        app.route({
          method: missing,
          url,
          schema: { hide: true },
          // Answered before the body is read: a 405 must not wait for, parse or refuse a body.
          onRequest: (request, reply, _done) => {
            reply.header('allow', allow);
            sendProblem(
              request,
              reply,
              'method-not-allowed',
              `${url} supports ${allow}, not ${request.method}`,
            );
          },
          handler: async () => {
            throw new Error('unreachable: the onRequest hook answers');
          },
        });
      }
    },
  };
}
