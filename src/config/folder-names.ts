/** Config checks for ids and hosts that become folder names in the output tree. */
import type { z } from 'zod';
import { isReservedFolderName, mirrorCopyDir, RESERVED_FOLDER_NAMES } from '../lib/site-paths.js';

/** A site mirror's copy is written to mirrors/<host>/: its host must make a safe folder name. */
export function checkSiteMirrorHost(value: string, ctx: z.RefinementCtx): void {
  const host = hostOf(value);
  if (host !== null && mirrorCopyDir(host) === null) {
    ctx.addIssue({ code: 'custom', message: `${JSON.stringify(value)}: its host ${JSON.stringify(host)} cannot name the folder its copy is written to (mirrors/<host>/); use a host name or an IP address` });
  }
}

/** Each id whose `key` an earlier one has, reported at its own key path. */
export function reportDuplicates(ids: string[], path: (string | number)[], ctx: z.RefinementCtx, key: (id: string) => string = (id) => id, note = ''): void {
  const seen = new Map<string, number>();
  ids.forEach((value, i) => {
    const first = seen.get(key(value));
    if (first === undefined) seen.set(key(value), i);
    else ctx.addIssue({ code: 'custom', path: [...path, i, 'id'], message: `duplicate id "${value}" (also at ${formatKeyPath(path)}[${first}]${note})` });
  });
}

/**
 * Output ids and the variant ids of one output are folder names: none may be a name the output
 * folder uses itself, and none may share a folder with another, even by case alone.
 */
export function checkFolderIds(ids: string[], path: (string | number)[], ctx: z.RefinementCtx): void {
  ids.forEach((value, i) => {
    if (isReservedFolderName(value)) {
      ctx.addIssue({ code: 'custom', path: [...path, i, 'id'], message: `"${value}" is reserved for the output folder's own use (reserved, in any case: ${RESERVED_FOLDER_NAMES.join(', ')})` });
    }
  });
  reportDuplicates(ids, path, ctx, (id) => id.toLowerCase(), '; ids that differ only in case share a folder on some file systems');
}

/** Two mirror hosts whose folders coincide ("x.com:8080" and "x.com_8080") would overwrite each other's copy. */
export function checkMirrorFolders(mirrors: string[], ctx: z.RefinementCtx): void {
  const seen = new Map<string, { index: number; host: string }>();
  mirrors.forEach((value, i) => {
    const host = hostOf(value);
    const dir = host === null ? null : mirrorCopyDir(host);
    if (host === null || dir === null) return; // reported by the URL or host check
    const first = seen.get(dir);
    if (!first) seen.set(dir, { index: i, host });
    else if (first.host !== host) {
      ctx.addIssue({ code: 'custom', path: ['site', 'mirrors', i], message: `${JSON.stringify(value)}: its copy folder ${dir} is also that of site.mirrors[${first.index}] (${JSON.stringify(first.host)})` });
    }
  });
}

/** null for what is not a URL (the URL check reports it). */
function hostOf(value: unknown): string | null {
  try {
    return new URL(String(value)).host;
  } catch {
    return null;
  }
}

function formatKeyPath(path: (string | number)[]): string {
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${part}`)).join('');
}
