import { realpath } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { quoteValue } from '../lib/escape-controls.js';
import { isPostgresUrl } from '../lib/database-url.js';
import { isS3Url } from '../lib/s3-url.js';
import type { Config } from './config.js';

/** What `serve` must never hand out and a publish must never write over: each with how to name it. */
function guardedPaths(config: Config): { what: string; path: string }[] {
  return [
    { what: 'the config file', path: config.configPath },
    ...(isPostgresUrl(config.database) ? [] : [{ what: 'the database', path: config.database }]),
    ...config.sources.flatMap((source) => (source.kind === 'seeds' ? [{ what: `the seeds folder of source "${source.id}"`, path: source.seeds }] : [])),
    ...config.mirrorLists.flatMap((list, i) => (list.path ? [{ what: `the mirror list of mirrorLists[${i}]`, path: list.path }] : [])),
    { what: 'the home folder of the user running feedmirror', path: os.homedir() },
  ];
}

/**
 * Everything in the output folder is published, and `serve` hands out any file in it. So it may
 * not be the filesystem root, nor hold (be, or be a parent of) the config, the database (and its
 * lock and journal beside it), a seeds folder, a mirror list or the home folder. Links are
 * resolved first: a link to "/" is the root. `written` is the value as the config has it. An
 * s3:// outputDir holds no file of this machine and `serve` refuses it: nothing to check.
 */
export async function checkOutputDir(config: Config, written: string): Promise<string | null> {
  if (isS3Url(config.outputDir)) return null;
  const real = await resolveExisting(config.outputDir);
  const advice = 'use a folder of its own, such as "feeds"';
  if (real === path.parse(real).root) {
    return `outputDir: ${quoteValue(written)} is the filesystem root (${real}): runs would write there and \`serve\` would serve every file on the machine; ${advice}`;
  }
  const held: string[] = [];
  for (const guarded of guardedPaths(config)) {
    if (isSameOrInside(real, await resolveExisting(guarded.path))) held.push(guarded.what);
  }
  if (held.length === 0) return null;
  return `outputDir: ${quoteValue(written)} resolves to ${quoteValue(real)}, which holds ${joinWords(held)}: \`serve\` would hand ${held.length === 1 ? 'it' : 'them'} to anyone who asks; ${advice}`;
}

/** The real path of the longest existing prefix (links resolved), with the rest appended as written. */
async function resolveExisting(target: string): Promise<string> {
  const missing: string[] = [];
  let current = path.resolve(target);
  for (;;) {
    try {
      return path.join(await realpath(current), ...missing);
    } catch {
      const parent = path.dirname(current);
      if (parent === current) return path.join(current, ...missing);
      missing.unshift(path.basename(current));
      current = parent;
    }
  }
}

function isSameOrInside(folder: string, target: string): boolean {
  const relative = path.relative(folder, target);
  return relative === '' || (relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative));
}

function joinWords(items: string[]): string {
  return items.length === 1 ? items[0]! : `${items.slice(0, -1).join(', ')} and ${items.at(-1)!}`;
}
