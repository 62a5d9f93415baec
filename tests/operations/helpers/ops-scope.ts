/**
 * What an operations test creates — workspaces, fixture servers, long-running `feedmirror` child
 * processes and commands run in this process — released after each test whatever the outcome:
 * children are killed (SIGKILL) and commands stopped, and awaited first, then servers closed, then
 * temp folders removed.
 */
import { spawn } from 'node:child_process';
import { afterEach } from 'vitest';
import { startFixtureServer, type FixtureServer } from '../../remote/helpers/fixture-server.js';
import { startCliInProcess } from '../../helpers/in-process-cli.js';
import { CLI_BIN, createWorkspace, parseLogLines, type LogRecord, type Workspace, type WorkspaceOptions } from '../../helpers/workspace.js';

/** Upper bound for anything a test waits on: only there so a broken build fails instead of hanging. */
export const PATIENCE_MS = 45_000;

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * A `node bin/feedmirror.js …` child whose output is collected as it comes, or a command run in
 * this process (OpsScope.startInProcess), which takes SIGTERM, SIGINT and SIGKILL as a stop.
 */
export interface CliChild {
  /** The child's; this process's for a command run in it. */
  pid: number;
  stdout(): string;
  stderr(): string;
  /** stderr lines that are JSON log records, so far. */
  logs(): LogRecord[];
  exit: Promise<Exit>;
  hasExited(): boolean;
  signal(signal: NodeJS.Signals): void;
}

export interface OpsScope {
  workspace(options?: WorkspaceOptions): Promise<Workspace>;
  server(): Promise<FixtureServer>;
  /** Starts `feedmirror <args>` in `cwd` without waiting for it. */
  start(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): CliChild;
  /** Starts `feedmirror <args>` in this process (see startCliInProcess: `--config` absolute). */
  startInProcess(args: string[]): CliChild;
  defer(close: () => Promise<void> | void): void;
}

/** Call once per test file (top level). */
export function opsScope(): OpsScope {
  const children: CliChild[] = [];
  const closers: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    const errors: unknown[] = [];
    for (const child of children.splice(0)) {
      if (!child.hasExited()) child.signal('SIGKILL');
      await child.exit;
    }
    for (const close of closers.splice(0).reverse()) {
      try {
        await close();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length > 0) throw errors[0];
  });
  return {
    async workspace(options) {
      const ws = await createWorkspace(options);
      closers.push(() => ws.cleanup());
      return ws;
    },
    async server() {
      const server = await startFixtureServer();
      closers.push(() => server.close());
      return server;
    },
    start(args, options) {
      const child = startCli(args, options);
      children.push(child);
      return child;
    },
    startInProcess(args) {
      const child = inProcessChild(args);
      children.push(child);
      return child;
    },
    defer: (close) => void closers.push(close),
  };
}

/** A `feedmirror …` child outside any scope: the caller kills and awaits it. */
export function startCli(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): CliChild {
  const env = { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', ...options.env };
  const child = spawn(process.execPath, [CLI_BIN, ...args], { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let exited = false;
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exit = new Promise<Exit>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      exited = true;
      resolve({ code, signal });
    });
  });
  if (child.pid === undefined) throw new Error(`could not start feedmirror ${args.join(' ')}`);
  return {
    pid: child.pid,
    stdout: () => stdout,
    stderr: () => stderr,
    logs: () => parseLogLines(stderr),
    exit,
    hasExited: () => exited,
    signal: (signal) => void child.kill(signal),
  };
}

/** startCliInProcess seen as a CliChild: a stop for the signals that end a process, an error for any other. */
function inProcessChild(args: string[]): CliChild {
  const command = startCliInProcess(args);
  return {
    pid: process.pid,
    stdout: command.stdout,
    stderr: command.stderr,
    logs: () => parseLogLines(command.stderr()),
    exit: command.exit.then((code) => ({ code, signal: null })),
    hasExited: command.hasExited,
    signal: (signal) => {
      if (!['SIGTERM', 'SIGINT', 'SIGKILL'].includes(signal)) throw new Error(`a command run in this process takes no ${signal}: start a child (startServe)`);
      command.stop();
    },
  };
}

/**
 * Polls `probe` until it returns something other than undefined/false. Only an upper bound on the
 * wait: a slow machine makes the test slower, never red.
 */
export async function waitFor<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = PATIENCE_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what} (after ${timeoutMs} ms)`);
    await sleep(25);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits until the child has logged `count` records matching; fails early (with its stderr) if it exits first. */
export async function waitForLogs(child: CliChild, match: (record: LogRecord) => boolean, what: string, count = 1): Promise<LogRecord[]> {
  return waitFor(() => {
    const found = child.logs().filter(match);
    if (found.length >= count) return found;
    if (child.hasExited()) throw new Error(`feedmirror exited before logging ${what}; stderr:\n${child.stderr()}`);
    return undefined;
  }, `${what}; stderr so far:\n${child.stderr()}`);
}

/** The child's exit, or a failure (with its stderr) if it does not exit within the upper bound. */
export async function waitForExit(child: CliChild, what = 'feedmirror to exit'): Promise<Exit> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`gave up waiting for ${what}; stderr:\n${child.stderr()}`)), PATIENCE_MS);
  });
  try {
    return await Promise.race([child.exit, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Log records of one event ("run", "locked", "stopped", …). */
export function events(logs: LogRecord[], event: string): LogRecord[] {
  return logs.filter((record) => record.event === event);
}

/** Starts `feedmirror serve --port 0` as a child and returns the port it printed in its "listening" log line. */
export async function startServe(scope: OpsScope, ws: Workspace, extraArgs: string[] = []): Promise<{ child: CliChild; port: number }> {
  return listeningOn(scope.start(serveArgs(ws, extraArgs), { cwd: ws.dir }));
}

/**
 * The same in this process: for tests of what serve answers, not of the process (its signals,
 * its exit, its stdout), at a node start-up and a module load less per test.
 */
export async function startServeInProcess(scope: OpsScope, ws: Workspace, extraArgs: string[] = []): Promise<{ child: CliChild; port: number }> {
  return listeningOn(scope.startInProcess(serveArgs(ws, extraArgs)));
}

const serveArgs = (ws: Workspace, extraArgs: string[]) => ['serve', '--config', ws.configPath, '--port', '0', '--log-format', 'json', ...extraArgs];

async function listeningOn(child: CliChild): Promise<{ child: CliChild; port: number }> {
  const [listening] = await waitForLogs(child, (r) => r.event === 'listening', 'the "listening" log line');
  const port = listening?.port;
  if (typeof port !== 'number' || port <= 0) throw new Error(`the "listening" line carries no port: ${JSON.stringify(listening)}`);
  return { child, port };
}
