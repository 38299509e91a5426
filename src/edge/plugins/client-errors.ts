// Answers Fastify and Node send on their own, before any route or hook runs, made problems like
// every other error (application/problem+json with x-request-id):
// - Node's `clientError`: a request not received within the request or headers timeout (408),
//   headers over the limit (431), bytes that are not HTTP (400). Only a raw socket is left then,
//   so the answer is written on it by hand.
// - Fastify's `frameworkErrors`: a path parameter over its maximum length (414), a URL that cannot
//   be decoded (400).
import { type ServerResponse, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyBaseLogger, FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { Problem } from '../../schemas/problem.ts';
import { type EdgeProblemKind, problemTypes, problemTypeUri } from '../problem-types.ts';
import { nextRequestId } from '../request-id.ts';
import { PROBLEM_CONTENT_TYPE, sendProblem } from './problem-details.ts';

function socketProblem(error: NodeJS.ErrnoException): { kind: EdgeProblemKind; detail: string } {
  switch (error.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return {
        kind: 'request-timeout',
        detail: 'the request did not arrive in time; the connection is closed',
      };
    case 'HPE_HEADER_OVERFLOW':
      return { kind: 'headers-too-large', detail: 'the request line and headers exceed 16 KiB' };
    default:
      return { kind: 'malformed-request', detail: 'the request is not valid HTTP/1.1' };
  }
}

/** An HTTP/1.1 answer written straight to a socket: the problem, then the connection closes. */
export function rawProblemResponse(kind: EdgeProblemKind, detail: string, requestId: string): string {
  const type = problemTypes[kind];
  const problem: Problem = {
    type: problemTypeUri(kind),
    title: type.title,
    status: type.status,
    detail,
    requestId,
  };
  const body = JSON.stringify(problem);
  return [
    `HTTP/1.1 ${type.status} ${STATUS_CODES[type.status] ?? 'Error'}`,
    `content-type: ${PROBLEM_CONTENT_TYPE}`,
    `content-length: ${Buffer.byteLength(body)}`,
    `x-request-id: ${requestId}`,
    'connection: close',
    '',
    body,
  ].join('\r\n');
}

/** The `clientErrorHandler` option of the Fastify instance (called with the instance as `this`). */
export function clientErrorHandler(
  this: { log: FastifyBaseLogger },
  error: NodeJS.ErrnoException,
  socket: Socket,
): void {
  // A reset connection is gone; there is no one to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const { kind, detail } = socketProblem(error);
  const requestId = nextRequestId();
  this.log.debug(
    { err: error, reqId: requestId, remoteAddress: socket.remoteAddress },
    `client error: ${kind}`,
  );
  // As Node itself does: answer only if no answer of a request on this connection has begun, so
  // a half-sent response is never followed by another.
  const inFlight = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
  if (socket.writable && !inFlight?.headersSent) socket.write(rawProblemResponse(kind, detail, requestId));
  socket.destroy(error);
}

/** The `frameworkErrors` option of the Fastify instance: errors found while routing. */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  // Sent before the hooks that add it to every other answer.
  reply.header('x-request-id', request.id);
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    sendProblem(request, reply, 'uri-too-long', 'a path parameter is longer than any valid value');
    return;
  }
  if (error.code === 'FST_ERR_BAD_URL') {
    sendProblem(request, reply, 'malformed-url', 'the URL cannot be decoded');
    return;
  }
  request.log.error({ err: error }, 'unhandled routing error');
  sendProblem(request, reply, 'internal-error', 'an internal error occurred; it has been logged');
}
