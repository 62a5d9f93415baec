import type { Article, StoredArticle } from '../model/article.js';
import type { SourceState } from '../model/source-state.js';
import type { ArchivePage } from '../model/output-selection.js';
import type { ExtractedPageStore } from './extracted-pages.js';
import type { MediaUrlStore } from './media-urls.js';
import type { OutputQueue } from './output-queue.js';

export type { ExtractedPage, ExtractedPageStore } from './extracted-pages.js';
export type { MediaUrl, MediaUrlStore } from './media-urls.js';

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
  /** Leave out articles this output has archived or excluded. */
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
  /** Whether the output has archived it (or a copy of it, see migrate-identity.ts), or leaves it out. */
  inOutput: 'archived' | 'excluded' | null;
}

/** One finished run, for /healthz, /metrics and status. */
export interface RunRecord {
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  outcome: 'ok' | 'failed';
  summary: Record<string, number | string | string[]>;
}

/** Retention: which stored feed articles go (see Store.pruneArticles). */
export interface PrunePolicy {
  /** The sources whose articles are looked at. */
  sourceIds: string[];
  /** Articles published before this ISO date go; null: no age limit. */
  publishedBefore: string | null;
  /** Each source keeps its newest this many; null: no count limit. */
  keepPerSource: number | null;
  /** false: only count what would go (a dry run). */
  apply: boolean;
}

/**
 * Everything the pipeline needs from persistence. Asynchronous on purpose: SQLite answers
 * at once, but a shared PostgreSQL store will not, and no caller may assume otherwise.
 */
export interface Store extends ExtractedPageStore, MediaUrlStore {
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
  /** Seals archive pages of an output, in one transaction: their articles leave its feed for good. */
  sealArchivePages(outputId: string, pages: ArchivePage[]): Promise<void>;
  /**
   * Records that an output leaves these articles out (its filter, or a copy shown from another
   * source), so they are not looked at again until they change or the exclusions are forgotten.
   */
  excludeFromOutput(outputId: string, articleIds: string[]): Promise<void>;
  /** Forgets an output's exclusions (its filter or the order of its sources changed). */
  forgetExclusions(outputId: string): Promise<void>;
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
  /**
   * PostgreSQL only: the fleet's publish queue (output-queue.ts). Absent on SQLite, where one
   * process at a time runs and publishes.
   */
  outputQueue?(): OutputQueue;

  // --- retention (added with `feedmirror prune`) ---
  /**
   * Removes (or with `apply` false, counts) the feed articles the policy drops, per source id, in
   * one transaction. Seed articles are never pruned (their files are the record), nor an article
   * a sealed archive page holds (RFC 5005: a sealed page never changes). Bumps the version when
   * anything went.
   */
  pruneArticles(policy: PrunePolicy): Promise<Map<string, number>>;
}

/** What opening a store did to its schema: the version found, and the one now in place. */
export interface MigrationOutcome {
  from: number;
  to: number;
}
