/**
 * Per-file CPU accounting, loaded only when FEEDMIRROR_CPU_LOG names a file (see vitest.config.ts):
 * after each test file, one JSON line with the CPU seconds of the worker process that ran it and of
 * the child processes it waited for (the CLI, validators, browsers). Wall time on a shared machine
 * says more about the other load than about the tests; CPU time does not.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { afterAll, expect } from 'vitest';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** utime, stime, cutime, cstime of this process, in seconds (fields 14–17 of /proc/self/stat). */
function cpuSeconds(): { self: number; children: number } {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
  const [utime, stime, cutime, cstime] = fields.slice(11, 15) as [number, number, number, number];
  return { self: (utime + stime) / TICKS_PER_SECOND, children: (cutime + cstime) / TICKS_PER_SECOND };
}

// Counted from here, before the test file is imported, so its transform and module loading count too.
const start = cpuSeconds();
const started = performance.now();

afterAll(() => {
  const end = cpuSeconds();
  const file = expect.getState().testPath ?? 'unknown';
  const line = { file, pid: process.pid, wallS: (performance.now() - started) / 1000, selfCpuS: end.self - start.self, childCpuS: end.children - start.children, loadavg: readFileSync('/proc/loadavg', 'utf8').trim() };
  appendFileSync(process.env.FEEDMIRROR_CPU_LOG!, `${JSON.stringify(line)}\n`);
});
