import { lstat, readdir, readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { SeedFile } from '../model/seed.js';
import type { InputProblem } from '../model/problem.js';

/** A seed is a single article; anything larger is not one, and reading it whole would cost memory. */
export const MAX_SEED_BYTES = 5_000_000; // bytes

const SEED_EXTENSION = '.txt';

export interface SeedFolderScan {
  files: SeedFile[];
  problems: InputProblem[];
}

/**
 * Reads every `*.txt` file directly in `folder`, in name order.
 * Links that lead outside the folder and oversized files are reported, not read.
 */
export async function readSeedFolder(sourceId: string, folder: string): Promise<SeedFolderScan> {
  const names = (await readdir(folder)).filter((name) => name.endsWith(SEED_EXTENSION) && !name.startsWith('.')).sort();
  const root = await realpath(folder);
  const files: SeedFile[] = [];
  const problems: InputProblem[] = [];
  for (const name of names) {
    const file = path.join(folder, name);
    const outcome = await readSeedFile(root, file);
    if (typeof outcome === 'string') problems.push({ sourceId, target: file, code: outcome.split(':')[0]!, message: outcome.slice(outcome.indexOf(':') + 2) });
    else if (outcome) files.push(outcome);
  }
  return { files, problems };
}

/** Returns the file, null for something that is not a seed (a folder), or "CODE: reason". */
async function readSeedFile(root: string, file: string): Promise<SeedFile | null | string> {
  try {
    const link = await lstat(file);
    if (link.isSymbolicLink()) {
      const target = await realpath(file);
      if (!isInside(root, target)) return `FM_SEED_OUTSIDE: is a link to ${target}, outside the seeds folder ${root}`;
    }
    const info = await stat(file);
    if (!info.isFile()) return null;
    if (info.size > MAX_SEED_BYTES) return `FM_SEED_TOO_BIG: is ${info.size} bytes, more than the ${MAX_SEED_BYTES}-byte limit for a seed`;
    return { path: file, name: path.basename(file), bytes: await readFile(file), mtime: info.mtime };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
    return `FM_SEED_UNREADABLE: cannot be read (${code})`;
  }
}

function isInside(root: string, target: string): boolean {
  const relative = path.relative(root, target);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}
