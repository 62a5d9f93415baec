import { mkdirSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rmdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { FeedmirrorError, type ErrorCode } from '../model/errors.js';

/** What the folder is for: the error code a failure gets, and the words its message starts with ("database"). */
export interface FolderPurpose {
  code: ErrorCode;
  label: string;
}

/**
 * `mkdir -p`, one level at a time. Node's recursive mkdir retries forever where mkdir fails with
 * ENOENT under a parent that exists (/proc, some FUSE and network mounts); here each missing level
 * is made once and the first refusal is an error naming the folder and why, under `code`.
 */
export async function makeFolders(folder: string, why: FolderPurpose): Promise<void> {
  for (const level of await missingLevels(folder, why)) await mkdir(level).catch((error: NodeJS.ErrnoException) => refused(error, level, folder, why));
}

/**
 * What makeFolders would say, without leaving a folder behind (`check`): the first missing level
 * is made and removed again, or, when the folder exists, a temporary folder inside it. Asking the
 * file system is the only sure test: as root, access() says W_OK on /proc, where mkdir fails.
 */
export async function probeFolders(folder: string, why: FolderPurpose): Promise<void> {
  const [first] = await missingLevels(folder, why);
  if (first === undefined) {
    const made = await mkdtemp(path.join(folder, '.feedmirror-check-')).catch((error: NodeJS.ErrnoException) => refused(error, folder, folder, why, 'write in'));
    if (made) await rmdir(made);
    return;
  }
  const made = await mkdir(first).then(() => true, (error: NodeJS.ErrnoException) => refused(error, first, folder, why) ?? false);
  if (made) await rmdir(first);
}

/** The levels of `folder` that do not exist yet, outermost first; a file in the way, or a level that cannot be looked at, is an error. */
async function missingLevels(folder: string, why: FolderPurpose): Promise<string[]> {
  const missing: string[] = [];
  for (let current = path.resolve(folder); ; current = path.dirname(current)) {
    const found = await stat(current).then((info) => info, (error: NodeJS.ErrnoException) => absent(error, current, why));
    if (found) {
      if (!found.isDirectory()) throw notAFolder(current, folder, why);
      break;
    }
    if (path.dirname(current) === current) break;
    missing.unshift(current);
  }
  return missing;
}

/** makeFolders for code that must stay synchronous (opening the SQLite store). */
export function makeFoldersSync(folder: string, why: FolderPurpose): void {
  const missing: string[] = [];
  for (let current = path.resolve(folder); ; current = path.dirname(current)) {
    let found;
    try {
      found = statSync(current);
    } catch (error) {
      found = absent(error as NodeJS.ErrnoException, current, why);
    }
    if (found) {
      if (!found.isDirectory()) throw notAFolder(current, folder, why);
      break;
    }
    if (path.dirname(current) === current) break;
    missing.unshift(current);
  }
  for (const level of missing) {
    try {
      mkdirSync(level);
    } catch (error) {
      refused(error as NodeJS.ErrnoException, level, folder, why);
    }
  }
}

/** A level that does not exist yet is to be made (null); any other failure to look at it is the answer. */
function absent(error: NodeJS.ErrnoException, current: string, why: FolderPurpose): null {
  if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return null;
  throw new FeedmirrorError(why.code, `${why.label}: cannot look at ${current} (${error.code ?? error.message})`, { cause: error });
}

function notAFolder(current: string, folder: string, why: FolderPurpose): FeedmirrorError {
  return new FeedmirrorError(why.code, `${why.label}: ${current} is a file, not a folder${neededFor(current, folder)}`);
}

const REASONS: Record<string, string> = {
  ENOENT: 'the file system there allows no new folder',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
};

/** A folder that another process made in the meantime is fine; any other refusal ends the attempt. */
function refused(error: NodeJS.ErrnoException, level: string, folder: string, why: FolderPurpose, action = 'create'): undefined {
  if (error.code === 'EEXIST') return undefined;
  const reason = REASONS[error.code ?? ''] ?? error.message;
  throw new FeedmirrorError(why.code, `${why.label}: cannot ${action} the folder ${level}${neededFor(level, folder)}: ${error.code}, ${reason}`, { cause: error });
}

function neededFor(level: string, folder: string): string {
  return level === path.resolve(folder) ? '' : ` (needed for ${folder})`;
}
