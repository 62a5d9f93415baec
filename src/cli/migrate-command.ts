import { redactDatabase } from '../lib/database-url.js';
import { migrateStore } from '../store/open-store.js';
import { PROCESS_IO, type CliIo } from './cli-io.js';
import { CliError, EXIT, type ExitCode } from './exit-codes.js';
import { loadConfigOrExit, type CommonOptions } from './run-command.js';

/**
 * `feedmirror migrate`: brings the store's schema up to date, as every command that opens the
 * store does on its own, so that an upgrade can be applied (and seen to succeed) before workers
 * start. Safe to run while others start: PostgreSQL migrations wait for one another.
 */
export async function migrateCommand(options: CommonOptions, io: CliIo = PROCESS_IO): Promise<ExitCode> {
  const config = await loadConfigOrExit(options.config);
  let outcome;
  try {
    outcome = await migrateStore(config.database);
  } catch (error) {
    throw new CliError('FM_STORE', (error as Error).message, EXIT.PUBLISH_FAILED, { cause: error });
  }
  const name = redactDatabase(config.database);
  io.stdout.write(outcome.from === outcome.to ? `${name}: schema version ${outcome.to}, up to date\n` : `${name}: schema version ${outcome.from} → ${outcome.to}\n`);
  return EXIT.OK;
}
