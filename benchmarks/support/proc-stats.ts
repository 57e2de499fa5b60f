/** CPU time and peak memory of a process from /proc (Linux), to show who limited a measurement. */
import { readFileSync } from 'node:fs';
import { cpuSeconds } from './cpu-time.ts';

/** utime + stime of the process in seconds (children not included); NaN when it is gone. */
export function cpuSecondsOf(pid: number | undefined): number {
  return cpuSeconds(pid) ?? NaN;
}

export function peakRssMiB(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

export function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}
