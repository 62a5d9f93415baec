import path from 'node:path';
import type { Article } from '../model/article.js';
import type { InputProblem } from '../model/problem.js';
import type { SeedSourceConfig } from '../config/config.js';
import type { Store } from '../store/store.js';
import type { Logger } from '../log/logger.js';
import type { SeedFolderRecord } from './run-records.js';
import { listSeedFolder, readSeedEntries, type SeedFolderListing } from '../sources/read-seeds.js';
import { sha256Hex } from '../lib/text.js';
import { FeedmirrorError } from '../model/errors.js';
import { parseSeed } from '../ingest/parse-seed.js';
import { normalizeSeed, seedArticleId } from '../normalize/normalize-seed.js';

export interface SourceHarvest {
  articles: Article[];
  problems: InputProblem[];
}

export interface SeedHarvest extends SourceHarvest {
  /**
   * What this harvest was made from (the folder's files as stamped, the source's config and the
   * site's URLs); null if the folder could not be listed, or changed between listing and reading.
   */
  fingerprint: string | null;
  /** Set when the folder is as this record of the last harvest saw it: nothing was read, and `articles` is empty. */
  unchangedSince: SeedFolderRecord | null;
  /** The problems found by reading and parsing files (a subset of `problems`): what a record keeps. */
  readProblems: InputProblem[];
}

export interface SeedHarvestInput {
  source: SeedSourceConfig;
  site: { url: string; mirrors: string[] };
  /** The record of the folder's last harvest, if there is one to trust. */
  previous: SeedFolderRecord | null;
  /** Which of the seeds' ids other sources' articles have. */
  store: Pick<Store, 'articleOwners'>;
}

/** The debug line of a seeds folder left unread because no file in it changed (every engine says it alike). */
export function logFolderUnchanged(logger: Logger, source: SeedSourceConfig, unchanged: SeedFolderRecord): void {
  logger.debug({ source: source.id, folder: source.seeds, articles: unchanged.articles }, `seeds ${source.seeds}: no file changed since the last run; not read again`);
}

/**
 * seeds folder → parsed → normalized; a bad file becomes a problem and the others go on. With
 * `previous` and a folder that has not changed since, nothing is read and `articles` is empty.
 */
export async function harvestSeedSource({ source, site, previous, store }: SeedHarvestInput): Promise<SeedHarvest> {
  let listing: SeedFolderListing;
  try {
    listing = await listSeedFolder(source.id, source.seeds);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
    const problem: InputProblem = { sourceId: source.id, target: source.seeds, code: 'FM_SEED_FOLDER', message: `cannot read the seeds folder (${code})` };
    return { articles: [], problems: [problem], readProblems: [], fingerprint: null, unchangedSince: null };
  }
  const fingerprint = sha256Hex(JSON.stringify([source, site.url, site.mirrors, listing]));
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
      if (!(error instanceof FeedmirrorError && error.stage === 'seeds')) throw error;
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
