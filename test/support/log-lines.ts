// A log destination that keeps every JSON line the logger writes, parsed, for a test to read.
import { Writable } from 'node:stream';

export function logLines<Line = Record<string, unknown>>(): { lines: Line[]; destination: Writable } {
  const lines: Line[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Line);
      done();
    },
  });
  return { lines, destination };
}
