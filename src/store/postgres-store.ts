import postgres from 'postgres';
import type { Article, StoredArticle } from '../model/article.js';
import type { ArchivePage } from '../model/output-selection.js';
import type { SourceState } from '../model/source-state.js';
import { redactDatabase } from '../lib/database-url.js';
import type { ExtractedPage } from './extracted-pages.js';
import type { MediaUrl } from './media-urls.js';
import { PostgresPublishedFiles } from './postgres-published-files.js';
import { PostgresExtractedPages, PostgresMediaUrls } from './postgres-full-text.js';
import type { ArticleQuery, CachedDocument, DuplicateCandidate, DuplicateQuery, MigrationOutcome, PrunePolicy, RunRecord, Store, UpsertSummary } from './store.js';
import { migratePostgres } from './postgres-migrations.js';
import { texts } from './postgres-upsert.js';
import { bumpVersion, writeArticles, writeDocuments, writeSourceStates } from './postgres-writes.js';
import { decodeNullable, decodeText, encodeText } from './postgres-text.js';
import { EXCLUDED, RUNS_KEPT, VERSION_KEY } from './schema-constants.js';
import { FeedmirrorError } from '../model/errors.js';
import { PostgresSourceQueue } from './postgres-source-queue.js';
import type { SourceQueue } from './source-queue.js';
import type { FleetRegistry } from './fleet-registry.js';
import { PostgresFleet } from './postgres-fleet.js';
import { markOutputsDirty, PostgresOutputQueue } from './postgres-output-queue.js';
import type { OutputQueue } from './output-queue.js';
import { PostgresChoreLog } from './postgres-chore-log.js';
import type { ChoreStore } from './chore-log.js';

type Sql = postgres.Sql;

/** Connections per process; a fleet needs max_connections >= workers × this + a margin. */
export const POOL_MAX = 10;
/** The longest a pooled connection waits to connect again after failures (reconnectDelaySeconds). */
const RECONNECT_DELAY_MAX_S = 1;

interface ArticleRow {
  data: string;
  updated: string | null;
  first_seen: string;
  record_hash: string;
  url_unique: boolean;
}

/** True when no other article of the same source has the article's url (see StoredArticle.urlIsUnique). */
const URL_UNIQUE = `(a.url IS NOT NULL AND NOT EXISTS (SELECT 1 FROM articles x WHERE x.url = a.url AND x.source_id = a.source_id AND x.id <> a.id))`;

/**
 * Opens a pool on the database and migrates it. Queries are prepared once per connection (the
 * client's default), so a publish's thousands of article queries are parsed and planned once.
 */
export async function openPostgresStore(url: string): Promise<PostgresStore> {
  const sql = connect(url);
  try {
    await migratePostgres(sql, redactDatabase(url));
    return new PostgresStore(sql);
  } catch (error) {
    await sql.end({ timeout: 1 }).catch(() => undefined);
    throw asStoreError(error, url);
  }
}

/** `feedmirror migrate` on PostgreSQL. */
export async function migratePostgresStore(url: string): Promise<MigrationOutcome> {
  const sql = connect(url);
  try {
    return await migratePostgres(sql, redactDatabase(url));
  } catch (error) {
    throw asStoreError(error, url);
  } finally {
    await sql.end({ timeout: 1 }).catch(() => undefined);
  }
}

/** `feedmirror check`: whether the server answers and lets us in, without touching the schema; the problem, or null. */
export async function probePostgres(url: string): Promise<string | null> {
  const sql = postgres(url, { max: 1, connect_timeout: 10, fetch_types: false, onnotice: () => undefined });
  try {
    await sql`SELECT 1`;
    return null;
  } catch (error) {
    return `cannot connect to ${redactDatabase(url)}: ${(error as Error).message}`;
  } finally {
    await sql.end({ timeout: 1 }).catch(() => undefined);
  }
}

function connect(url: string): Sql {
  return postgres(url, {
    max: POOL_MAX,
    connect_timeout: 10, // seconds
    backoff: reconnectDelaySeconds,
    // "relation already exists, skipping" and the like are not worth a log line.
    onnotice: () => undefined,
    connection: { application_name: 'feedmirror' },
  });
}

/**
 * How long a pooled connection that closed waits before it connects again for the next query, in
 * seconds. postgres.js's default grows with every failed connection of the pool (3^n / 100 s, up to
 * 20 s), so after an outage of a few seconds each query waited up to 20 s on a server long back,
 * and closing the store waited on them. Workers pace their own retries (a cycle every 5 s, a chore
 * each fire), so a short bound is enough.
 */
