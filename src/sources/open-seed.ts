import type { Stats } from 'node:fs';
import { constants, open, realpath, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { SeedFile } from '../model/seed.js';
import { stampOf, type FileStamp } from '../lib/file-access.js';
import type { StageCode } from '../model/errors.js';

/** Why a seed file is not read; the reason names no file (the problem it becomes does). */
export interface SeedRefusal {
  code: StageCode<'seeds'>;
  message: string;
}

/** A seed is a single article; anything larger is not one, and reading it whole would cost memory. */
export const MAX_SEED_BYTES = 5_000_000; // bytes

/**
 * Read-only; never through a link in the last component (ELOOP instead); never waiting for a
 * writer when the name has become a pipe or a device between listing and reading.
 */
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

const READ_CHUNK_BYTES = 65_536;

/** A seed file found in the folder, not read yet. */
export interface SeedEntry {
  /** As found in the configured folder: what problems name. */
  path: string;
  name: string;
  /** What is opened: the file in the resolved folder, or, for a link that stays inside, where it led when listed. */
  target: string;
  isLink: boolean;
  mtime: Date;
  stamp: FileStamp;
}

export type SeedRead =
  | { file: SeedFile; problem?: never; seen: FileStamp }
  /** `seen` is the listed stamp when nothing suggests a change (a permission error), else null. */
  | { file: null; problem: SeedRefusal; seen: FileStamp | null };

/**
 * Opens the entry once and decides from the descriptor, so what is checked is what is read: a
 * name swapped after listing for a link, a pipe or a folder is refused, never followed or waited on.
 */
export async function readSeedEntry(root: string, entry: SeedEntry): Promise<SeedRead> {
  let handle: FileHandle;
  try {
    handle = await open(entry.target, OPEN_FLAGS);
  } catch (error) {
    return refusedAtOpen(entry, error);
  }
  try {
    const info = await handle.stat();
    // The listing saw a regular file, inside and small enough: a refusal now means it changed since.
    const refusal = await checkOpened(root, entry, info);
    if (refusal) return { file: null, problem: refusal, seen: null };
    const bytes = await readCapped(handle, info.size);
    if (!bytes) return { file: null, problem: tooBig(`grew past ${MAX_SEED_BYTES} bytes while being read`), seen: null };
    return { file: { path: entry.path, name: entry.name, bytes, mtime: info.mtime }, seen: stampOf(info) };
  } catch (error) {
    return { file: null, problem: unreadable(error), seen: null };
  } finally {
    await handle.close();
  }
}

function refusedAtOpen(entry: SeedEntry, error: unknown): SeedRead {
  const code = errnoOf(error);
  // O_NOFOLLOW on a link: the name (or a link's resolved target) was replaced by a link after listing.
  if (code === 'ELOOP' || code === 'EMLINK') return { file: null, problem: { code: 'FM_SEED_CHANGED', message: 'became a link after the folder was listed; not read (checked again on the next run)' }, seen: null };
  return { file: null, problem: unreadable(error), seen: code === 'ENOENT' ? null : entry.stamp };
}

/** Why the open descriptor is not a seed to read, or null when it is one. */
async function checkOpened(root: string, entry: SeedEntry, info: Stats): Promise<SeedRefusal | null> {
  if (!info.isFile()) return notFile(info);
  if (entry.isLink) {
    const problem = await checkLinkStillLeadsHere(root, entry, info);
    if (problem) return problem;
  }
  if (info.size > MAX_SEED_BYTES) return tooBig(`is ${info.size} bytes`);
  return null;
}

/**
 * The target path was resolved at listing time; a folder on the way could have been swapped for
 * a link since. Resolving the link again and finding the very file that is open proves it is inside.
 */
async function checkLinkStillLeadsHere(root: string, entry: SeedEntry, opened: Stats): Promise<SeedRefusal | null> {
  const changed: SeedRefusal = { code: 'FM_SEED_CHANGED', message: 'the link led elsewhere when the file was opened than when the folder was listed; not read (checked again on the next run)' };
  try {
    const now = await realpath(entry.path);
    if (!isInside(root, now)) return outside(now, root);
    const current = await stat(now);
    return current.dev === opened.dev && current.ino === opened.ino ? null : changed;
  } catch {
    return changed;
  }
}

/** The file's bytes, read to its end even if it grew since fstat, or null past the limit. */
async function readCapped(handle: FileHandle, size: number): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let total = 0;
  // One read of the expected size plus one byte usually finds the end at once.
  let want = Math.min(size, MAX_SEED_BYTES) + 1;
  for (;;) {
    const chunk = Buffer.allocUnsafe(want);
    const { bytesRead } = await handle.read(chunk, 0, want, total);
    if (bytesRead === 0) break;
    chunks.push(chunk.subarray(0, bytesRead));
    total += bytesRead;
    if (total > MAX_SEED_BYTES) return null;
    want = READ_CHUNK_BYTES;
  }
  return Buffer.concat(chunks, total);
}

export function notFile(info: Stats): SeedRefusal {
  const kind = info.isDirectory()
    ? 'a folder'
    : info.isFIFO()
      ? 'a named pipe (FIFO)'
      : info.isSocket()
        ? 'a socket'
        : info.isCharacterDevice()
          ? 'a character device'
          : info.isBlockDevice()
            ? 'a block device'
            : 'something else';
  return { code: 'FM_SEED_NOT_FILE', message: `is ${kind}, not a regular file; not read` };
}

export function tooBig(what: string): SeedRefusal {
  return { code: 'FM_SEED_TOO_BIG', message: `${what}, more than the ${MAX_SEED_BYTES}-byte limit for a seed` };
}

export function outside(target: string, root: string): SeedRefusal {
  return { code: 'FM_SEED_OUTSIDE', message: `is a link to ${target}, outside the seeds folder ${root}` };
}

export function unreadable(error: unknown): SeedRefusal {
  return { code: 'FM_SEED_UNREADABLE', message: `cannot be read (${errnoOf(error)})` };
}

function errnoOf(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? 'EIO';
}

export function isInside(root: string, target: string): boolean {
  const relative = path.relative(root, target);
  return relative !== '' && relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative);
}
