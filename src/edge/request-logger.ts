// A request's logger, made when the request first logs through it. Fastify gives every request a
// child logger that carries the request id, and pino's child() builds the text of its bindings each
// time: on the cached read path the only line a request writes is its access-log line, so that
// work and its garbage were spent on every request for nothing. The access-log line is written by
// the parent with the id as its first field, which is the same line the child would write.
import type { FastifyBaseLogger, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import type { Bindings, ChildLoggerOptions } from 'pino';
import { writeCompletedLine } from './access-line.ts';

type LogLevel = 'info' | 'error';

export class RequestLogger implements FastifyBaseLogger {
  readonly #parent: FastifyBaseLogger;
  readonly #bindings: Bindings;
  #child: FastifyBaseLogger | undefined;

  constructor(parent: FastifyBaseLogger, bindings: Bindings) {
    this.#parent = parent;
    this.#bindings = bindings;
  }

  #logger(): FastifyBaseLogger {
    this.#child ??= this.#parent.child(this.#bindings);
    return this.#child;
  }

  get level(): string {
    return this.#child ? this.#child.level : this.#parent.level;
  }

  set level(level: string) {
    this.#logger().level = level;
  }

  fatal(obj: unknown, message?: string, ...args: unknown[]): void {
    this.#logger().fatal(obj, message, ...args);
  }
  error(obj: unknown, message?: string, ...args: unknown[]): void {
    this.#logger().error(obj, message, ...args);
  }
  warn(obj: unknown, message?: string, ...args: unknown[]): void {
    this.#logger().warn(obj, message, ...args);
  }
  info(obj: unknown, message?: string, ...args: unknown[]): void {
    this.#logger().info(obj, message, ...args);
  }
  debug(obj: unknown, message?: string, ...args: unknown[]): void {
    this.#logger().debug(obj, message, ...args);
  }
  trace(obj: unknown, message?: string, ...args: unknown[]): void {
    this.#logger().trace(obj, message, ...args);
  }
  silent(obj: unknown, message?: string, ...args: unknown[]): void {
    this.#logger().silent(obj, message, ...args);
  }

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.#logger().child(bindings, options);
  }

  /** One line with the request's bindings, written without making the child when there is none. */
  line(level: LogLevel, fields: Record<string, unknown>, message: string): void {
    if (this.#child) this.#child[level](fields, message);
    else this.#parent[level]({ ...this.#bindings, ...fields }, message);
  }

  /** A completed request's access line: built in one piece while there is no child (access-line.ts). */
  completed(request: FastifyRequest, reply: FastifyReply, responseTime: number, message: string): void {
    const reqId = this.#bindings.reqId;
    if (this.#child === undefined && typeof reqId === 'string' && bindsOnly(this.#bindings, 'reqId'))
      writeCompletedLine(this.#parent, reqId, request, reply, responseTime, message);
    else this.line('info', { req: request, res: reply, responseTime }, message);
  }
}

function bindsOnly(bindings: Bindings, key: string): boolean {
  for (const bound in bindings) if (bound !== key) return false;
  return true;
}

/**
 * Fastify's childLoggerFactory: a RequestLogger, unless the route asks for its own level or
 * serializers (a child made as Fastify would make it).
 */
export const requestLoggerFactory: NonNullable<FastifyServerOptions['childLoggerFactory']> = (
  logger,
  bindings,
  options,
) =>
  options.level === undefined && options.serializers === undefined
    ? new RequestLogger(logger, bindings)
    : logger.child(bindings, options);

/** Writes a completed request's access line, without making its request's child logger. */
export function logCompletedRequest(
  log: FastifyBaseLogger,
  request: FastifyRequest,
  reply: FastifyReply,
  message: string,
): void {
  if (log instanceof RequestLogger) log.completed(request, reply, reply.elapsedTime, message);
  else log.info({ req: request, res: reply, responseTime: reply.elapsedTime }, message);
}

/** Writes a request's line through its logger, without making its child when it has none yet. */
export function logRequestLine(
  log: FastifyBaseLogger,
  level: LogLevel,
  fields: Record<string, unknown>,
  message: string,
): void {
  if (log instanceof RequestLogger) log.line(level, fields, message);
  else log[level](fields, message);
}
