import path from 'node:path';
import type { Article } from '../model/article.js';
import type { InputProblem } from '../model/problem.js';
import type { SeedSourceConfig } from '../config/config.js';
import type { Store } from '../store/store.js';
import { readRecord, recordDocument } from '../store/json-records.js';
import { listSeedFolder, readSeedEntries, type SeedFolderListing } from '../sources/read-seeds.js';
import { sha256Hex } from '../lib/text.js';
import { buildId } from '../version.js';
import { parseSeed } from '../ingest/parse-seed.js';
import { SeedError } from '../ingest/seed-text.js';
import { normalizeSeed, seedArticleId } from '../normalize/normalize-seed.js';

export interface SourceHarvest {
  articles: Article[];
  problems: InputProblem[];
}

export interface SeedHarvest extends SourceHarvest {
  /**
   * What this harvest was made from (the folder's files as stamped, the source's config, the
   * version); null if the folder could not be listed, or changed between listing and reading.
   */
  fingerprint: string | null;
  /** Set when the folder is as this record of the last harvest saw it: nothing was read, and `articles` is empty. */
  unchangedSince: SeedFolderRecord | null;
  /** The problems found by reading and parsing files (a subset of `problems`): what a record keeps. */
  readProblems: InputProblem[];
}

/**
 * What the last harvest of a seeds source saw. A folder in which no file was added, removed,
 * rewritten or touched, under the same config and version, would give the same articles: they
 * are in the store already, so the files are not read again. Its problems are reported again:
 * those of reading from the record, those of listing (a link leading outside, a file too big)
 * found again, so the record never holds a path from outside the folder.
 */
export interface SeedFolderRecord {
  fingerprint: string;
  articles: number;
  readProblems: InputProblem[];
}

const recordKey = (sourceId: string) => `seed-folder:${sourceId}`;

export async function lastSeedHarvest(store: Store, sourceId: string): Promise<SeedFolderRecord | null> {
  const record = (await readRecord(store, recordKey(sourceId))) as Partial<SeedFolderRecord> | null;
  // Anything else (a record of another shape) only means the folder is read again.
  return record && typeof record.fingerprint === 'string' && typeof record.articles === 'number' && Array.isArray(record.readProblems) ? (record as SeedFolderRecord) : null;
}

/** Saved once the articles are stored, so a crash in between only costs a re-read. */
export async function rememberSeedHarvest(store: Store, sourceId: string, record: SeedFolderRecord, now: Date): Promise<void> {
  await store.saveDocument(recordKey(sourceId), recordDocument(record, now));
}

/**
 * seeds folder → parsed → normalized; a bad file becomes a problem and the others go on. With
 * `previous` and a folder that has not changed since, nothing is read and `articles` is empty.
 */
export async function harvestSeedSource(
  source: SeedSourceConfig,
  site: { url: string; mirrors: string[] },
  previous: SeedFolderRecord | null,
  store: Pick<Store, 'articleOwners'>,
): Promise<SeedHarvest> {
  let listing: SeedFolderListing;
  try {
    listing = await listSeedFolder(source.id, source.seeds);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
    const problem = { sourceId: source.id, target: source.seeds, code: 'FM_SEED_FOLDER', message: `cannot read the seeds folder (${code})` };
    return { articles: [], problems: [problem], readProblems: [], fingerprint: null, unchangedSince: null };
  }
  const fingerprint = sha256Hex(JSON.stringify([buildId(), source, site.url, site.mirrors, listing]));
  if (previous?.fingerprint === fingerprint) {
    return { articles: [], problems: [...listing.problems, ...previous.readProblems], readProblems: previous.readProblems, fingerprint, unchangedSince: previous };
  }
  const scan = await readSeedEntries(source.id, listing);
  const articles: Article[] = [];
  const problems = [...scan.problems];
  const context = { sourceId: source.id, siteUrl: site.url, siteMirrors: site.mirrors, sourceMirrors: source.mirrors, takenIds: await idsOfOthers(source.id, scan.files, store) };
  for (const file of scan.files) {
    try {
      articles.push(normalizeSeed(parseSeed(file), context));
    } catch (error) {
      if (!(error instanceof SeedError)) throw error;
      problems.push({ sourceId: source.id, target: file.path, code: error.code, message: error.message });
    }
  }
  const all = dedupeIds(articles, problems, source.id);
  const listed = new Set(listing.problems);
  // A listing that went stale while the files were read must not vouch for the folder next time.
  return { articles, problems: all, readProblems: all.filter((problem) => !listed.has(problem)), fingerprint: scan.matchesListing ? fingerprint : null, unchangedSince: null };
}

/** The ids these files would be stored under that articles of other sources have already. */
async function idsOfOthers(sourceId: string, files: { name: string }[], store: Pick<Store, 'articleOwners'>): Promise<Set<string>> {
  const owners = await store.articleOwners(files.map((file) => seedArticleId(path.basename(file.name, path.extname(file.name)))));
  return new Set([...owners].filter(([, owner]) => owner !== sourceId).map(([id]) => id));
}

/** Two files can map to one id ("001_abc.txt", "002_abc.txt"); the first wins and the other is reported. */
function dedupeIds(articles: Article[], problems: InputProblem[], sourceId: string): InputProblem[] {
  const seen = new Set<string>();
  for (let i = 0; i < articles.length; i++) {
    const id = articles[i]!.id;
    if (!seen.has(id)) {
      seen.add(id);
      continue;
    }
    problems.push({ sourceId, target: id, code: 'FM_SEED_DUPLICATE_ID', message: `has the same article id as an earlier seed file; skipped` });
    articles.splice(i--, 1);
  }
  return problems;
}
