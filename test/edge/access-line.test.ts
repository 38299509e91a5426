// The access line built in one piece is the line pino writes for the same fields, byte for byte;
// where it could not be (another logger configuration, a redacted field in the serialized request),
// pino writes the line itself and redacts as it always did.
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { after, before, test } from 'node:test';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';
import { pino } from 'pino';
import type { HttpMetrics } from '../../src/application/ports/http-metrics.ts';
import type { Principal } from '../../src/application/principal.ts';
import { writeAccessLine } from '../../src/edge/access-line.ts';
import { type KeptReadsDependencies, keptReadAnswerer } from '../../src/edge/kept-reads.ts';
import { RequestLogger } from '../../src/edge/request-logger.ts';
import { createLogger } from '../../src/logger.ts';

/** A destination that keeps the raw text of every line. */
function rawLines() {
  const lines: string[] = [];
  return { lines, destination: { write: (line: string) => lines.push(line) } };
}

const withoutTime = (line: string | undefined) => line?.replace(/"time":\d+/, '"time":0');

let url: string;
const { lines, destination } = rawLines();
/** For each request, the line built here and the line pino wrote for the same fields. */
const pairs: Array<{ built: string | undefined; pino: string | undefined }> = [];

// The service's logger (createLogger: its redaction and destination options) under Fastify, which
// adds its serializers for req and res, as in the service.
const app = Fastify({
  loggerInstance: createLogger('info', destination),
  logController: new LogController({ disableRequestLogging: true }),
});
app.get('/*', async (request, reply) => {
  reply.code(203);
  const first = lines.length;
  assert.equal(writeAccessLine(app.log, 'id-1', request, reply, 1.25, 'request completed'), true);
  app.log.info({ reqId: 'id-1', req: request, res: reply, responseTime: 1.25 }, 'request completed');
  pairs.push({ built: lines[first], pino: lines[first + 1] });
  return 'ok';
});
before(async () => {
  url = await app.listen({ host: '127.0.0.1', port: 0 });
});
after(() => app.close());

test('over HTTP (client port, host) and through inject (no socket port), the line is the one pino writes', async () => {
  await fetch(`${url}/exposures/exp_1?limit=5`);
  await app.inject({
    method: 'GET',
    url: '/a/"quoted"\\back',
    headers: { 'accept-version': '2', host: 'exposures.example' },
  });
  assert.equal(pairs.length, 2);
  for (const { built, pino: written } of pairs) {
    assert.ok(built?.endsWith('}\n'), 'one line');
    assert.equal(withoutTime(built), withoutTime(written));
  }
  type Line = { req: { remotePort?: unknown; version?: unknown }; res: unknown };
  const [overHttp, injected] = pairs.map(
    ({ built }) => JSON.parse(built ?? '{}') as Line & Record<string, unknown>,
  );
  assert.ok(overHttp && injected);
  assert.deepEqual(Object.keys(overHttp), [
    'level',
    'time',
    'pid',
    'hostname',
    'reqId',
    'req',
    'res',
    'responseTime',
    'msg',
  ]);
  assert.equal(typeof overHttp.req.remotePort, 'number');
  assert.equal(injected.req.version, '2');
  assert.deepEqual(overHttp.res, { statusCode: 203 });
});

function fakeExchange(): { request: FastifyRequest; reply: FastifyReply } {
  const request = {
    method: 'GET',
    url: '/exposures/exp_2',
    headers: { authorization: 'Bearer secret-token' },
  };
  return {
    request: request as unknown as FastifyRequest,
    reply: { statusCode: 200 } as unknown as FastifyReply,
  };
}

test('a logger this module cannot vouch for (a mixin) gets the line from pino', () => {
  const { lines: written, destination: out } = rawLines();
  const logger = pino({ mixin: () => ({ zone: 'a' }) }, out) as unknown as FastifyBaseLogger;
  const { request, reply } = fakeExchange();
  assert.equal(writeAccessLine(logger, 'id-2', request, reply, 1, 'request completed'), false);
  new RequestLogger(logger, { reqId: 'id-2' }).completed(request, reply, 1, 'request completed');
  assert.equal(written.length, 1);
  assert.equal((JSON.parse(written[0] ?? '{}') as { zone?: string }).zone, 'a');
});

/** The service's logger (createLogger) with a request serializer of the test's, as Fastify adds its own. */
function serviceLogger(
  level: string,
  serializeRequest: (request: { url: string; headers: object }) => object,
) {
  const { lines: written, destination: out } = rawLines();
  const serializers = {
    req: serializeRequest,
    res: (reply: { statusCode: number }) => ({ statusCode: reply.statusCode }),
  };
  return {
    written,
    logger: createLogger(level, out).child({}, { serializers }) as unknown as FastifyBaseLogger,
  };
}

/** A request serializer that exposes the headers, redacted field and all. */
const withHeaders = (request: { url: string; headers: object }) => ({
  url: request.url,
  headers: request.headers,
});

/** One line was written, its token redacted, its request as the serializer made it. */
function assertOneRedactedLine(written: string[], req: unknown): void {
  assert.equal(written.length, 1);
  assert.doesNotMatch(written[0] ?? '', /secret-token/);
  assert.deepEqual((JSON.parse(written[0] ?? '{}') as { req?: unknown }).req, req);
}

test('a serialized request holding a redacted field is left to pino, which redacts it', () => {
  const { written, logger } = serviceLogger('info', withHeaders);
  const { request, reply } = fakeExchange();
  assert.equal(writeAccessLine(logger, 'id-3', request, reply, 1, 'request completed'), false);
  new RequestLogger(logger, { reqId: 'id-3' }).completed(request, reply, 1, 'request completed');
  assertOneRedactedLine(written, { url: '/exposures/exp_2', headers: { authorization: '[redacted]' } });
});

test('a kept read whose serialized request holds a redacted field gets its line from pino too', () => {
  const { written, logger } = serviceLogger('info', withHeaders);
  const principal = { subject: 'search-team' } as Principal;
  const answer = keptReadAnswerer({
    exposures: { keptEncoded: () => ({ body: '{}', etag: '"e"' }), cacheAge: () => undefined },
    tokens: { knownNow: () => ({ ok: true, principal }) },
    limits: {
      countRead: () => true,
      failedAuthentication: { anyLockedOut: () => false },
    } as unknown as KeptReadsDependencies['limits'],
    metrics: { observeHttp: () => {} } as unknown as HttpMetrics,
    log: logger,
    accepting: () => true,
  });
  const url = '/exposures/exp_01m8yx6hvr01r042w7drhr6s7q';
  const request = {
    method: 'GET',
    url,
    headers: { authorization: 'Bearer secret-token', host: 'api' },
    socket: { remoteAddress: '127.0.0.1', remotePort: 40000 },
  } as unknown as IncomingMessage;
  const response = { writeHead: () => {}, end: () => {} } as unknown as ServerResponse;
  assert.equal(answer(request, response), true, 'answered as a kept read');
  assertOneRedactedLine(written, { url, headers: { authorization: '[redacted]', host: 'api' } });
});

test('below the logger level nothing is written, and nothing is left for pino to write', () => {
  const { written, logger } = serviceLogger('warn', (request) => ({ url: request.url }));
  const { request, reply } = fakeExchange();
  assert.equal(writeAccessLine(logger, 'id-4', request, reply, 1, 'request completed'), true);
  assert.equal(written.length, 0);
});
