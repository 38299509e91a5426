// CPU time a process has used, for benchmarks that print CPU per request beside throughput: on a
// shared machine throughput swings with the neighbours' load, while a process's CPU time per
// request is what it would cost on an otherwise idle CPU.
import { readFileSync } from 'node:fs';

/**
 * The fields of /proc/<pid>/stat after the command name (the first is the state, field 3 of
 * proc(5)); empty off Linux or once the process is gone.
 */
function statFieldsOf(pid: number | undefined): string[] {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  } catch {
    return [];
  }
}

/** utime + stime of a process in seconds, from /proc/<pid>/stat (clock ticks of 1/100 s); NaN off Linux. */
export function cpuSecondsOf(pid: number | undefined): number {
  const fields = statFieldsOf(pid);
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * Minor page faults of a process so far, from /proc/<pid>/stat; NaN off Linux. A server that
 * faults about once per request is touching memory its heap gave back, not just answering: under
 * V8's memory saver mode some processes were seen in a state where old space filled at tens of MB/s,
 * a memory-reducing collection ran twice a second and every request cost twice its CPU.
 */
export function minorFaultsOf(pid: number | undefined): number {
  return Number(statFieldsOf(pid)[7]);
}
