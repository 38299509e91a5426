// The service's stdout logger bounds what waits for a log collector that stops reading: beyond
// STDOUT_BUFFER_BYTES lines are dropped (said once on stderr) instead of the heap growing with every
// request; once stdout is read again, what waited is written, and nothing is lost on exit. Lines
// are written in batches, and a lone line still goes out within the flush interval; once nothing
// waits, the logger stops writing.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, test } from 'node:test';

const loggerModule = new URL('../src/logger.ts', import.meta.url).href;

describe('the stdout logger', () => {
  test('a collector that stops reading makes lines drop, not the heap grow; what waited is written once it reads', async () => {
    // 40 MB of lines into a pipe nobody reads yet (the kernel holds about 64 KB of it).
    const script = `
      const { createLogger, STDOUT_BUFFER_BYTES } = await import(${JSON.stringify(loggerModule)});
      const log = createLogger('info');
      const filler = 'x'.repeat(900);
      for (let i = 0; i < 40_000; i++) log.info({ i, filler }, 'line');
      globalThis.gc();
      process.stderr.write(JSON.stringify({ heapUsed: process.memoryUsage().heapUsed, bound: STDOUT_BUFFER_BYTES }) + '\\n');
      log.info('last line');
    `;
    const child = spawn(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
    });
    // Read nothing until the child has written everything and said how big its heap is.
    child.stdout.pause();
    while (!/"heapUsed"/.test(stderr)) await once(child.stderr, 'data');
    let stdout = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stdout.resume();
    const [code] = (await once(child, 'exit')) as [number];
    assert.equal(code, 0, stderr);
    assert.match(
      stderr,
      /stdout is not read as fast as logs are written; lines beyond 8 MiB waiting are dropped/,
    );
    assert.equal(stderr.match(/are dropped/g)?.length, 1, 'said once');
    const report = JSON.parse(stderr.split('\n').find((line) => line.includes('heapUsed')) ?? '{}') as {
      heapUsed: number;
      bound: number;
    };
    // 40 MB were logged; what stayed is the bound and the process's own few MB.
    assert.ok(report.heapUsed < 30 * 1024 * 1024, `heap used ${report.heapUsed} bytes`);
    const lines = stdout.trim().split('\n');
    assert.ok(lines.length > 1000 && lines.length < 40_000, `${lines.length} lines written`);
    assert.equal((JSON.parse(lines.at(-1) ?? '{}') as { msg?: string }).msg, 'last line');
  });

  test('a line written while the service is otherwise quiet reaches stdout within the flush interval', async () => {
    const script = `
      const { createLogger } = await import(${JSON.stringify(loggerModule)});
      createLogger('info').info('alone');
      setTimeout(() => {}, 5_000);
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const started = performance.now();
      const [chunk] = (await once(child.stdout, 'data')) as [Buffer];
      const waitedMs = performance.now() - started;
      assert.equal((JSON.parse(chunk.toString()) as { msg?: string }).msg, 'alone');
      // Far below the child's 5 s: the line did not wait for more lines or for the exit.
      assert.ok(waitedMs < 3_000, `the line came after ${waitedMs.toFixed(0)} ms`);
    } finally {
      child.kill();
    }
  });
  test('once its lines are out, a quiet logger makes no more writes', async () => {
    // Counts the writes to stdout (sonic-boom writes through fs.write) for a second after one line.
    const script = `
      const fs = (await import('node:fs')).default;
      const write = fs.write;
      let writes = 0;
      fs.write = function (...args) { if (args[0] === 1) writes++; return write.apply(this, args); };
      const { createLogger, STDOUT_FLUSH_MS } = await import(${JSON.stringify(loggerModule)});
      createLogger('info').info('alone');
      setTimeout(() => { process.stderr.write(JSON.stringify({ writes, flushMs: STDOUT_FLUSH_MS }) + '\\n'); }, 1_000);
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.resume();
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
    });
    const [code] = (await once(child, 'exit')) as [number];
    assert.equal(code, 0, stderr);
    const report = JSON.parse(stderr.trim()) as { writes: number; flushMs: number };
    // One write for the line; flushing every STDOUT_FLUSH_MS would have made ten in that second.
    assert.equal(report.flushMs, 100);
    assert.equal(report.writes, 1, `${report.writes} writes in the second after one line`);
  });
});
