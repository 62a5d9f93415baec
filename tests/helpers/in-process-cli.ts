/**
 * The CLI run inside the test's own process: src/cli/main.ts's runCommandLine with the workspace
 * as working folder and streams that collect what it writes, so a test pays no node start-up and
 * no module loading per command. For tests about what a command does, prints and leaves on disk.
 * Tests about the process itself (signals, locks between processes, a crash, peak memory, serve
 * and daemon lifecycles, what reaches file descriptor 2) run bin/feedmirror.js as a child (runCli).
 */
import path from 'node:path';
import { Writable } from 'node:stream';
import { runCommandLine } from '../../src/cli/main.js';
import { parseLogLines, type CliResult } from './workspace.js';

/** What the child gets from runCli's environment: no colours whatever the test's terminal. */
const CLI_ENV: NodeJS.ProcessEnv = { NO_COLOR: '1', FORCE_COLOR: '0' };

let running = false;

/**
 * `feedmirror …args` in this process, in `cwd`, with `env` added to the environment while it runs;
 * the same result as runCli. The working folder and environment are the process's, so one command
 * at a time (vitest runs the tests of a file one after another).
 */
export async function runCliInProcess(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<CliResult> {
  if (running) throw new Error('runCliInProcess: another command is still running in this process (await it first)');
  running = true;
  const stdout = collector();
  const stderr = collector();
  const restoreEnv = setEnv({ ...CLI_ENV, ...options.env });
  const previousCwd = process.cwd();
  const before = processState();
  try {
    process.chdir(options.cwd);
    const code = await runCommandLine([process.execPath, 'feedmirror', ...args], { stdout: stdout.stream, stderr: stderr.stream });
    // lines a stream passes on asynchronously (pino-pretty's pipeline) arrive before the command counts as done, as at a process's exit
    await new Promise((resolve) => setImmediate(resolve));
    expectNothingLeftBehind(args, before, await settledState(before));
    return { code, stdout: stdout.text(), stderr: stderr.text(), logs: parseLogLines(stderr.text()) };
  } finally {
    process.chdir(previousCwd);
    restoreEnv();
    running = false;
  }
}

/** A long-running command (`serve`) started in this process by startCliInProcess. */
export interface InProcessCommand {
  stdout(): string;
  stderr(): string;
  /** The exit code once the command has returned; rejects when it set process.exitCode. */
  exit: Promise<number>;
  hasExited(): boolean;
  /** What SIGTERM does to the process: the command's io.stop aborts. */
  stop(): void;
}

/**
 * `feedmirror …args` started in this process and left running: for `serve`, whose files, headers
 * and endpoints a test judges over HTTP. It stops through io.stop (cli-io.ts), not a signal. It
 * runs beside the test's other commands, so it neither changes the working folder nor the
 * environment: `--config` must be an absolute path. Tests of the process itself (signals, what
 * reaches file descriptor 1) start a child instead.
 */
export function startCliInProcess(args: string[]): InProcessCommand {
  const config = args[args.indexOf('--config') + 1];
  if (!args.includes('--config') || !config || !path.isAbsolute(config)) throw new Error(`startCliInProcess: give --config as an absolute path (${args.join(' ')})`);
  const stdout = collector();
  const stderr = collector();
  const stop = new AbortController();
  const before = processState();
  let exited = false;
  const exit = (async () => {
    try {
      const code = await runCommandLine([process.execPath, 'feedmirror', ...args], { stdout: stdout.stream, stderr: stderr.stream, stop: stop.signal });
      await new Promise((resolve) => setImmediate(resolve));
      // Only the exit code is compared: the test's own servers, browsers and their signal handlers
      // come and go while the command runs, so counts of handles and listeners say nothing of it.
      expectNothingLeftBehind(args, before, { ...before, exitCode: process.exitCode });
      return code;
    } finally {
      exited = true;
    }
  })();
  return { stdout: stdout.text, stderr: stderr.text, exit, hasExited: () => exited, stop: () => stop.abort() };
}

/** What a finished command could leave behind in the process that ran it. */
interface ProcessState {
  exitCode: typeof process.exitCode;
  /** Listener counts of the process events a command might hook. */
  listeners: Record<string, number>;
  /** Open handles and timers by kind ('Timeout', 'TCPSocketWrap', 'FileHandle'…). */
  resources: Record<string, number>;
}

const HOOKED_EVENTS = ['SIGTERM', 'SIGINT', 'SIGHUP', 'exit', 'beforeExit', 'uncaughtException', 'unhandledRejection', 'warning'] as const;

function processState(): ProcessState {
  const resources: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) resources[kind] = (resources[kind] ?? 0) + 1;
  return { exitCode: process.exitCode, listeners: Object.fromEntries(HOOKED_EVENTS.map((event) => [event, process.listenerCount(event)])), resources };
}

/** How long the process may take to let go of what a finished command closed (see settledState). */
const SETTLE_MS = 2_000;

/**
 * The state once what the command closed is gone. A test's own fixture server shares this process:
 * its end of a connection the command closed goes a moment later, when the close reaches it.
 * Waits only while something is still open; a real leak (a keep-alive socket, a timer) stays.
 */
async function settledState(before: ProcessState): Promise<ProcessState> {
  const deadline = performance.now() + SETTLE_MS;
  let state = processState();
  while (grownCounts('', before.resources, state.resources).length > 0 && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    state = processState();
  }
  return state;
}

/**
 * A command run by an embedder must leave the process as it found it: no exit code set, no signal
 * handler, no timer, socket or file still open (a leak here is a bug of the CLI, not of the test).
 */
function expectNothingLeftBehind(args: string[], before: ProcessState, after: ProcessState): void {
  const grown = [
    ...(after.exitCode !== before.exitCode ? [`process.exitCode ${String(before.exitCode)} → ${String(after.exitCode)}`] : []),
    ...grownCounts('listeners of', before.listeners, after.listeners),
    ...grownCounts('open', before.resources, after.resources),
  ];
  if (grown.length > 0) throw new Error(`runCliInProcess: \`feedmirror ${args.join(' ')}\` left behind: ${grown.join('; ')}`);
}

function grownCounts(what: string, before: Record<string, number>, after: Record<string, number>): string[] {
  return Object.entries(after)
    .filter(([key, n]) => n > (before[key] ?? 0))
    .map(([key, n]) => `${what} ${key}: ${before[key] ?? 0} → ${n}`);
}

function collector(): { stream: Writable; text(): string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, encoding, callback) {
      chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, encoding) : chunk);
      callback();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

/** Sets the variables and answers a function that puts back what was there (unset ones unset again). */
function setEnv(vars: NodeJS.ProcessEnv): () => void {
  const saved = Object.entries(vars).map(([key]) => [key, process.env[key]] as const);
  for (const [key, value] of Object.entries(vars)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  return () => {
    for (const [key, value] of saved) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
}
