/**
 * Per-file CPU accounting, loaded only when FEEDMIRROR_CPU_LOG names a file (see vitest.config.ts):
 * after each test file, one JSON line with the CPU seconds of the worker process that ran it and of
 * the child processes it waited for (the CLI, validators, browsers) or that still run (the validators
 * kept for the whole worker). Wall time on a shared machine
 * says more about the other load than about the tests; CPU time does not.
 */
import { appendFileSync, readdirSync, readFileSync } from 'node:fs';
import { afterAll, expect } from 'vitest';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** Fields 4 (ppid) and 14–17 (utime, stime, cutime, cstime, in seconds) of a /proc/<pid>/stat. */
function statOf(pid: number | 'self'): { ppid: number; self: number; children: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
  const [utime, stime, cutime, cstime] = fields.slice(11, 15) as [number, number, number, number];
  return { ppid: fields[1]!, self: (utime + stime) / TICKS_PER_SECOND, children: (cutime + cstime) / TICKS_PER_SECOND };
}

/**
 * CPU seconds of this process's children that are still running (the validators kept for the
 * whole worker, tests/helpers/line-server.ts), by pid: no wait() has counted them yet.
 */
function runningChildren(): Map<number, number> {
  const children = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = statOf(Number(entry));
      if (stat.ppid === process.pid) children.set(Number(entry), stat.self + stat.children);
    } catch {
      // gone meanwhile
    }
  }
  return children;
}

/** What the running children spent between two looks (a child that ended meanwhile was waited for, and counts there). */
function spentSince(before: Map<number, number>, after: Map<number, number>): number {
  let spent = 0;
  for (const [pid, seconds] of after) spent += seconds - (before.get(pid) ?? 0);
  return spent;
}

// Counted from here, before the test file is imported, so its transform and module loading count too.
const start = statOf('self');
const startChildren = runningChildren();
const started = performance.now();

afterAll(() => {
  const end = statOf('self');
  const running = spentSince(startChildren, runningChildren());
  const file = expect.getState().testPath ?? 'unknown';
  const line = { file, pid: process.pid, wallS: (performance.now() - started) / 1000, selfCpuS: end.self - start.self, childCpuS: end.children - start.children + running, loadavg: readFileSync('/proc/loadavg', 'utf8').trim() };
  appendFileSync(process.env.FEEDMIRROR_CPU_LOG!, `${JSON.stringify(line)}\n`);
});
