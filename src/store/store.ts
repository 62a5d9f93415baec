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
  /** Source ids to include; articles seen in any of them match. Omit for all sources. */
  sourceIds?: string[];
  limit: number;
  /** Skip this many of the newest. */
  offset?: number;
  /** Only articles published at or after this ISO date. */
  publishedAfter?: string;
  /** Leave out articles this output has already set aside (archived or filtered out). */
  notSetAsideBy?: string;
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
  /** Inserts or updates articles in one transaction; `now` stamps first-seen and content changes. */
  upsertArticles(articles: Article[], now: Date): Promise<UpsertSummary>;
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
