/**
 * Every feed file of the test corpora: the repository's own (tests/fixtures/feeds/,
 * tests/fixtures/corpus/) and, when the shared corpus sits next to the checkout (`../shared/corpus/`,
 * or FEEDMIRROR_SHARED_CORPUS), its feedparser, feed-rs, jsonfeed and Miniflux files. A clean clone
 * (CI) has only the repository's copies, and says so.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { REPO_ROOT } from '../../helpers/workspace.js';

export interface CorpusFile {
  /** Where it came from, for messages: "shared/feedparser-tests/wellformed/atom10/x.xml". */
  label: string;
  path: string;
  bytes: Buffer;
}

const REPO_CORPORA = [
  { label: 'fixtures/feeds', dir: path.join(REPO_ROOT, 'tests', 'fixtures', 'feeds') },
  { label: 'fixtures/corpus', dir: path.join(REPO_ROOT, 'tests', 'fixtures', 'corpus') },
];

/**
 * The shared corpus: FEEDMIRROR_SHARED_CORPUS when set (a path that does not exist means none),
 * else next to the checkout, or two levels up from a worktree under wt/.
 */
export function sharedCorpusDir(): string | null {
  const chosen = process.env.FEEDMIRROR_SHARED_CORPUS;
  const candidates = chosen ? [chosen] : [path.join(REPO_ROOT, '..', 'shared', 'corpus'), path.join(REPO_ROOT, '..', '..', 'shared', 'corpus')];
  return candidates.find((dir) => existsSync(dir)) ?? null;
}

/** Feed documents are .xml and .json; the corpora's HTML pages, scripts and licences are not feeds. */
const isFeedFile = (name: string) => /\.(xml|json)$/i.test(name);

async function feedFilesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && isFeedFile(entry.name))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
}

/** Every corpus file once: a file copied into the repository and also in the shared corpus counts once. */
export async function listCorpus(): Promise<{ files: CorpusFile[]; shared: string | null }> {
  const shared = sharedCorpusDir();
  const roots = [...REPO_CORPORA, ...(shared ? [{ label: 'shared', dir: shared }] : [])];
  const seen = new Set<string>();
  const files: CorpusFile[] = [];
  for (const root of roots) {
    for (const file of await feedFilesUnder(root.dir)) {
      const bytes = await readFile(file);
      const digest = createHash('sha256').update(bytes).digest('hex');
      if (seen.has(digest)) continue;
      seen.add(digest);
      files.push({ label: `${root.label}/${path.relative(root.dir, file)}`, path: file, bytes });
    }
  }
  return { files, shared };
}

/** What a web server would say the file is; the feed's own bytes decide the rest. */
export function contentTypeOf(file: string): string {
  return file.endsWith('.json') ? 'application/feed+json' : 'application/xml';
}
