/** CPU time and resident memory of a process and its children, from /proc (Linux). */
import { readdirSync, readFileSync } from 'node:fs';

const CLOCK_TICKS = 100; // USER_HZ on every Linux x86-64 and arm64 kernel
const PAGE_BYTES = 4096;

export interface ProcSample {
  pid: number;
  cpuS: number;
  rssBytes: number;
  ppid: number;
  comm: string;
}

export function readProc(pid: number): ProcSample | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const fields = stat.slice(close + 2).split(' ');
    // Fields after ")" start at field 3 (state): ppid is 4, utime 14, stime 15, rss 24.
    const at = (n: number) => Number(fields[n - 3]);
    return { pid, comm, ppid: at(4), cpuS: (at(14) + at(15)) / CLOCK_TICKS, rssBytes: at(24) * PAGE_BYTES };
  } catch {
    return null; // exited
  }
}

export function childrenOf(pid: number): ProcSample[] {
  const out: ProcSample[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const sample = readProc(Number(entry));
    if (sample && sample.ppid === pid) out.push(sample);
  }
  return out;
}
