// Request ids: the caller's when it is sane (so its logs and ours line up), else a random prefix
// per process and a counter — unique across replicas and restarts, and cheap (a random id per
// request costs more than the rest of a cached read).
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const REQUEST_ID = /^[\w.:-]{1,64}$/;

const processPrefix = randomBytes(6).toString('base64url');
let requestCounter = 0;

export function nextRequestId(): string {
  requestCounter = (requestCounter + 1) % Number.MAX_SAFE_INTEGER;
  return `${processPrefix}-${requestCounter.toString(36)}`;
}

/** The `genReqId` option of the Fastify instance. */
export function requestIdOf(request: IncomingMessage): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : nextRequestId();
}
