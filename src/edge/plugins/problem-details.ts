// Every error leaves as an RFC 9457 problem (`application/problem+json`) with a stable `type` —
// including Fastify's own answers (unknown route, body too large, wrong media type, bad JSON) —
// and nothing a client can cause ends as a bare 500.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ExposureProblem } from '../../application/problems.ts';
import type { FieldError, Problem, QuotaExceeded } from '../../schemas/problem.ts';
import { EdgeProblem } from '../edge-problem.ts';
import { type EdgeProblemKind, problemTypes, problemTypeUri } from '../problem-types.ts';
import { fieldErrorsFromAjv } from '../request-validation.ts';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export function sendProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  kind: EdgeProblemKind,
  detail: string,
  extra: { errors?: FieldError[]; retryAfterSeconds?: number; quota?: QuotaExceeded } = {},
): FastifyReply {
  const type = problemTypes[kind];
  const problem: Problem = {
    type: problemTypeUri(kind),
    title: type.title,
    status: type.status,
    detail,
    instance: request.url,
    requestId: String(request.id),
    ...(extra.errors && extra.errors.length > 0 && { errors: extra.errors }),
    ...(extra.retryAfterSeconds !== undefined && { retryAfterSeconds: extra.retryAfterSeconds }),
    ...(extra.quota && { quota: extra.quota }),
  };
  if (extra.retryAfterSeconds !== undefined) reply.header('retry-after', String(extra.retryAfterSeconds));
  if (kind === 'unauthenticated') reply.header('www-authenticate', 'Bearer realm="exposure-api"');
  return reply.code(type.status).type(PROBLEM_CONTENT_TYPE).send(problem);
}

/** Which problem a Fastify-raised error is (by its code), for errors raised before our handlers. */
function kindOfFrameworkError(error: FastifyError): EdgeProblemKind | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'payload-too-large';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'unsupported-media-type';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return 'malformed-request';
    default:
      break;
  }
  if (error instanceof SyntaxError) return 'malformed-request';
  if (error.statusCode === 413) return 'payload-too-large';
  if (error.statusCode === 415) return 'unsupported-media-type';
  if (error.statusCode === 406) return 'not-acceptable';
  if (error.statusCode === 405) return 'method-not-allowed';
  if (error.statusCode === 404) return 'route-not-found';
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500)
    return 'malformed-request';
  return undefined;
}

async function problemDetails(app: FastifyInstance): Promise<void> {
  app.setNotFoundHandler((request, reply) =>
    sendProblem(
      request,
      reply,
      'route-not-found',
      `no route for ${request.method} ${request.url.split('?')[0]}`,
    ),
  );

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof EdgeProblem) {
      return sendProblem(request, reply, error.kind, error.message, {
        ...(error.retryAfterSeconds !== undefined && { retryAfterSeconds: error.retryAfterSeconds }),
      });
    }
    if (error instanceof ExposureProblem) {
      // An upstream failure is told to the caller in the API's words; what the upstream said
      // (addresses, identities) is for the logs only.
      if (problemTypes[error.kind].status >= 500) {
        request.log.warn({ err: error.cause ?? error, problem: error.kind }, `answered ${error.kind}`);
      }
      const errors = error.violations.map(
        (violation): FieldError => ({
          pointer: violation.pointer,
          location: error.location,
          detail: violation.detail,
        }),
      );
      return sendProblem(request, reply, error.kind, error.message, {
        errors,
        ...(error.retryAfterSeconds !== undefined && { retryAfterSeconds: error.retryAfterSeconds }),
        ...(error.quota && { quota: error.quota }),
      });
    }
    if (error.validation) {
      const errors = fieldErrorsFromAjv(error.validation as never, error.validationContext);
      return sendProblem(request, reply, 'validation-failed', 'the request is not valid', { errors });
    }
    const kind = kindOfFrameworkError(error);
    if (kind) return sendProblem(request, reply, kind, error.message);
    request.log.error({ err: error }, 'unhandled error');
    return sendProblem(request, reply, 'internal-error', 'an internal error occurred; it has been logged');
  });
}

export default fp(problemDetails, { name: 'problem-details' });
