import type { LoggerOptions } from '../log/logger.js';

/**
 * Where a command writes: the process's own stdout and stderr when it runs as `feedmirror`, or
 * streams of the caller's when the CLI runs inside another program (the tests run it in-process).
 */
export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /**
   * For a program that runs the CLI inside itself, where a signal would reach the whole host
   * process: `serve` stops when this aborts, as on SIGTERM, and listens for no SIGTERM or SIGINT.
   */
  stop?: AbortSignal;
}

export const PROCESS_IO: CliIo = { stdout: process.stdout, stderr: process.stderr };

/** The process's stderr is written by file descriptor, synchronously, so no line is lost at exit; another stream as a stream. */
export function logOutput(io: CliIo): Pick<LoggerOptions, 'fd' | 'stream'> {
  return io.stderr === process.stderr ? { fd: 2 } : { stream: io.stderr };
}
