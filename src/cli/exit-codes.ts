import { FeedmirrorError, type ErrorCode } from '../model/errors.js';

/** Documented in the README; cron wrappers and systemd rely on them. */
export const EXIT = {
  /** Published (some sources may have failed; each failure is logged). */
  OK: 0,
  /** Bad config or bad command-line usage: nothing was done. */
  USAGE: 1,
  /** Could not publish: the store or the output folder is unusable. Previous feed files are untouched. */
  PUBLISH_FAILED: 2,
  /** Another run holds the lock and --fail-if-locked was given. */
  LOCKED: 3,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error that ends the command with a specific exit code and a one-line message. */
export class CliError extends FeedmirrorError {
  constructor(
    code: ErrorCode,
    message: string,
    readonly exitCode: ExitCode,
    options?: ErrorOptions,
  ) {
    super(code, message, options);
  }
}
