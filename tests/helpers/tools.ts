import { execFile, spawn } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import path from 'node:path';
import { TestRunner } from 'vitest';

/** CI sets this so a validator that is not installed fails the suite instead of skipping. */
export const REQUIRE_VALIDATORS = process.env.FEEDMIRROR_REQUIRE_VALIDATORS === '1';

export interface ProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a program without a shell and collects its output. Asynchronous on purpose: a test may be
 * serving the file the program fetches from this very process, so the event loop must stay free.
 */
export function runProcess(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {},
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') }));
    // A program that never reads stdin may exit before the write: EPIPE here is not the program's
    // result (its exit code and output are), and unhandled it would crash the test run.
    child.stdin.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') reject(error);
    });
    child.stdin.end(options.input ?? '');
  });
}

const found = new Map<string, Promise<string | null>>();

/** The absolute path of an executable: an absolute path as given, else the first match on PATH. */
export function findExecutable(name: string): Promise<string | null> {
  let result = found.get(name);
  if (!result) {
    result = locate(name);
    found.set(name, result);
  }
  return result;
}

async function locate(name: string): Promise<string | null> {
  const candidates = path.isAbsolute(name) ? [name] : (process.env.PATH ?? '').split(path.delimiter).filter(Boolean).map((dir) => path.join(dir, name));
  for (const candidate of candidates) {
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; try the next PATH entry
    }
  }
  return null;
}

const imports = new Map<string, Promise<boolean>>();

/** Whether a Python module imports in the given interpreter (feedparser lives in the system Python only); asked once per process. */
export function hasPythonModule(python: string, module: string): Promise<boolean> {
  const key = `${python}\0${module}`;
  let result = imports.get(key);
  if (!result) {
    result = tryImport(python, module);
    imports.set(key, result);
  }
  return result;
}

async function tryImport(python: string, module: string): Promise<boolean> {
  if (!(await findExecutable(python))) return false;
  return new Promise((resolve) => execFile(python, ['-c', `import ${module}`], (error) => resolve(!error)));
}

/**
 * Called when a validator is missing. With FEEDMIRROR_REQUIRE_VALIDATORS=1 the test fails; otherwise
 * it says so on the console (so a skipped check is never silent) and skips the running test.
 */
export function missingTool(description: string): never {
  const message = `validator not available: ${description}`;
  if (REQUIRE_VALIDATORS) throw new Error(`${message} (FEEDMIRROR_REQUIRE_VALIDATORS=1, so this is a failure)`);
  const test = TestRunner.getCurrentTest();
  console.warn(`[feedmirror tests] SKIPPED${test ? ` "${test.name}"` : ''}: ${message}; install it to run this check`);
  if (!test) throw new Error(`${message} (called outside a running test, cannot skip)`);
  return test.context.skip(message);
}
