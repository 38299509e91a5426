// CPU time a process has used, for benchmarks that print CPU per request beside throughput: on a
// shared machine throughput swings with the neighbours' load, while a process's CPU time per
// request is what it would cost on an otherwise idle CPU.
import { readFileSync } from 'node:fs';

/** utime + stime of a process in seconds, from /proc/<pid>/stat (clock ticks of 1/100 s); NaN off Linux. */
export function cpuSecondsOf(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

/**
 * Minor page faults of a process so far, from /proc/<pid>/stat; NaN off Linux. A server that
 * faults about once per request is touching memory its heap gave back, not just answering: under
 * V8's memory saver mode some processes were seen in a state where old space filled at tens of MB/s,
 * a memory-reducing collection ran twice a second and every request cost twice its CPU.
 */
export function minorFaultsOf(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return Number(fields[7]);
  } catch {
    return Number.NaN;
  }
}
