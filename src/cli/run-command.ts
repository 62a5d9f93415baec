import { loadConfig, ConfigError } from '../config/load-config.js';
import { createLogger, type LogFormat } from '../log/logger.js';
import { openSqliteStore } from '../store/sqlite-store.js';
import { runOnce } from '../pipeline/run-once.js';
import { CliError, EXIT, type ExitCode } from './exit-codes.js';

export interface CommonOptions {
  config: string;
  logLevel: string;
  logFormat: LogFormat;
}

export interface RunCommandOptions extends CommonOptions {
  all?: boolean;
  source?: string[];
}

export async function runCommand(options: RunCommandOptions): Promise<ExitCode> {
  const logger = createLogger({ level: options.logLevel, format: options.logFormat });
  const config = await loadConfigOrExit(options.config);
  const unknown = (options.source ?? []).filter((id) => !config.sources.some((s) => s.id === id));
  if (unknown.length > 0) throw new CliError(`run: unknown source id ${unknown.join(', ')} (not in ${config.configPath})`, EXIT.USAGE);
  let store;
  try {
    store = openSqliteStore(config.database);
  } catch (error) {
    throw new CliError((error as Error).message, EXIT.PUBLISH_FAILED);
  }
  try {
    await runOnce({ config, store, logger, now: () => new Date() }, { all: options.all, only: options.source });
    return EXIT.OK;
  } catch (error) {
    throw new CliError(`run: could not publish: ${describe(error)}`, EXIT.PUBLISH_FAILED);
  } finally {
    await store.close();
  }
}

export async function loadConfigOrExit(file: string) {
  try {
    return await loadConfig(file);
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message, EXIT.USAGE);
    throw error;
  }
}

function describe(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  return e.code && e.path ? `${e.code} on ${e.path}` : e.message ?? String(error);
}
