import { sha256Hex } from '../lib/text.js';
import type { PublishTarget } from './publish-target.js';
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
  /** Each file's stamp from its target (a folder: size, mtime and inode; S3: the sha256 PUT). */
  files: Record<string, string>;
}

/** Bump when what is fingerprinted changes shape (a change of code makes the pipeline drop the manifest). */
const MANIFEST_FORMAT = 3;

/** The manifest to compare with: the last one, if it was made for this output folder. */
export function previousManifest(manifest: PublishManifest | null, target: string): PublishManifest {
  return manifest?.outputDir === target ? manifest : { outputDir: target, outputs: {} };
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
export async function isUpToDate(target: PublishTarget, record: OutputRecord | undefined, fingerprint: string, files: string[]): Promise<boolean> {
  if (record?.fingerprint !== fingerprint || files.length !== Object.keys(record.files).length) return false;
  for (const file of files) {
    const expected = record.files[file];
    if (!expected || (await target.stamp(file)) !== expected) return false;
  }
  return true;
}

/** The record of an output's files as they are on disk now, to know them again; null when one is missing. */
export async function stampOutputFiles(target: PublishTarget, fingerprint: string, files: string[]): Promise<OutputRecord | null> {
  const stamped: Record<string, string> = {};
  for (const file of files) {
    const stamp = await target.stamp(file);
    if (!stamp) return null;
    stamped[file] = stamp;
  }
  return { fingerprint, files: stamped };
}
