import { loadConfig, ConfigError } from '../config/load-config.js';
import type { Config } from '../config/config.js';
import { createLogger, type LogFormat } from '../log/logger.js';
import { runExclusive } from '../schedule/run-exclusive.js';
import { FeedmirrorError } from '../model/errors.js';
import { CliError, EXIT, type ExitCode } from './exit-codes.js';
import { describeFailures, type RunReport } from '../pipeline/run-report.js';
import { plural } from '../lib/plural.js';
import { fileExists } from '../lib/file-access.js';
import { pathProblems, seedFolderProblems } from './path-problems.js';
import { logOutput, PROCESS_IO, type CliIo } from './cli-io.js';
import { StatusLine } from '../log/status-line.js';
import { progressLine, REDRAW_MS, wantsProgressLine } from './progress-line.js';

export interface CommonOptions {
  config: string;
  logLevel: string;
  logFormat: LogFormat;
}

export interface RunCommandOptions extends CommonOptions {
  all?: boolean;
  source?: string[];
  wait?: boolean;
  failIfLocked?: boolean;
  refresh?: boolean;
  strict?: boolean;
  progressInterval?: number;
  /** false with --no-progress: no progress line even on a terminal. */
  progress?: boolean;
}

export async function runCommand(options: RunCommandOptions, io: CliIo = PROCESS_IO): Promise<ExitCode> {
  const statusLine = wantsProgressLine(io.stderr, options) ? new StatusLine(io.stderr) : null;
  const logger = createLogger({ level: options.logLevel, format: options.logFormat, ...(statusLine ? { stream: statusLine.logStream() } : logOutput(io)) });
  const config = await loadConfigOrExit(options.config);
  const unknown = (options.source ?? []).filter((id) => !config.sources.some((s) => s.id === id));
  if (unknown.length > 0) throw new CliError('FM_USAGE', `run: unknown source id ${unknown.join(', ')} (not in ${config.configPath})`, EXIT.USAGE);
  // As `check` says: a seeds folder that is missing is a mistake in the config, not a source having a bad day.
  const folders = await seedFolderProblems(config, options.source);
  if (folders.length > 0) throw pathProblems(config, folders);
  // --progress-interval (the tests') also hastens the line, so a test need not wait out REDRAW_MS
  const progressWatcher = statusLine ? progressLine(statusLine, Math.min(REDRAW_MS, options.progressInterval ?? REDRAW_MS)) : undefined;
  const outcome = await runOrExplain(() => runExclusive({ config, logger, progressIntervalMs: options.progressInterval, progressWatcher }, { all: options.all, only: options.source, refresh: options.refresh, lock: options.wait ? 'wait' : 'skip' })).finally(() => progressWatcher?.end());
  if (outcome.status === 'ran') return options.strict ? strictOutcome(outcome.report) : EXIT.OK;
  const holder = outcome.holder ? ` (pid ${outcome.holder.pid} on ${outcome.holder.host}, since ${outcome.holder.startedAt})` : '';
  logger.info({ event: 'locked', holder: outcome.holder }, `another run is in progress${holder}; nothing to do`);
  return options.failIfLocked ? EXIT.LOCKED : EXIT.OK;
}

/** A run that could not publish ends the command with exit 2 and what stood in the way. */
async function runOrExplain<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof FeedmirrorError && error.code === 'FM_STORE') throw new CliError(error.code, error.message, EXIT.PUBLISH_FAILED, { cause: error });
    throw new CliError('FM_PUBLISH', `run: could not publish: ${describe(error)}`, EXIT.PUBLISH_FAILED, { cause: error });
  }
}

/** `run --strict`: a source that failed this run fails the command, after the others were published. */
function strictOutcome(report: RunReport): ExitCode {
  const failed = describeFailures(report);
  if (failed.length === 0) return EXIT.OK;
  throw new CliError('FM_SOURCES_FAILED', `run --strict: ${plural(failed.length, 'source')} failed this run: ${failed.join(', ')}; the others were published`, EXIT.SOURCES_FAILED);
}

/** What someone without a config is told to do. */
const INIT_HINT = '; `feedmirror init` writes a starting config and a seeds/ folder with a sample';

export async function loadConfigOrExit(file: string): Promise<Config> {
  try {
    return await loadConfig(file);
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.code, `${error.message}${(await fileExists(error.file)) ? '' : INIT_HINT}`, EXIT.USAGE, { cause: error });
    throw error;
  }
}

export function describe(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  return e.code && e.path ? `${e.code} on ${e.path}` : (e.message ?? String(error));
}