export function reconnectDelaySeconds(failures: number): number {
  return Math.min(0.05 * 2 ** failures, RECONNECT_DELAY_MAX_S);
}

function asStoreError(error: unknown, url: string): FeedmirrorError {
  if (error instanceof FeedmirrorError) return error;
  return new FeedmirrorError('FM_STORE', `store: cannot open ${redactDatabase(url)}: ${(error as Error).message}`, { cause: error });
}

export class PostgresStore implements Store {
  private readonly pages: PostgresExtractedPages;
  private readonly media: PostgresMediaUrls;
  private readonly files: PostgresPublishedFiles;

  constructor(private readonly sql: Sql) {
    this.pages = new PostgresExtractedPages(sql);
    this.media = new PostgresMediaUrls(sql);
    this.files = new PostgresPublishedFiles(sql);
  }

  async upsertArticles(articles: Article[], now: Date): Promise<UpsertSummary> {
    // A 304 brings nothing: no transaction at all.
    if (articles.length === 0) return { inserted: 0, updated: 0, unchanged: 0 };
    return this.sql.begin((tx) => writeArticles(tx, articles, now));
  }

  async articleOwners(ids: string[]): Promise<Map<string, string>> {
    const rows = await this.sql<{ id: string; source_id: string }[]>`SELECT id, source_id FROM articles WHERE id = ANY(${texts(this.sql, ids)})`;
    return new Map(rows.map((row) => [row.id, row.source_id]));
  }

  async findDuplicates(query: DuplicateQuery): Promise<DuplicateCandidate[]> {
    type Row = { id: string; source_id: string; kind: string; guid: string; url: string | null; url_unique: boolean; first_seen: string; page: number | null };
    const sql = this.sql;
    const rows = await sql<Row[]>`
      SELECT a.id, a.source_id, a.kind, a.guid, a.url, ${sql.unsafe(URL_UNIQUE)} AS url_unique, a.first_seen,
             (SELECT page FROM output_members m WHERE m.output_id = ${query.outputId} AND m.article_id = a.id) AS page
      FROM articles a
      WHERE (a.guid = ANY(${texts(sql, query.guids.map(encodeText))}) OR a.url = ANY(${texts(sql, query.urls.map(encodeText))}))
        ${query.sourceIds ? sql`AND a.source_id = ANY(${texts(sql, query.sourceIds)})` : sql``}`;
    return rows.map((row) => ({
      id: row.id, sourceId: row.source_id, kind: row.kind === 'seed' ? 'seed' : 'feed', guid: decodeText(row.guid), url: decodeNullable(row.url),
      urlIsUnique: row.url_unique, firstSeen: row.first_seen, inOutput: row.page === null ? null : row.page === EXCLUDED ? 'excluded' : 'archived',
    }));
  }

  async getSourceStates(): Promise<Map<string, SourceState>> {
    const rows = await this.sql<{ state: string }[]>`SELECT state FROM source_state`;
    const states = rows.map((row) => JSON.parse(row.state) as SourceState);
    return new Map(states.map((state) => [state.sourceId, state]));
  }

  async saveSourceStates(states: SourceState[]): Promise<void> {
    await writeSourceStates(this.sql, states);
  }

  async listArticles(query: ArticleQuery): Promise<StoredArticle[]> {
    const sql = this.sql;
    const where = sql`WHERE true
      ${query.sourceIds ? sql`AND a.source_id = ANY(${texts(sql, query.sourceIds)})` : sql``}
      ${query.publishedAfter ? sql`AND a.published >= ${query.publishedAfter}` : sql``}
      ${query.notSetAsideBy ? sql`AND NOT EXISTS (SELECT 1 FROM output_members m WHERE m.output_id = ${query.notSetAsideBy} AND m.article_id = a.id)` : sql``}`;
    return this.articlePage(where, sql`LIMIT ${query.limit} OFFSET ${query.offset ?? 0}`);
  }

  async getArticlesByIds(ids: string[]): Promise<StoredArticle[]> {
    return this.articlePage(this.sql`WHERE a.id = ANY(${texts(this.sql, ids)})`, this.sql``);
  }

