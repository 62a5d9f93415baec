import { lstat, readdir, readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { SeedFile } from '../model/seed.js';
import type { InputProblem } from '../model/problem.js';
import { stampOf, type FileStamp } from '../lib/file-access.js';

/** A seed is a single article; anything larger is not one, and reading it whole would cost memory. */
export const MAX_SEED_BYTES = 5_000_000; // bytes

const SEED_EXTENSION = '.txt';

export interface SeedFolderScan {
  files: SeedFile[];
  problems: InputProblem[];
}

/** A seed file found in the folder, not read yet. */
export interface SeedEntry {
  path: string;
  name: string;
  mtime: Date;
  stamp: FileStamp;
}

export interface SeedFolderListing {
  entries: SeedEntry[];
  problems: InputProblem[];
}

/**
 * Reads every `*.txt` file directly in `folder`, in name order.
 * Links that lead outside the folder and oversized files are reported, not read.
 */
export async function readSeedFolder(sourceId: string, folder: string): Promise<SeedFolderScan> {
  return readSeedEntries(sourceId, await listSeedFolder(sourceId, folder));
}

/** The seed files of `folder` in name order, with what can be told without reading them. */
export async function listSeedFolder(sourceId: string, folder: string): Promise<SeedFolderListing> {
  const names = (await readdir(folder)).filter((name) => name.endsWith(SEED_EXTENSION) && !name.startsWith('.')).sort();
  const root = await realpath(folder);
  const entries: SeedEntry[] = [];
  const problems: InputProblem[] = [];
  for (const name of names) {
    const file = path.join(folder, name);
    const outcome = await inspectSeedFile(root, file);
    if (typeof outcome === 'string') problems.push(problemOf(sourceId, file, outcome));
    else if (outcome) entries.push(outcome);
  }
  return { entries, problems };
}

/** Reads the listed files; one that cannot be read is reported after the listing's problems. */
export async function readSeedEntries(sourceId: string, listing: SeedFolderListing): Promise<SeedFolderScan> {
  const files: SeedFile[] = [];
  const problems = [...listing.problems];
  for (const entry of listing.entries) {
    try {
      files.push({ path: entry.path, name: entry.name, bytes: await readFile(entry.path), mtime: entry.mtime });
    } catch (error) {
      problems.push(problemOf(sourceId, entry.path, unreadable(error)));
    }
  }
  return { files, problems };
}

/** Returns the entry, null for something that is not a seed (a folder), or "CODE: reason". */
async function inspectSeedFile(root: string, file: string): Promise<SeedEntry | null | string> {
  try {
    const link = await lstat(file);
    if (link.isSymbolicLink()) {
      const target = await realpath(file);
      if (!isInside(root, target)) return `FM_SEED_OUTSIDE: is a link to ${target}, outside the seeds folder ${root}`;
    }
    const info = await stat(file);
    if (!info.isFile()) return null;
    if (info.size > MAX_SEED_BYTES) return `FM_SEED_TOO_BIG: is ${info.size} bytes, more than the ${MAX_SEED_BYTES}-byte limit for a seed`;
    return { path: file, name: path.basename(file), mtime: info.mtime, stamp: stampOf(info) };
  } catch (error) {
    return unreadable(error);
  }
}

function unreadable(error: unknown): string {
  return `FM_SEED_UNREADABLE: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'EIO'})`;
}

function problemOf(sourceId: string, file: string, outcome: string): InputProblem {
  return { sourceId, target: file, code: outcome.split(':')[0]!, message: outcome.slice(outcome.indexOf(':') + 2) };
}

function isInside(root: string, target: string): boolean {
  const relative = path.relative(root, target);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}
