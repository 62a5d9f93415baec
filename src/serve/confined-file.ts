import { constants, type Stats } from 'node:fs';
import { open, readlink, realpath, type FileHandle } from 'node:fs/promises';
import path from 'node:path';

export interface OpenedFile {
  handle: FileHandle;
  info: Stats;
  /** The file's path with every symlink resolved: inside the real output folder. */
  realPath: string;
}

/**
 * Opens a regular file only if it really lies inside `realRoot` (the output folder with its own
 * symlinks resolved): a symlink in the folder that leads out of it, or to one of its dot files
 * (a run's temp files), is refused. The file is then checked and read through one descriptor,
 * so a link or a FIFO swapped in after the check cannot be served or hang the request.
 */
export async function openInside(realRoot: string, file: string): Promise<OpenedFile | null> {
  const realFile = await realpath(file).catch(() => null);
  if (realFile === null || !isVisibleInside(realRoot, realFile)) return null;
  let handle: FileHandle;
  try {
    handle = await open(realFile, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return null;
  }
  try {
    const info = await handle.stat();
    // The folders above the file could have been swapped for links since realpath: ask where the descriptor is.
    if (info.isFile() && isVisibleInside(realRoot, await openedPath(handle, realFile))) return { handle, info, realPath: realFile };
  } catch {
    // unreadable: a 404 like any missing file
  }
  await handle.close();
  return null;
}

/** The output folder with its symlinks resolved, or null when it does not exist (yet). */
export async function realFolder(folder: string): Promise<string | null> {
  return realpath(folder).catch(() => null);
}

/** Inside the folder, and no part of the path below it starts with a dot. */
function isVisibleInside(realRoot: string, file: string): boolean {
  const relative = path.relative(realRoot, file);
  return relative !== '' && !path.isAbsolute(relative) && relative.split(path.sep).every((part) => !part.startsWith('.'));
}

/** Linux names the file a descriptor refers to in /proc; elsewhere the path that was opened is all there is. */
async function openedPath(handle: FileHandle, opened: string): Promise<string> {
  try {
    return await readlink(`/proc/self/fd/${handle.fd}`);
  } catch {
    return opened;
  }
}
