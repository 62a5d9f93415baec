import type { Stats } from 'node:fs';
import { access, constants, stat } from 'node:fs/promises';

/** Whether this process may access `file` in `mode` (fs.constants: R_OK, W_OK, X_OK; default: it exists). */
export async function canAccess(file: string, mode: number = constants.F_OK): Promise<boolean> {
  try {
    await access(file, mode);
    return true;
  } catch {
    return false;
  }
}

export async function fileExists(file: string): Promise<boolean> {
  return canAccess(file);
}

/**
 * size, mtime (ms) and inode: what tells a file we saw from one rewritten, replaced, touched or
 * restored since (an atomic rename changes the inode, an edit in place the mtime).
 */
export type FileStamp = [size: number, mtimeMs: number, ino: number];

export function stampOf(info: Stats): FileStamp {
  return [info.size, info.mtimeMs, info.ino];
}

/** The file's stamp, or null when it cannot be stat'ed (gone, unreadable). */
export async function fileStamp(file: string): Promise<FileStamp | null> {
  try {
    return stampOf(await stat(file));
  } catch {
    return null;
  }
}

export function sameStamp(a: FileStamp, b: FileStamp): boolean {
  return a[0] === b[0] && a[1] === b[1] && a[2] === b[2];
}
