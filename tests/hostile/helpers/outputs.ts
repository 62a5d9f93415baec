/**
 * Judging what a run left behind: every generated file checked by the external validators, the
 * whole output tree and store as text (to look for leaked secrets), and byte snapshots to prove
 * that a failed run damaged nothing.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { feedparserFiles, jingAtomFiles, validateJsonFeed, xmllint, type FeedparserResult } from '../../helpers/validators.js';
import { findExecutable, missingTool, runProcess } from '../../helpers/tools.js';
import { w3cErrorLines, w3cValidate } from '../../helpers/w3c-validator.js';

/** The suffix src/lib/atomic-write.ts gives its temp files. */
export const TEMP_SUFFIX = '.feedmirror-tmp';

/** Every regular file under `root` (relative paths, sorted); [] when `root` does not exist. */
export async function listTree(root: string): Promise<string[]> {
  if (!existsSync(root)) return [];
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)))
    .sort();
}

/** Temp files a run left behind (a killed run may; a finished one must not). */
export async function tempFiles(root: string): Promise<string[]> {
  return (await listTree(root)).filter((f) => f.endsWith(TEMP_SUFFIX));
}

/**
 * One xmllint for many files (the crash test checks dozens of files after every kill): exit 0 and
 * an empty stderr means every one is well-formed; otherwise the stderr names the bad ones.
 */
export async function xmllintMany(files: string[]): Promise<{ ok: boolean; stderr: string }> {
  if (files.length === 0) return { ok: true, stderr: '' };
  const tool = (await findExecutable('xmllint')) ?? missingTool('xmllint (Debian package libxml2-utils)');
  const { code, stderr } = await runProcess(tool, ['--noout', ...files]);
  return { ok: code === 0 && stderr === '', stderr };
}

export interface TreeCheckOptions {
  /** Also run jing (Atom schema), feedparser and the W3C Feed Validator on the feed documents (slower; default true). */
  deep?: boolean;
}

/**
 * Every finished file under the output folder is complete and valid: feeds and other XML with
 * xmllint (exit 0 and no stderr), Atom with jing, RSS/Atom with feedparser (bozo false) and the W3C
 * Feed Validator (no error; each of these three judges all feeds in one process), JSON Feed
 * against the 1.1 schema, other JSON with JSON.parse, HTML pages complete to </html>.
 * Temp files are not judged here (see tempFiles). Returns one line per problem.
 */
export async function checkOutputTree(root: string, options: TreeCheckOptions = {}): Promise<string[]> {
  const deep = options.deep ?? true;
  const problems: string[] = [];
  const files = (await listTree(root)).filter((relative) => !relative.endsWith(TEMP_SUFFIX));
  // well-formedness of every XML file in one xmllint call; a failure is then pinned on its file below
  const batch = await xmllintMany(files.filter((f) => /\.(xml|opml|xsl)$/.test(f)).map((f) => path.join(root, f)));
  // jing (a JVM) and feedparser (Python) start slowly: one process each judges every feed of the tree
  const feeds = files.filter((f) => /(^|\/)(rss|atom)\.xml$/.test(f)).map((f) => path.join(root, f));
  const jing = deep ? await jingAtomFiles(feeds.filter((f) => f.endsWith('atom.xml'))) : new Map<string, string[]>();
  const parsedFeeds = deep ? await feedparserFiles(feeds) : new Map<string, FeedparserResult>();
  for (const relative of files) {
    const file = path.join(root, relative);
    const bytes = await readFile(file);
    if (bytes.length === 0) {
      problems.push(`${relative}: empty file`);
      continue;
    }
    const name = path.basename(relative);
    if (/\.(xml|opml|xsl)$/.test(name)) {
      if (!batch.ok) {
        const lint = await xmllint(file);
        if (!lint.ok) problems.push(`${relative}: xmllint exit ${lint.code}: ${lint.stderr.slice(0, 500)}`);
      }
      if (deep && name === 'atom.xml') {
        const errors = jing.get(file)!;
        if (errors.length > 0) problems.push(`${relative}: jing: ${errors.slice(0, 5).join(' | ')}`);
      }
      if (deep && (name === 'rss.xml' || name === 'atom.xml')) {
        const parsed = parsedFeeds.get(file)!;
        if (parsed.bozo) problems.push(`${relative}: feedparser bozo: ${parsed.bozo_exception}`);
      }
    } else if (name === 'feed.json') {
      const result = await validateJsonFeed(file).catch((error: unknown) => ({ ok: false, messages: [String(error)] }));
      if (!result.ok) problems.push(`${relative}: JSON Feed 1.1: ${result.messages.slice(0, 5).join(' | ')}`);
    } else if (name.endsWith('.json')) {
      try {
        JSON.parse(bytes.toString('utf8'));
      } catch (error) {
        problems.push(`${relative}: JSON.parse: ${(error as Error).message}`);
      }
    } else if (name.endsWith('.html')) {
      if (!/<\/html>\s*$/.test(bytes.toString('utf8'))) problems.push(`${relative}: HTML page does not end with </html> (truncated?)`);
    }
  }
  if (!batch.ok && !problems.some((p) => p.includes('xmllint'))) problems.push(`xmllint over all files: ${batch.stderr.slice(0, 500)}`);
  if (deep) problems.push(...w3cErrorLines(await w3cValidate(feeds), root));
  return problems;
}

/** Contents of every file under `root`, concatenated (for "this must not appear anywhere" checks). */
export async function treeText(root: string): Promise<string> {
  const parts: string[] = [];
  for (const relative of await listTree(root)) parts.push(`--- ${relative}\n${await readFile(path.join(root, relative), 'utf8')}`);
  return parts.join('\n');
}

/** sha256 of every file under `root`, keyed by relative path. */
export async function snapshotTree(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const relative of await listTree(root)) out[relative] = createHash('sha256').update(await readFile(path.join(root, relative))).digest('hex');
  return out;
}

// What tests read from the store, on either engine.
export { dumpStore, inspectStore, type StoreHealth } from '../../helpers/test-store.js';
