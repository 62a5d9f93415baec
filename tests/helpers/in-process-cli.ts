/**
 * The CLI run inside the test's own process: src/cli/main.ts's runCommandLine with the workspace
 * as working folder and streams that collect what it writes, so a test pays no node start-up and
 * no module loading per command. For tests about what a command does, prints and leaves on disk.
 * Tests about the process itself (signals, locks between processes, a crash, peak memory, serve
 * and daemon lifecycles, what reaches file descriptor 2) run bin/feedmirror.js as a child (runCli).
 */
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
  try {
    process.chdir(options.cwd);
    const code = await runCommandLine([process.execPath, 'feedmirror', ...args], { stdout: stdout.stream, stderr: stderr.stream });
    // lines a stream passes on asynchronously (pino-pretty's pipeline) arrive before the command counts as done, as at a process's exit
    await new Promise((resolve) => setImmediate(resolve));
    return { code, stdout: stdout.text(), stderr: stderr.text(), logs: parseLogLines(stderr.text()) };
  } finally {
    process.chdir(previousCwd);
    restoreEnv();
    running = false;
  }
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
