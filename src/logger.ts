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

/**
 * How much log output may wait in memory while stdout is not read as fast as it is written; beyond
 * it lines are dropped (and that is said once on stderr) rather than the heap growing without bound.
 */
export const STDOUT_BUFFER_BYTES = 8 * 1024 * 1024;

export function createLogger(level: string, destination?: DestinationStream | NodeJS.WritableStream): Logger {
  const options = { level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
  return pino(options, (destination ?? stdout()) as DestinationStream);
}

/** Log output gathers up to this size before it is written (a write call per line is what it saves). */
export const STDOUT_BATCH_BYTES = 4096;
/** …and is written at the latest this long after the first line of a batch. */
export const STDOUT_FLUSH_MS = 100;

/**
 * stdout, written asynchronously in batches: lines gather until STDOUT_BATCH_BYTES (a dozen access-
 * log lines) or for at most STDOUT_FLUSH_MS, then go out in one write. A write call per line was a
 * tenth of a cached read's CPU time, and each one woke the log collector besides. What may wait is
 * bounded: a log collector that stops reading would otherwise let the buffer, and the heap, grow
 * with every request. What is still buffered when the process exits is written synchronously on
 * exit (pino registers that for asynchronous destinations).
 */
function stdout(): DestinationStream {
  const destination = pino.destination({
    dest: 1,
    sync: false,
    minLength: STDOUT_BATCH_BYTES,
    maxLength: STDOUT_BUFFER_BYTES,
  });
  let warned = false;
  destination.on('drop', () => {
    if (warned) return;
    warned = true;
    process.stderr.write(
      `exposure-api: stdout is not read as fast as logs are written; lines beyond ${STDOUT_BUFFER_BYTES / 1024 / 1024} MiB waiting are dropped\n`,
    );
  });
  return flushedWithin(destination, STDOUT_FLUSH_MS);
}

/** The part of pino's asynchronous destination (sonic-boom) that the logger uses. */
export interface BatchingDestination {
  write(line: string): boolean;
  flush(callback?: (error?: Error) => void): void;
  flushSync(): void;
}

/**
 * A batching destination whose lines are flushed at the latest `ms` after the first one that has not
 * gone out, and only then. sonic-boom's own periodicFlush flushes every period whether or not a line
 * waits, and a flush with nothing to write still writes (an empty string, through libuv's thread
 * pool): ten wake-ups a second of an idle replica.
 */
export function flushedWithin(
  destination: BatchingDestination,
  ms: number,
): DestinationStream & BatchingDestination {
  let timer: NodeJS.Timeout | undefined;
  const flushNow = () => {
    timer = undefined;
    try {
      destination.flush();
    } catch {
      // Destroyed while the process exits: its exit handler has written what waited.
    }
  };
  return {
    write(line) {
      const accepted = destination.write(line);
      if (timer === undefined) {
        timer = setTimeout(flushNow, ms);
        // Lines still waiting at exit are written by the exit handler, not by keeping the process up.
        timer.unref();
      }
      return accepted;
    },
    flush: (callback) => destination.flush(callback),
    flushSync: () => destination.flushSync(),
  };
}
