// Structured JSON logs (pino). Secrets never reach them: no log line is written with a token or a
// request's headers, and the places where one could still arrive are redacted — an Authorization
// header or a token at the top of a logged object or under `req`/`headers`, and anywhere one level
// inside a logged error (HTTP client errors carry the failed request's options and headers).
//
// The paths are explicit: a path with a leading wildcard (`*.authorization`) makes the redactor
// walk every key of every logged object, which on the read path cost about a tenth of a cached
// request; paths under `err` cost something only on the lines that carry an error.
import { type DestinationStream, type Logger, pino } from 'pino';

export const REDACTED_PATHS = [
  'req.headers.authorization',
  'headers.authorization',
  'authorization',
  'token',
  'err.authorization',
  'err.token',
  'err.headers.authorization',
  'err.*.authorization',
  'err.*.Authorization',
  'err.*.token',
  'err.*.headers.authorization',
  'err.*.headers.Authorization',
];

export function createLogger(level: string, destination?: DestinationStream | NodeJS.WritableStream): Logger {
  const options = { level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
  return destination ? pino(options, destination as DestinationStream) : pino(options);
}
