import { constants, stat } from 'node:fs/promises';
import { canAccess } from '../lib/file-access.js';
import path from 'node:path';
import { isPostgresUrl } from '../lib/database-url.js';
import { probeDatabase } from '../store/open-store.js';
import { loadConfigOrExit, type CommonOptions } from './run-command.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { PROCESS_IO, type CliIo } from './cli-io.js';
import { plural } from '../lib/plural.js';
import { pathProblems, seedFolderProblems } from './path-problems.js';

/**
 * Validates the config (schema: file, key path, what was expected; an output folder that would
 * expose the machine or the project, see output-dir-safety.ts) and the paths it names: seeds
 * folders readable, mirror list files readable, database and output folders writable or creatable
 * (a PostgreSQL database: the server answers and lets us in).
 */
export async function checkCommand(options: CommonOptions, io: CliIo = PROCESS_IO): Promise<ExitCode> {
  const config = await loadConfigOrExit(options.config);
  const problems = await seedFolderProblems(config);
  for (const [i, list] of config.mirrorLists.entries()) {
    if (list.path && !(await canAccess(list.path, constants.R_OK))) problems.push(`mirrorLists[${i}].path: ${list.path} cannot be read`);
  }
  if (isPostgresUrl(config.database)) {
    const problem = await probeDatabase(config.database);
    if (problem) problems.push(`database: ${problem}`);
  } else {
    const database = path.dirname(config.database);
    if (!(await isWritableOrCreatable(database))) problems.push(`database: the folder ${database} is not writable`);
  }
  if (!(await isWritableOrCreatable(config.outputDir))) problems.push(`outputDir: ${config.outputDir} is not writable`);
  if (problems.length > 0) throw pathProblems(config, problems);
  const feeds = config.sources.filter((s) => s.kind === 'feed').length;
  io.stdout.write(`${config.configPath}: OK — ${plural(config.sources.length, 'source')} (${feeds} remote), ${plural(config.outputs.length, 'output')}, schedule "${config.schedule.cron}" ${config.schedule.timezone}\n`);
  return EXIT.OK;
}

/** The folder is writable, or the nearest existing parent is (so the first run can create it). */
async function isWritableOrCreatable(folder: string): Promise<boolean> {
  let current = path.resolve(folder);
  for (;;) {
    try {
      const info = await stat(current);
      return info.isDirectory() && (await canAccess(current, constants.W_OK | constants.X_OK));
    } catch {
      const parent = path.dirname(current);
      if (parent === current) return false;
      current = parent;
    }
  }
}