  /** Stored articles, newest first; as in SqliteStore, the page is chosen on ids and dates before the rows are read. */
  private async articlePage(where: postgres.PendingQuery<postgres.Row[]>, limit: postgres.PendingQuery<postgres.Row[]>): Promise<StoredArticle[]> {
    const sql = this.sql;
    const rows = await sql<ArticleRow[]>`
      WITH page AS (SELECT a.id, a.published FROM articles a ${where} ORDER BY a.published DESC, a.id ${limit})
      SELECT a.data, a.updated, a.first_seen, a.record_hash, ${sql.unsafe(URL_UNIQUE)} AS url_unique
      FROM page JOIN articles a ON a.id = page.id
      ORDER BY page.published DESC, page.id`;
    return rows.map(toStoredArticle);
  }

  async getArchivePages(outputId: string): Promise<ArchivePage[]> {
    const rows = await this.sql<{ page: number; ids: string[] }[]>`
      SELECT page, array_agg(article_id ORDER BY article_id) AS ids FROM output_members
      WHERE output_id = ${outputId} AND page > 0 GROUP BY page ORDER BY page`;
    return rows.map((row) => ({ page: row.page, articleIds: row.ids }));
  }

  async sealArchivePages(outputId: string, pages: ArchivePage[]): Promise<void> {
    await this.setAside(outputId, pages.flatMap(({ page, articleIds }) => articleIds.map((id) => [id, page] as const)));
  }

  async excludeFromOutput(outputId: string, articleIds: string[]): Promise<void> {
    await this.setAside(outputId, articleIds.map((id) => [id, EXCLUDED] as const));
  }

  /** Puts articles on a page of an output (the last page given for one article wins, as one by one). */
  private async setAside(outputId: string, members: (readonly [string, number])[]): Promise<void> {
    const pages = new Map(members);
    if (pages.size === 0) return;
    const sql = this.sql;
    await sql`
      INSERT INTO output_members (output_id, article_id, page)
      SELECT ${outputId}, id, page FROM unnest(${texts(sql, [...pages.keys()])}::text[], ${sql.array([...pages.values()], INT_ARRAY)}::int[]) AS m(id, page)
      ON CONFLICT (output_id, article_id) DO UPDATE SET page = excluded.page`;
  }

  async forgetExclusions(outputId: string): Promise<void> {
    await this.sql`DELETE FROM output_members WHERE output_id = ${outputId} AND page = ${EXCLUDED}`;
  }

  async countArticles(sourceIds?: string[]): Promise<number> {
    const sql = this.sql;
    const [row] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM articles ${sourceIds ? sql`WHERE source_id = ANY(${texts(sql, sourceIds)})` : sql``}`;
    return row!.n;
  }

  async countArticlesBySource(sourceIds: string[]): Promise<Map<string, number>> {
    const rows = await this.sql<{ source_id: string; n: number }[]>`
      SELECT source_id, count(*)::int AS n FROM articles WHERE source_id = ANY(${texts(this.sql, sourceIds)}) GROUP BY source_id`;
    const counts = new Map(sourceIds.map((id) => [id, 0]));
    for (const row of rows) counts.set(row.source_id, row.n);
    return counts;
  }

  async getDocument(key: string): Promise<CachedDocument | null> {
    const [row] = await this.sql<{ body: string; etag: string | null; modified: string | null; fetched_at: string }[]>`
      SELECT body, etag, modified, fetched_at FROM documents WHERE key = ${key}`;
    return row ? { body: decodeText(row.body), etag: decodeNullable(row.etag), lastModified: decodeNullable(row.modified), fetchedAt: row.fetched_at } : null;
  }

  async saveDocument(key: string, document: CachedDocument): Promise<void> {
    await this.saveDocuments([{ key, document }]);
  }

  async saveDocuments(documents: { key: string; document: CachedDocument }[]): Promise<void> {
    await writeDocuments(this.sql, documents);
  }

  async recordRun(run: RunRecord): Promise<void> {
    await this.sql`INSERT INTO runs (started_at, finished_at, duration_ms, outcome, summary)
                   VALUES (${run.startedAt}, ${run.finishedAt}, ${run.durationMs}, ${run.outcome}, ${JSON.stringify(run.summary)})`;
    await this.sql`DELETE FROM runs WHERE id <= (SELECT max(id) FROM runs) - ${RUNS_KEPT}`;
  }

  async getRunStats(): Promise<{ last: RunRecord | null; lastOk: RunRecord | null; count: number }> {
    type Row = { started_at: string; finished_at: string; duration_ms: string; outcome: 'ok' | 'failed'; summary: string };
    const toRecord = (row: Row | undefined): RunRecord | null =>
      row ? { startedAt: row.started_at, finishedAt: row.finished_at, durationMs: Number(row.duration_ms), outcome: row.outcome, summary: JSON.parse(row.summary) } : null;
    const [last] = await this.sql<Row[]>`SELECT * FROM runs ORDER BY id DESC LIMIT 1`;
    const [lastOk] = await this.sql<Row[]>`SELECT * FROM runs WHERE outcome = 'ok' ORDER BY id DESC LIMIT 1`;
    const [count] = await this.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM runs`;
    return { last: toRecord(last), lastOk: toRecord(lastOk), count: count!.n };
  }

