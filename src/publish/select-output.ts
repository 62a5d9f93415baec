import type { StoredArticle } from '../model/article.js';
import type { ArchivePage, ArticleQuery, DuplicateCandidate, DuplicateQuery } from '../store/store.js';
import { sha256Hex } from '../lib/text.js';
import { compileFilter, type ItemFilter } from './select-items.js';
import { copyLookup, hiddenCopies } from './merge-copies.js';

export interface OutputStore {
  listArticles(query: ArticleQuery): Promise<StoredArticle[]>;
  getArticlesByIds(ids: string[]): Promise<StoredArticle[]>;
  findDuplicates(query: DuplicateQuery): Promise<DuplicateCandidate[]>;
  getArchivePages(outputId: string): Promise<ArchivePage[]>;
  setAside(outputId: string, pages: ArchivePage[]): Promise<void>;
  clearFilteredOut(outputId: string): Promise<void>;
  getDocument(key: string): Promise<{ body: string } | null>;
  saveDocument(key: string, document: { body: string; etag: null; lastModified: null; fetchedAt: string }): Promise<void>;
}

export interface SelectableOutput {
  id: string;
  limit: number;
  filter?: ItemFilter | undefined;
  archive?: false | { pageSize: number } | undefined;
}

export interface OutputSelection {
  /** The subscription document's items, newest first. */
  current: StoredArticle[];
  /** Archive pages sealed by this call (their files must be written now). */
  sealed: ArchivePage[];
  /** Every archive page, oldest first (page 1 is the oldest). */
  pages: ArchivePage[];
  /** True when the subscription document holds every item of the output (RFC 5005 fh:complete). */
  complete: boolean;
  /** The articles of the pages sealed by this call, already loaded: their files need not read them again. */
  sealedArticles: Map<string, StoredArticle>;
}

/** The sources an output shows. */
export interface OutputScope {
  /** Undefined for every source. */
  sourceIds: string[] | undefined;
  /** Every source it shows, in the order its `sources` lists them: a copy from an earlier one is shown. */
  ranking: string[];
}

const SCAN_BATCH = 500; // rows per store query while looking for matching items

/**
 * The items of one output. Without archives: the newest `limit` items passing the filter. With
 * archives: items that fall out of the newest `limit` are sealed, oldest first, into pages of
 * `pageSize` that never change; fewer than a page's worth stay in the subscription document
 * until a page fills, so no item is ever unreachable and no archive page is ever rewritten.
 */
export async function selectOutput(output: SelectableOutput, scope: OutputScope, store: OutputStore, now: Date): Promise<OutputSelection> {
  const { sourceIds } = scope;
  const archiving = output.archive !== false;
  if (archiving) await forgetStaleFilter(output, scope, store, now);
  const matches = compileFilter(output.filter, now);
  const base: ArticleQuery = {
    limit: SCAN_BATCH,
    ...(sourceIds ? { sourceIds } : {}),
    ...(output.filter?.maxAgeDays !== undefined ? { publishedAfter: new Date(now.getTime() - output.filter.maxAgeDays * 86_400_000).toISOString() } : {}),
    ...(archiving ? { notSetAsideBy: output.id } : {}),
  };
  const candidates: StoredArticle[] = [];
  const rejected: string[] = [];
  for (let offset = 0; ; offset += SCAN_BATCH) {
    const batch = await store.listArticles({ ...base, offset });
    // Copies are left out before the filter: the copy shown is the one the filter judges.
    const copies = scope.ranking.length > 1 ? await hiddenCopiesOf(batch, output, scope, store) : NONE;
    for (const article of batch) {
      if (!copies.has(article.id) && matches(article)) candidates.push(article);
      else rejected.push(article.id);
    }
    if (batch.length < SCAN_BATCH || (!archiving && candidates.length >= output.limit)) break;
  }
  if (!archiving) return { current: candidates.slice(0, output.limit), sealed: [], pages: [], complete: false, sealedArticles: new Map() };
  // Excluded once, not scanned again on every run (until the article or the filter changes).
  if (rejected.length > 0) await store.setAside(output.id, [{ page: 0, articleIds: rejected }]);
  return sealPages(output, candidates, store);
}

async function sealPages(output: SelectableOutput, candidates: StoredArticle[], store: OutputStore): Promise<OutputSelection> {
  const pageSize = (output.archive || undefined)?.pageSize ?? output.limit;
  const pages = await store.getArchivePages(output.id);
  const overflow = candidates.slice(output.limit); // newest first
  const sealed: ArchivePage[] = [];
  const sealedArticles = new Map<string, StoredArticle>();
  while (overflow.length >= pageSize) {
    const oldest = overflow.splice(overflow.length - pageSize, pageSize);
    const page = { page: (pages.at(-1)?.page ?? 0) + 1, articleIds: oldest.map((a) => a.id) };
    for (const article of oldest) sealedArticles.set(article.id, article);
    pages.push(page);
    sealed.push(page);
  }
  // One transaction for every page sealed now (a first publish of a long feed seals dozens).
  if (sealed.length > 0) await store.setAside(output.id, sealed);
  const current = [...candidates.slice(0, output.limit), ...overflow];
  return { current, sealed, pages, complete: pages.length === 0, sealedArticles };
}

const NONE: ReadonlySet<string> = new Set();

async function hiddenCopiesOf(batch: StoredArticle[], output: SelectableOutput, scope: OutputScope, store: OutputStore): Promise<ReadonlySet<string>> {
  const { guids, urls } = copyLookup(batch);
  if (guids.length === 0 && urls.length === 0) return NONE;
  const copies = await store.findDuplicates({ outputId: output.id, ...(scope.sourceIds ? { sourceIds: scope.sourceIds } : {}), guids, urls });
  return hiddenCopies(batch, copies, scope.ranking);
}

/**
 * A changed filter may let through what it excluded before, and a changed order of sources may
 * show another copy of an article: forget the exclusions.
 */
async function forgetStaleFilter(output: SelectableOutput, scope: OutputScope, store: OutputStore, now: Date): Promise<void> {
  const key = `output-filter:${output.id}`;
  const hash = sha256Hex(JSON.stringify([output.filter ?? null, scope.ranking]));
  const known = await store.getDocument(key);
  if (known?.body === hash) return;
  await store.clearFilteredOut(output.id);
  await store.saveDocument(key, { body: hash, etag: null, lastModified: null, fetchedAt: now.toISOString() });
}
