// One access-log line per request, written when the answer has gone: method, URL, client address,
// status and time, with the request id every other line of the request carries. Fastify's default
// writes two lines per request (one on arrival, one on completion); the arrival line says nothing
// the completion line does not, and on the cached read path the second line was a tenth of the
// request's cost. A request that never completes still leaves its trace: errors, timeouts and
// aborted streams are logged by their own handlers, which this controller leaves as they are.
import { type FastifyReply, type FastifyRequest, LogController } from 'fastify';
import { logCompletedRequest, logRequestLine } from './request-logger.ts';

export class AccessLogController extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    if (error) {
      logRequestLine(
        reply.log,
        'error',
        { req: request, res: reply, err: error, responseTime: reply.elapsedTime },
        'request errored',
      );
    } else {
      logCompletedRequest(reply.log, request, reply, 'request completed');
    }
  }
}
