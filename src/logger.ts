// Structured JSON logs (pino). Secrets never reach them: the Authorization header and anything
// that looks like a token are redacted wherever they appear in a logged object.
import { type DestinationStream, type Logger, pino } from 'pino';

export const REDACTED_PATHS = [
  'req.headers.authorization',
  'headers.authorization',
  'authorization',
  '*.authorization',
  'token',
  '*.token',
];

export function createLogger(level: string, destination?: DestinationStream | NodeJS.WritableStream): Logger {
  const options = { level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
  return destination ? pino(options, destination as DestinationStream) : pino(options);
}
