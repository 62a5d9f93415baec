/**
 * CPU time of processes from /proc (Linux): what a fleet's workers and its database server used
 * during a measured window, and how busy the whole machine was. Null where /proc is not there.
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICK_MS = 10; // USER_HZ is 100 on Linux

interface ProcStat {
  ppid: number;
  cpuMs: number;
}

function procStat(pid: number): ProcStat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name is in parentheses and may hold spaces: fields start after the last ")"
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(fields[1]), cpuMs: (Number(fields[11]) + Number(fields[12])) * TICK_MS };
  } catch {
    return null;
  }
}

/** User + system CPU of a process (ms), null once it has exited. */
export function processCpuMs(pid: number): number | null {
  return procStat(pid)?.cpuMs ?? null;
}

/** User + system CPU of a process and its live children (ms): a PostgreSQL server and its backends. */
export function processTreeCpuMs(root: number): number | null {
  const own = procStat(root);
  if (!own) return null;
  let total = own.cpuMs;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = procStat(Number(entry));
    if (stat?.ppid === root) total += stat.cpuMs;
  }
  return total;
}

/** The machine's busy and total CPU time so far, over all cores (ms). */
export function machineCpuMs(): { busy: number; total: number } | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
    const ticks = line.trim().split(/\s+/).slice(1).map(Number);
    const idle = ticks[3]! + (ticks[4] ?? 0);
    const total = ticks.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busy: (total - idle) * TICK_MS, total: total * TICK_MS };
  } catch {
    return null;
  }
}
