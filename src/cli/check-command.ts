import { constants } from 'node:fs/promises';
import { canAccess } from '../lib/file-access.js';
import path from 'node:path';
import { isPostgresUrl } from '../lib/database-url.js';
import { probeDatabase } from '../store/open-store.js';
import { loadConfigOrExit, type CommonOptions } from './run-command.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { PROCESS_IO, type CliIo } from './cli-io.js';
import { plural } from '../lib/plural.js';
import { pathProblems, seedFolderProblems } from './path-problems.js';
import type { Config } from '../config/config.js';
import { describeProxy } from '../lib/proxy-url.js';
import { probeFolders, type FolderPurpose } from '../lib/make-folders.js';
import { FeedmirrorError } from '../model/errors.js';

/**
 * Validates the config (schema: file, key path, what was expected; an output folder that would
 * expose the machine or the project, see output-dir-safety.ts) and the paths it names: seeds
 * folders readable, mirror list files readable, database and output folders writable or creatable
 * (tried, as `run` would: a folder is made and removed again)
 * (a PostgreSQL database: the server answers and lets us in). Proxy URLs are checked by the schema;
 * the proxies in use are listed, without their passwords.
 */
export async function checkCommand(options: CommonOptions, io: CliIo = PROCESS_IO, env: Record<string, string | undefined> = process.env): Promise<ExitCode> {
  const config = await loadConfigOrExit(options.config);
  const problems = await seedFolderProblems(config);
  for (const [i, list] of config.mirrorLists.entries()) {
    if (list.path && !(await canAccess(list.path, constants.R_OK))) problems.push(`mirrorLists[${i}].path: ${list.path} cannot be read`);
  }
  if (isPostgresUrl(config.database)) {
    const problem = await probeDatabase(config.database);
    if (problem) problems.push(`database: ${problem}`);
  } else {
    problems.push(...(await folderProblem(path.dirname(config.database), { code: 'FM_STORE', label: 'database' })));
  }
  problems.push(...(await folderProblem(config.outputDir, { code: 'FM_PUBLISH', label: 'outputDir' })));
  if (problems.length > 0) throw pathProblems(config, problems);
  const feeds = config.sources.filter((s) => s.kind === 'feed').length;
  io.stdout.write(`${config.configPath}: OK — ${plural(config.sources.length, 'source')} (${feeds} remote), ${plural(config.outputs.length, 'output')}, schedule "${config.schedule.cron}" ${config.schedule.timezone}\n`);
  for (const line of describeProxies(config, env)) io.stdout.write(`  ${line}\n`);
  return EXIT.OK;
}

/** The proxy settings as fetches will use them, passwords replaced by "***": nothing when no proxy is configured. */
export function describeProxies(config: Config, env: Record<string, string | undefined>): string[] {
  const { proxy, torProxy, noProxy } = config.fetch;
  const own = config.sources.flatMap((s) => (s.kind === 'feed' && s.proxy !== undefined ? [`${s.id} → ${s.proxy === false ? 'direct' : describeProxy(s.proxy)}`] : []));
  if (!proxy && !torProxy && own.length === 0) return [];
  return [
    `fetch.proxy: ${proxy ? `${describeProxy(proxy, env)}, ${resolvedBy(proxy)}` : 'none (direct)'}`,
    `fetch.torProxy: ${torProxy ? `${describeProxy(torProxy)}, for .onion hosts` : 'none (.onion hosts cannot be fetched)'}`,
    ...(proxy ? [`fetch.noProxy: ${noProxy.length > 0 ? noProxy.join(', ') : 'none'}`] : []),
    ...(own.length > 0 ? [`sources with their own proxy: ${own.join('; ')}`] : []),
  ];
}

function resolvedBy(proxy: string): string {
  return new URL(proxy).protocol === 'socks5:' ? 'names resolved here' : 'names resolved by the proxy';
}

/** What `run` would say about making or writing in this folder (the same words), or nothing. */
async function folderProblem(folder: string, why: FolderPurpose): Promise<string[]> {
  try {
    await probeFolders(folder, why);
    return [];
  } catch (error) {
    if (error instanceof FeedmirrorError) return [error.message];
    throw error;
  }
}
