import type { Article, StoredArticle } from '../model/article.js';
import type { SourceState } from '../model/source-state.js';

export interface UpsertSummary {
  inserted: number;
  updated: number;
  unchanged: number;
}

export interface CachedDocument {
  body: string;
  etag: string | null;
  lastModified: string | null;
  fetchedAt: string;
}

export interface ArticleQuery {
  /** Source ids to include. Omit for all sources. */
  sourceIds?: string[];
  limit: number;
  /** Skip this many of the newest. */
  offset?: number;
  /** Only articles published at or after this ISO date. */
  publishedAfter?: string;
  /** Leave out articles this output has already set aside (archived or filtered out). */
  notSetAsideBy?: string;
}

/** Articles that may be copies of one another in a merged output: those with one of these guids or urls. */
export interface DuplicateQuery {
  /** The output asking: each candidate says whether this output has set it aside. */
  outputId: string;
  /** Omit for every source. */
  sourceIds?: string[];
  guids: string[];
  urls: string[];
}

export interface DuplicateCandidate {
  id: string;
  sourceId: string;
  kind: 'seed' | 'feed';
  guid: string;
  url: string | null;
  urlIsUnique: boolean;
  firstSeen: string;
  /** The output's page for it (0 filtered out, n >= 1 archived, -1 kept out as a copy of an archived one), or null. */
  setAsidePage: number | null;
}

/** One finished run, for /healthz, /metrics and status. */
export interface RunRecord {
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  outcome: 'ok' | 'failed';
  summary: Record<string, number | string | string[]>;
}

export interface ArchivePage {
  page: number;
  articleIds: string[];
}

/**
 * Everything the pipeline needs from persistence. Asynchronous on purpose: SQLite answers
 * at once, but a shared PostgreSQL store will not, and no caller may assume otherwise.
 */
export interface Store {
  /**
   * Inserts or updates articles in one transaction; `now` stamps first-seen and content changes.
   * An article updates only its own source's record with the same item key.
   */
  upsertArticles(articles: Article[], now: Date): Promise<UpsertSummary>;
  /** The source of each of these article ids that is stored. */
  articleOwners(ids: string[]): Promise<Map<string, string>>;
  findDuplicates(query: DuplicateQuery): Promise<DuplicateCandidate[]>;
  listArticles(query: ArticleQuery): Promise<StoredArticle[]>;
  countArticles(sourceIds?: string[]): Promise<number>;
  /** Articles per source (0 for a source with none), in one query. */
  countArticlesBySource(sourceIds: string[]): Promise<Map<string, number>>;
  getArticlesByIds(ids: string[]): Promise<StoredArticle[]>;
  /** Sealed archive pages of an output, oldest first. */
  getArchivePages(outputId: string): Promise<ArchivePage[]>;
  /** Sets articles aside for an output, in one transaction: page 0 = filtered out, n >= 1 = archive page n. */
  setAside(outputId: string, pages: ArchivePage[]): Promise<void>;
  /** Forgets which articles an output's filter excluded (the filter changed). */
  clearFilteredOut(outputId: string): Promise<void>;
  getSourceStates(): Promise<Map<string, SourceState>>;
  /** Several sources' states in one transaction. */
  saveSourceStates(states: SourceState[]): Promise<void>;
  /** Small fetched documents kept between runs (mirror lists), with their HTTP validators. */
  getDocument(key: string): Promise<CachedDocument | null>;
  recordRun(run: RunRecord): Promise<void>;
  /** The newest run, and how many runs are recorded. */
  getRunStats(): Promise<{ last: RunRecord | null; lastOk: RunRecord | null; count: number }>;
  /** Goes up whenever articles are inserted or changed: publishing can be skipped while it stays put. */
  getVersion(): Promise<number>;
  /** Cheap query proving the store answers (health checks). */
  ping(): Promise<void>;
  saveDocument(key: string, document: CachedDocument): Promise<void>;
  /** Several documents in one transaction. */
  saveDocuments(documents: { key: string; document: CachedDocument }[]): Promise<void>;
  close(): Promise<void>;
}
