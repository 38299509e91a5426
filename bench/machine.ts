// What the figures of a benchmark depend on, printed with them: the machine, the runtime, and the
// small helpers the benchmarks share to report memory and spread.
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, freemem, release, totalmem } from 'node:os';
import { parseArgs } from 'node:util';

export function machineFacts(): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
  return (
    `machine: ${availableParallelism()} × ${cpu}, ${mib(totalmem())} RAM (${mib(freemem())} free), ` +
    `Linux ${release()}, Node ${process.version}`
  );
}

/**
 * Resident memory of a process from /proc, in bytes: current and peak RSS, and the part of RSS
 * that is lazily freed (pages the process gave back with MADV_FREE, which the kernel reclaims only
 * under memory pressure, so they are counted in RSS until then).
 */
export function procMemory(pid: number | 'self' = 'self'): {
  rss: number;
  peakRss: number;
  lazyFree: number;
} {
  const kib = (text: string, field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0) * 1024;
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  return { rss: kib(status, 'VmRSS'), peakRss: kib(status, 'VmHWM'), lazyFree: kib(rollup, 'LazyFree') };
}

export const MB = 1e6;

export function mb(bytes: number): string {
  return `${(bytes / MB).toFixed(1)} MB`;
}

export function stats(values: readonly number[]): { min: number; median: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    min: sorted[0] ?? Number.NaN,
    median: sorted[Math.floor((sorted.length - 1) / 2)] ?? Number.NaN,
    max: sorted[sorted.length - 1] ?? Number.NaN,
  };
}

export function verdict(met: boolean): string {
  return met ? 'MET' : 'NOT MET';
}

/** Runs `work` over `items` with at most `concurrency` at once. */
export async function inParallel<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      await work(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/** The benchmark's numeric command-line options (`--name=value`), each with its default. */
export function numericOptions<Name extends string>(defaults: Record<Name, number>): Record<Name, number> {
  const names = Object.keys(defaults) as Name[];
  const { values } = parseArgs({
    options: Object.fromEntries(
      names.map((name) => [name, { type: 'string', default: String(defaults[name]) }]),
    ),
  });
  return Object.fromEntries(names.map((name) => [name, Number(values[name])])) as Record<Name, number>;
}

export function printLine(line = ''): void {
  process.stdout.write(`${line}\n`);
}
