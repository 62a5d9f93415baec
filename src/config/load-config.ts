import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { configSchema, KNOWN_KEYS, type ParsedConfig } from './schema.js';
import type { Config, SourceConfig } from './config.js';
import { checkOutputDir } from './output-dir-safety.js';
import { configErrorMap, echoValue } from './issue-text.js';
import { isPostgresUrl } from '../lib/database-url.js';
import { isS3Url } from '../lib/s3-url.js';

import { ConfigError } from './config-error.js';
import { withoutComments } from './comments.js';

export { ConfigError, DEFAULT_CONFIG_FILE } from './config-error.js';

export async function loadConfig(file: string): Promise<Config> {
  const configPath = path.resolve(file);
  let text: string;
  try {
    text = await readFile(configPath, 'utf8');
  } catch (error) {
    throw new ConfigError(configPath, [`cannot read the file: ${(error as NodeJS.ErrnoException).code ?? String(error)}`]);
  }
  const parsed = validateConfig(text, configPath);
  const config = resolvePaths(parsed, configPath);
  const unsafe = await checkOutputDir(config, parsed.outputDir);
  if (unsafe) throw new ConfigError(configPath, [unsafe]);
  return config;
}

/** The schema's checks only (no file system): what an edit of the config must pass before it is written. */
export function parseConfig(text: string, configPath: string): Config {
  return resolvePaths(validateConfig(text, configPath), configPath);
}

function validateConfig(text: string, configPath: string): ParsedConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new ConfigError(configPath, [`not valid JSON: ${(error as Error).message}`]);
  }
  const result = configSchema.safeParse(withoutComments(raw), { error: configErrorMap });
  if (!result.success) throw new ConfigError(configPath, result.error.issues.map((issue) => describeIssue(issue, raw)));
  return result.data;
}

function resolvePaths(parsed: ParsedConfig, configPath: string): Config {
  const configDir = path.dirname(configPath);
  return {
    ...parsed,
    configPath,
    configDir,
    database: isPostgresUrl(parsed.database) ? parsed.database : path.resolve(configDir, parsed.database),
    outputDir: isS3Url(parsed.outputDir) ? parsed.outputDir : path.resolve(configDir, parsed.outputDir),
    mediaProxy: { ...parsed.mediaProxy, cacheDir: path.resolve(configDir, parsed.mediaProxy.cacheDir) },
    mirrorLists: parsed.mirrorLists.map((list) => (list.path ? { ...list, path: path.resolve(configDir, list.path) } : list)),
    sources: parsed.sources.map((source): SourceConfig =>
      'seeds' in source
        ? { ...source, kind: 'seeds', seeds: path.resolve(configDir, source.seeds) }
        : { ...source, kind: 'feed' },
    ),
  };
}

/** "key path: the value found: what was expected", the value left out where the message quotes it. */
function describeIssue(issue: z.core.$ZodIssue, raw: unknown): string {
  const where = issue.path.length === 0 ? '(top level)' : formatPath(issue.path);
  if (issue.code === 'unrecognized_keys') {
    const known = KNOWN_KEYS.find((k) => k.path.test(issue.path.join('.')));
    if (known) return `${where}: ${issue.message} (expected one of: ${known.keys.join(', ')})`;
    return `${where}: ${issue.message}`;
  }
  if (issue.path.length === 0) return `${where}: ${issue.message}`;
  const value = valueAt(raw, issue.path);
  if (!value.found) return `${where}: missing: ${issue.message}`;
  const echo = echoValue(value.value, issue.message);
  return echo === null ? `${where}: ${issue.message}` : `${where}: ${echo}: ${issue.message}`;
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): { found: boolean; value?: unknown } {
  let current = raw;
  for (const part of path) {
    if (typeof current !== 'object' || current === null || !Object.hasOwn(current, part)) return { found: false };
    current = (current as Record<PropertyKey, unknown>)[part];
  }
  return { found: current !== undefined, value: current };
}

function formatPath(parts: readonly PropertyKey[]): string {
  return parts
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`))
    .join('');
}
