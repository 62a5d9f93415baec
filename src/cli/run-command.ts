import { loadConfig, ConfigError } from '../config/load-config.js';
import type { Config } from '../config/config.js';
import { createLogger, type LogFormat } from '../log/logger.js';
import { runExclusive } from '../schedule/run-exclusive.js';
import { FeedmirrorError } from '../model/errors.js';
import { CliError, EXIT, type ExitCode } from './exit-codes.js';

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
}

export async function runCommand(options: RunCommandOptions): Promise<ExitCode> {
  const logger = createLogger({ level: options.logLevel, format: options.logFormat });
  const config = await loadConfigOrExit(options.config);
  const unknown = (options.source ?? []).filter((id) => !config.sources.some((s) => s.id === id));
  if (unknown.length > 0) throw new CliError('FM_USAGE', `run: unknown source id ${unknown.join(', ')} (not in ${config.configPath})`, EXIT.USAGE);
  try {
    const outcome = await runExclusive({ config, logger }, { all: options.all, only: options.source, refresh: options.refresh, lock: options.wait ? 'wait' : 'skip' });
    if (outcome.status === 'ran') return EXIT.OK;
    const holder = outcome.holder ? ` (pid ${outcome.holder.pid} on ${outcome.holder.host}, since ${outcome.holder.startedAt})` : '';
    logger.info({ event: 'locked', holder: outcome.holder }, `another run is in progress${holder}; nothing to do`);
    return options.failIfLocked ? EXIT.LOCKED : EXIT.OK;
  } catch (error) {
    if (error instanceof FeedmirrorError && error.code === 'FM_STORE') throw new CliError(error.code, error.message, EXIT.PUBLISH_FAILED, { cause: error });
    throw new CliError('FM_PUBLISH', `run: could not publish: ${describe(error)}`, EXIT.PUBLISH_FAILED, { cause: error });
  }
}

export async function loadConfigOrExit(file: string): Promise<Config> {
  try {
    return await loadConfig(file);
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.code, error.message, EXIT.USAGE, { cause: error });
    throw error;
  }
}

export function describe(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  return e.code && e.path ? `${e.code} on ${e.path}` : (e.message ?? String(error));
}