  async pruneArticles(policy: PrunePolicy): Promise<Map<string, number>> {
    const sql = this.sql;
    const doomed = await sql<{ id: string; source_id: string }[]>`
      SELECT id, source_id FROM (
        SELECT id, source_id, published, ROW_NUMBER() OVER (PARTITION BY source_id ORDER BY published DESC, id) AS rank
        FROM articles WHERE source_id = ANY(${texts(sql, policy.sourceIds)}) AND kind = 'feed'
      ) ranked
      WHERE ((${policy.publishedBefore ?? ''} <> '' AND published < ${policy.publishedBefore ?? ''}) OR (${policy.keepPerSource ?? 0}::int > 0 AND rank > ${policy.keepPerSource ?? 0}::int))
        AND id NOT IN (SELECT article_id FROM output_members WHERE page > 0)`;
    const counts = new Map<string, number>();
    for (const row of doomed) counts.set(row.source_id, (counts.get(row.source_id) ?? 0) + 1);
    if (!policy.apply || doomed.length === 0) return counts;
    const ids = texts(sql, doomed.map((row) => row.id));
    await sql.begin(async (tx) => {
      await tx`DELETE FROM output_members WHERE article_id = ANY(${ids}) AND page = ${EXCLUDED}`;
      await tx`DELETE FROM articles WHERE id = ANY(${ids})`;
      await bumpVersion(tx);
      await markOutputsDirty(tx, [...counts.keys()]);
    });
    return counts;
  }

  getExtractedPages(urls: string[]): Promise<Map<string, ExtractedPage>> {
    return this.pages.getExtractedPages(urls);
  }

  saveExtractedPages(pages: ExtractedPage[]): Promise<void> {
    return this.pages.saveExtractedPages(pages);
  }

  saveMediaUrls(entries: MediaUrl[], now: Date): Promise<void> {
    return this.media.saveMediaUrls(entries, now);
  }

  getMediaUrl(hash: string): Promise<MediaUrl | null> {
    return this.media.getMediaUrl(hash);
  }

  getPublishedFiles(target: string): Promise<Map<string, string>> {
    return this.files.getPublishedFiles(target);
  }

  savePublishedFiles(target: string, files: Map<string, string>): Promise<void> {
    return this.files.savePublishedFiles(target, files);
  }

  async getVersion(): Promise<number> {
    const document = await this.getDocument(VERSION_KEY);
    return document ? Number(document.body) : 0;
  }

  /** The fleet's publish queue, on this store's connections. */
  outputQueue(): OutputQueue {
    return new PostgresOutputQueue(this.sql);
  }

  /** The fleet's work queue, on this store's connections. */
  sourceQueue(): SourceQueue {
    return new PostgresSourceQueue(this.sql);
  }

  /** The fleet's chores (node-cron's coordinator, their record), on this store's connections. */
  chores(): ChoreStore {
    return new PostgresChoreLog(this.sql);
  }

  /** The fleet's workers and claims, on this store's connections. */
  fleet(): FleetRegistry {
    return new PostgresFleet(this.sql);
  }

  async ping(): Promise<void> {
    await this.sql`SELECT 1`;
  }

  /**
   * Every caller has awaited its own queries by now, so the timeout only bounds postgres.js's
   * `end()` on a connection that lost its server mid-query, which never resolves by itself
   * (porsager/postgres#1097): a worker stopped after an outage waited the whole timeout.
   */
  async close(): Promise<void> {
    await this.sql.end({ timeout: 1 });
  }
}

const INT_ARRAY = 1007; // the type oid of int4[]

function toStoredArticle(row: ArticleRow): StoredArticle {
  const article = JSON.parse(row.data) as StoredArticle;
  // Completed in place: the parsed object is ours (see SqliteStore).
  article.updated = row.updated;
  article.firstSeen = row.first_seen;
  article.urlIsUnique = row.url_unique;
  article.recordHash = row.record_hash;
  return article;
}
