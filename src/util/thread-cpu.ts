/**
 * CPU time of the calling thread (main thread or worker thread), in ms, where the OS tells it:
 * Linux's /proc/thread-self/schedstat (nanoseconds on the CPU; updated at scheduler ticks, so
 * good to a few ms). `process.cpuUsage()` sums all the threads of the process, which cannot say
 * whether data-parallel workers share the work evenly or wait for cores. null elsewhere.
 */
import * as fs from 'node:fs';

let available: boolean | null = null;

export function threadCpuMs(): number | null {
  if (available === false) return null;
  try {
    const ns = Number(fs.readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]);
    available = Number.isFinite(ns);
    return available ? ns / 1e6 : null;
  } catch {
    available = false;
    return null;
  }
}
