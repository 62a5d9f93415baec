import { constants, stat } from 'node:fs/promises';
import type { Config } from '../config/config.js';
import { canAccess } from '../lib/file-access.js';
import { escapeControls } from '../lib/escape-controls.js';
import { plural } from '../lib/plural.js';
import { CliError, EXIT } from './exit-codes.js';

/** Seeds folders (of these sources, or of all) that are not readable folders, as `check` and `run` report them. */
export async function seedFolderProblems(config: Config, only?: string[]): Promise<string[]> {
  const problems: string[] = [];
  for (const [i, source] of config.sources.entries()) {
    if (source.kind !== 'seeds' || (only && !only.includes(source.id))) continue;
    if (!(await isReadableDir(source.seeds))) problems.push(`sources[${i}].seeds: ${source.seeds} is not a readable folder`);
  }
  return problems;
}

/** The error `check` and `run` end with for paths the config names that cannot be used (exit 1). */
export function pathProblems(config: Config, problems: string[]): CliError {
  // A path from the config may hold a newline: each problem stays one line.
  return new CliError('FM_CONFIG', `config: ${escapeControls(config.configPath)}: ${plural(problems.length, 'problem')}\n  ${problems.map(escapeControls).join('\n  ')}`, EXIT.USAGE);
}

async function isReadableDir(folder: string): Promise<boolean> {
  try {
    return (await stat(folder)).isDirectory() && (await canAccess(folder, constants.R_OK | constants.X_OK));
  } catch {
    return false;
  }
}
