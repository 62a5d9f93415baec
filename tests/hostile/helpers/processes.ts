/**
 * Child processes for the hostile-input tests: the real CLI (bin/feedmirror.js → dist/), with its
 * peak memory measured, a hard deadline so a hang fails the test instead of stalling the suite,
 * and a registry so every child still alive after a test is killed (afterEach), whatever happened.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { afterEach } from 'vitest';
import { CLI_BIN, parseLogLines, type LogRecord } from '../../helpers/workspace.js';

/** GNU time: `-v` prints "Maximum resident set size (kbytes)" for the command it ran. */
const GNU_TIME = '/usr/bin/time';

/** A generous bound on one run's peak resident memory; hostile input must not get anywhere near it. */
export const MAX_RSS_BYTES = 400 * 1024 * 1024;

/** Only so a hung child cannot stall the suite; no test asserts how long anything took. */
export const CHILD_DEADLINE_MS = 120_000;

const alive = new Set<ChildProcess>();

/** Kills (SIGKILL, whole process group) every child started through this module that is still running. */
export function killLeftoverChildren(): void {
  for (const child of alive) killGroup(child);
  alive.clear();
}

/** Registers the after-each cleanup; call once at the top level of a test file. */
export function useChildCleanup(): void {
  afterEach(() => killLeftoverChildren());
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    // detached: the child leads its own process group, so `time` and the node it runs die together
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  /** stderr without GNU time's report. */
  stderr: string;
  logs: LogRecord[];
  /** Peak resident set size of the feedmirror process in bytes; null when it could not be measured. */
  peakRssBytes: number | null;
  /** How it was measured: GNU time, /proc polling, or not at all. */
  rssSource: 'gnu-time' | 'proc-vmhwm' | 'none';
  /** The deadline passed and the child was killed. */
  timedOut: boolean;
}

export interface SpawnOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** Wrap in GNU time to measure peak memory (default true when /usr/bin/time exists). */
  measure?: boolean;
  deadlineMs?: number;
}

/** `node bin/feedmirror.js …args`, measured and bounded. */
export function runFeedmirror(args: string[], options: SpawnOptions): Promise<ChildResult> {
  return runCommand(process.execPath, [CLI_BIN, ...args], options);
}

/** Any command, measured and bounded the same way (used to run the CLI inside a mount namespace). */
export function runCommand(command: string, args: string[], options: SpawnOptions): Promise<ChildResult> {
  const useTime = (options.measure ?? true) && existsSync(GNU_TIME);
  const [file, argv] = useTime ? [GNU_TIME, ['-v', command, ...args]] : [command, args];
  const env = { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', LC_ALL: 'C', ...options.env };
  const child = spawn(file, argv, { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  alive.add(child);
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout!.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk));
  let timedOut = false;
  const deadline = setTimeout(() => {
    timedOut = true;
    killGroup(child);
  }, options.deadlineMs ?? CHILD_DEADLINE_MS);
  // Without GNU time, the kernel's high-water mark of the child, read while it runs (it only grows).
  let polledPeak: number | null = null;
  const poll = useTime
    ? null
    : setInterval(() => {
        void readVmHwm(child.pid).then((bytes) => {
          if (bytes !== null) polledPeak = Math.max(polledPeak ?? 0, bytes);
        });
      }, 20);
  return new Promise((resolve, reject) => {
    child.on('error', (error) => {
      clearTimeout(deadline);
      if (poll) clearInterval(poll);
      alive.delete(child);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(deadline);
      if (poll) clearInterval(poll);
      alive.delete(child);
      const errText = Buffer.concat(stderr).toString('utf8');
      const { rest, peakKb, exitCode, killedBy } = useTime ? splitTimeReport(errText) : { rest: errText, peakKb: null, exitCode: null, killedBy: null };
      resolve({
        // GNU time exits with the command's status; when the command died of a signal it says which
        code: useTime ? (killedBy ? null : (exitCode ?? code)) : code,
        signal: useTime ? (killedBy ?? signal) : signal,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: rest,
        logs: parseLogLines(rest),
        peakRssBytes: peakKb !== null ? peakKb * 1024 : polledPeak,
        rssSource: peakKb !== null ? 'gnu-time' : polledPeak !== null ? 'proc-vmhwm' : 'none',
        timedOut,
      });
    });
  });
}

async function readVmHwm(pid: number | undefined): Promise<number | null> {
  if (pid === undefined) return null;
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmHWM:\s+(\d+)\s+kB/m.exec(status)?.[1];
    return kb ? Number(kb) * 1024 : null;
  } catch {
    return null;
  }
}

/** GNU time appends its report to stderr, starting with "\tCommand being timed:" (and "Command exited…"/"Command terminated…" before it). */
function splitTimeReport(text: string): { rest: string; peakKb: number | null; exitCode: number | null; killedBy: NodeJS.Signals | null } {
  const lines = text.split('\n');
  const start = lines.findIndex((line) => /^(Command (exited|terminated)|\tCommand being timed:)/.test(line));
  if (start === -1) return { rest: text, peakKb: null, exitCode: null, killedBy: null };
  const report = lines.slice(start).join('\n');
  const peak = /Maximum resident set size \(kbytes\): (\d+)/.exec(report)?.[1];
  const exit = /Exit status: (\d+)/.exec(report)?.[1];
  const signal = /Command terminated by signal (\d+)/.exec(report)?.[1];
  return {
    rest: lines.slice(0, start).join('\n'),
    peakKb: peak ? Number(peak) : null,
    exitCode: exit !== undefined ? Number(exit) : null,
    killedBy: signal ? signalName(Number(signal)) : null,
  };
}

function signalName(n: number): NodeJS.Signals {
  return n === 9 ? 'SIGKILL' : n === 15 ? 'SIGTERM' : n === 6 ? 'SIGABRT' : n === 11 ? 'SIGSEGV' : 'SIGKILL';
}

/** A readable one-line description of a child's outcome, for assertion messages. */
export function describeChild(result: ChildResult): string {
  const rss = result.peakRssBytes === null ? 'peak RSS unknown' : `peak RSS ${(result.peakRssBytes / 1024 / 1024).toFixed(0)} MB (${result.rssSource})`;
  return `exit ${result.code}${result.signal ? ` signal ${result.signal}` : ''}${result.timedOut ? ' TIMED OUT' : ''}, ${rss}\n${result.stderr.slice(-4000)}`;
}

export interface StartedChild {
  child: ChildProcess;
  /** Resolves when the process has exited (however it ended). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

/**
 * `node bin/feedmirror.js …args` started directly (no GNU time in between), so a test can
 * SIGKILL the feedmirror process itself at a moment of its choosing.
 */
export function startFeedmirror(args: string[], options: { cwd: string }): StartedChild {
  const env = { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' };
  const child = spawn(process.execPath, [CLI_BIN, ...args], { cwd: options.cwd, env, stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  alive.add(child);
  const stderr: Buffer[] = [];
  child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk));
  const deadline = setTimeout(() => killGroup(child), CHILD_DEADLINE_MS);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(deadline);
      alive.delete(child);
      resolve({ code, signal, stderr: Buffer.concat(stderr).toString('utf8') });
    });
  });
  return { child, exited };
}
