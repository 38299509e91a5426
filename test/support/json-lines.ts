// A log destination that parses each JSON line it is written into a list, for tests that read logs.
import { Writable } from 'node:stream';

export function jsonLinesInto(lines: Record<string, unknown>[]): Writable {
  return new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line.trim()) lines.push(JSON.parse(line));
      done();
    },
  });
}
