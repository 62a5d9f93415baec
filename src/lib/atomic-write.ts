import { randomBytes } from 'node:crypto';
import { open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { makeFolders } from './make-folders.js';

/** Temp files are hidden and carry this suffix, so a later run can find and remove leftovers of a crash. */
const TEMP_SUFFIX = '.feedmirror-tmp';

/** A file's text, whole or as consecutive pieces (a large document need not be joined into one string first). */
export type FileText = string | readonly string[];

/**
 * Writes a file so that readers only ever see the old bytes or the new bytes: the new content
 * goes to a temp file in the same folder, is flushed to disk, then renamed over the old one.
 * A file whose bytes would not change is not touched (its mtime and ETag stay).
 */
export async function writeFileAtomic(file: string, content: FileText | Buffer): Promise<boolean> {
  const staged = await stageFile(file, content);
  if (staged) await commitFile(staged);
  return staged !== null;
}

/** New bytes on disk under a temp name beside their file, not yet visible there. */
export interface StagedFile {
  file: string;
  temp: string;
}

/**
 * The first half of `writeFileAtomic`: the bytes are written and flushed to a temp file, which
 * `commitFile` renames into place (or `discardFile` removes). Null when the file already holds these bytes.
 */
export async function stageFile(file: string, content: FileText | Buffer): Promise<StagedFile | null> {
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.isBuffer(content) ? content : encodeUtf8(content);
  if (await hasSameBytes(file, bytes)) return null;
  await makeFolders(path.dirname(file), { code: 'FM_PUBLISH', label: 'outputDir' });
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`);
  try {
    const handle = await open(temp, 'wx', 0o644);
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  return { file, temp };
}

export async function commitFile(staged: StagedFile): Promise<void> {
  try {
    await rename(staged.temp, staged.file);
  } catch (error) {
    await discardFile(staged);
    throw error;
  }
}

export async function discardFile(staged: StagedFile): Promise<void> {
  await rm(staged.temp, { force: true });
}

/** UTF-8 of the pieces, in one buffer of exactly their size. */
function encodeUtf8(parts: readonly string[]): Buffer {
  let size = 0;
  for (const part of parts) size += Buffer.byteLength(part, 'utf8');
  const buffer = Buffer.allocUnsafe(size);
  let offset = 0;
  for (const part of parts) offset += buffer.write(part, offset, 'utf8');
  return buffer;
}

async function hasSameBytes(file: string, bytes: Buffer): Promise<boolean> {
  try {
    // A different size settles it without reading the file.
    if ((await stat(file)).size !== bytes.length) return false;
    const existing = await readFile(file);
    return existing.equals(bytes);
  } catch {
    return false;
  }
}

/**
 * Removes temp files a killed run left behind, anywhere under `root`. Only our own suffix is
 * touched, and with `olderThanMs` only files last written that long ago: where several workers
 * share the folder, a younger one may be another worker's publish in progress.
 */
export async function removeStaleTempFiles(root: string, olderThanMs = 0, now: number = Date.now()): Promise<number> {
  let removed = 0;
  let entries;
  try {
    entries = await readdir(root, { withFileTypes: true, recursive: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    if (!entry.isFile() || !entry.name.endsWith(TEMP_SUFFIX)) continue;
    const file = path.join(entry.parentPath, entry.name);
    if (olderThanMs > 0 && !(await isOlderThan(file, now - olderThanMs))) continue;
    await rm(file, { force: true });
    removed++;
  }
  return removed;
}

async function isOlderThan(file: string, cutoff: number): Promise<boolean> {
  try {
    return (await stat(file)).mtimeMs < cutoff;
  } catch {
    return false; // gone already: renamed into place or removed by its writer
  }
}
