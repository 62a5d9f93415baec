import path from 'node:path';
import { sha256Hex } from '../lib/text.js';
import { fileStamp, sameStamp, type FileStamp } from '../lib/file-access.js';
import type { PublishInput, PublishOutput } from './publish-types.js';
import type { OutputSelection } from '../model/output-selection.js';

/**
 * What each output's subscription documents were last rendered from, and the files that came
 * out. Rendering an output whose inputs are unchanged, into files that are still the ones we
 * wrote, can only produce the same bytes, so it is skipped: a run where a few sources changed
 * renders the outputs that show them, not every output.
 *
 * "Still the ones we wrote" is size, mtime and inode as we left them: a file edited, replaced,
 * restored from a backup or deleted since is rendered again. The pipeline keeps the manifest
 * between runs, and saves the new one only after every write succeeded; after a failed or killed
 * publish the previous manifest stays, and it names the inputs of files that may since have been
 * overwritten, which the stamps then tell apart.
 */
export interface PublishManifest {
  outputDir: string;
  outputs: Record<string, OutputRecord>;
}

export interface OutputRecord {
  fingerprint: string;
  files: Record<string, FileStamp>;
}

/** Bump when what is fingerprinted changes shape (a change of code makes the pipeline drop the manifest). */
const MANIFEST_FORMAT = 2;

/** The manifest to compare with: the last one, if it was made for this output folder. */
export function previousManifest(manifest: PublishManifest | null, outputDir: string): PublishManifest {
  return manifest?.outputDir === outputDir ? manifest : { outputDir, outputs: {} };
}

/** What every output is rendered from (site, sources, version): computed once per publish. */
export function siteFingerprint(input: PublishInput): string {
  return sha256Hex(JSON.stringify([MANIFEST_FORMAT, input.generator, input.site, input.sources]));
}

/**
 * Everything a subscription document (and its variants and site copies) is rendered from. The
 * clock is not: `now` only shapes the selection, which is in here. Archive pages are not either:
 * they are written once and checked separately.
 */
export function outputFingerprint(site: string, output: PublishOutput, selection: OutputSelection): string {
  const items = selection.current.map((a) => [a.id, a.recordHash, a.updated, a.firstSeen]);
  return sha256Hex(JSON.stringify([site, output, selection.complete, selection.pages.at(-1)?.page ?? null, items]));
}

/** True when the record matches `fingerprint` and every file it lists is still as we left it. */
export async function isUpToDate(outputDir: string, record: OutputRecord | undefined, fingerprint: string, files: string[]): Promise<boolean> {
  if (record?.fingerprint !== fingerprint || files.length !== Object.keys(record.files).length) return false;
  for (const file of files) {
    const expected = record.files[file];
    const actual = await fileStamp(path.join(outputDir, file));
    if (!expected || !actual || !sameStamp(actual, expected)) return false;
  }
  return true;
}

/** The record of an output's files as they are on disk now, to know them again; null when one is missing. */
export async function stampOutputFiles(outputDir: string, fingerprint: string, files: string[]): Promise<OutputRecord | null> {
  const stamped: Record<string, FileStamp> = {};
  for (const file of files) {
    const stamp = await fileStamp(path.join(outputDir, file));
    if (!stamp) return null;
    stamped[file] = stamp;
  }
  return { fingerprint, files: stamped };
}
