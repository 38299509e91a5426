// JSON request bodies, parsed by Fastify's own parser (with its prototype-poisoning protection and
// the body limit), except that an empty body sent to a route that takes none is no body: a DELETE
// with `Content-Type: application/json` and nothing after it, as some HTTP clients send, is not a
// malformed request.
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

async function jsonBody(app: FastifyInstance): Promise<void> {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  // parseAs 'string': the body arrives as a string.
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '' && request.routeOptions.schema?.body === undefined) {
      done(null, undefined);
      return;
    }
    parseJson(request, body as string, done);
  });
}

export default fp(jsonBody, { name: 'json-body' });
