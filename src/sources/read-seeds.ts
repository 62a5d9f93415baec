import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import path from 'node:path';
import type { SeedFile } from '../model/seed.js';
import type { InputProblem } from '../model/problem.js';
import { sameStamp, stampOf } from '../lib/file-access.js';
import { isInside, MAX_SEED_BYTES, notFile, outside, readSeedEntry, tooBig, unreadable, type SeedEntry, type SeedRefusal } from './open-seed.js';

export { MAX_SEED_BYTES, type SeedEntry } from './open-seed.js';

const SEED_EXTENSION = '.txt';

export interface SeedFolderScan {
  files: SeedFile[];
  problems: InputProblem[];
  /**
   * False when a file was not what the listing saw (replaced, removed, turned into a link or a
   * pipe, grown): the listing is stale, so no record of it may stand for the folder's state.
   */
  matchesListing: boolean;
}

export interface SeedFolderListing {
  /** The seeds folder with every link in its path resolved: entries are opened through it. */
  root: string;
  entries: SeedEntry[];
  problems: InputProblem[];
}

/**
 * The `*.txt` files directly in `folder`, in name order, with what can be told without opening
 * them: links that lead outside the folder, files that are not regular files and oversized files
 * are reported, not listed.
 */
export async function listSeedFolder(sourceId: string, folder: string): Promise<SeedFolderListing> {
  const names = (await readdir(folder)).filter((name) => name.endsWith(SEED_EXTENSION) && !name.startsWith('.')).sort();
  const root = await realpath(folder);
  const entries: SeedEntry[] = [];
  const problems: InputProblem[] = [];
  for (const name of names) {
    const file = path.join(folder, name);
    const outcome = await inspectSeedFile(root, file);
    if ('code' in outcome) problems.push({ sourceId, target: file, ...outcome });
    else entries.push(outcome);
  }
  return { root, entries, problems };
}

/**
 * Reads the listed files, each through one descriptor that is checked before it is read (see
 * open-seed.ts): what the listing saw may have been swapped since. A file that cannot be read is
 * reported after the listing's problems.
 */
export async function readSeedEntries(sourceId: string, listing: SeedFolderListing): Promise<SeedFolderScan> {
  const files: SeedFile[] = [];
  const problems = [...listing.problems];
  let matchesListing = true;
  for (const entry of listing.entries) {
    const read = await readSeedEntry(listing.root, entry);
    if (read.file) files.push(read.file);
    else problems.push({ sourceId, target: entry.path, ...read.problem });
    if (!read.seen || !sameStamp(read.seen, entry.stamp)) matchesListing = false;
  }
  return { files, problems, matchesListing };
}

/** The entry, or why it is not read. */
async function inspectSeedFile(root: string, file: string): Promise<SeedEntry | SeedRefusal> {
  try {
    const link = await lstat(file);
    let target = path.join(root, path.basename(file));
    if (link.isSymbolicLink()) {
      target = await realpath(file);
      if (!isInside(root, target)) return outside(target, root);
    }
    const info: Stats = link.isSymbolicLink() ? await stat(target) : link;
    if (!info.isFile()) return notFile(info);
    if (info.size > MAX_SEED_BYTES) return tooBig(`is ${info.size} bytes`);
    return { path: file, name: path.basename(file), target, isLink: link.isSymbolicLink(), mtime: info.mtime, stamp: stampOf(info) };
  } catch (error) {
    return unreadable(error);
  }
}
