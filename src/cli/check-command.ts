import { constants, stat } from 'node:fs/promises';
import { canAccess } from '../lib/file-access.js';
import { escapeControls } from '../lib/escape-controls.js';
import path from 'node:path';
import { loadConfigOrExit, type CommonOptions } from './run-command.js';
import { CliError, EXIT, type ExitCode } from './exit-codes.js';
import type { Config } from '../config/config.js';
import { describeProxy } from '../lib/proxy-url.js';

/**
 * Validates the config (schema: file, key path, what was expected; an output folder that would
 * expose the machine or the project, see output-dir-safety.ts) and the paths it names: seeds
 * folders readable, mirror list files readable, database and output folders writable or creatable.
 * Proxy URLs are checked by the schema; the proxies in use are listed, without their passwords.
 */
export async function checkCommand(options: CommonOptions, out: NodeJS.WritableStream = process.stdout, env: Record<string, string | undefined> = process.env): Promise<ExitCode> {
  const config = await loadConfigOrExit(options.config);
  const problems: string[] = [];
  for (const [i, source] of config.sources.entries()) {
    if (source.kind === 'seeds' && !(await isReadableDir(source.seeds))) problems.push(`sources[${i}].seeds: ${source.seeds} is not a readable folder`);
  }
  for (const [i, list] of config.mirrorLists.entries()) {
    if (list.path && !(await canAccess(list.path, constants.R_OK))) problems.push(`mirrorLists[${i}].path: ${list.path} cannot be read`);
  }
  const database = path.dirname(config.database);
  if (!(await isWritableOrCreatable(database))) problems.push(`database: the folder ${database} is not writable`);
  if (!(await isWritableOrCreatable(config.outputDir))) problems.push(`outputDir: ${config.outputDir} is not writable`);
  // A path from the config may hold a newline: each problem stays one line.
  if (problems.length > 0) throw new CliError('FM_CONFIG', `config: ${escapeControls(config.configPath)}: ${problems.length} problem${problems.length === 1 ? '' : 's'}\n  ${problems.map(escapeControls).join('\n  ')}`, EXIT.USAGE);
  const feeds = config.sources.filter((s) => s.kind === 'feed').length;
  out.write(`${config.configPath}: OK — ${config.sources.length} sources (${feeds} remote), ${config.outputs.length} outputs, schedule "${config.schedule.cron}" ${config.schedule.timezone}\n`);
  for (const line of describeProxies(config, env)) out.write(`  ${line}\n`);
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

async function isReadableDir(folder: string): Promise<boolean> {
  try {
    return (await stat(folder)).isDirectory() && (await canAccess(folder, constants.R_OK | constants.X_OK));
  } catch {
    return false;
  }
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
