import { statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Article, StoredArticle } from '../model/article.js';
import type { ArchivePage } from '../model/output-selection.js';
import type { ArticleQuery, CachedDocument, DuplicateCandidate, DuplicateQuery, PrunePolicy, RunRecord, Store, UpsertSummary } from './store.js';
import type { SourceState } from '../model/source-state.js';
import { LATEST_VERSION, MIGRATIONS } from './migrations.js';
import { nextCandidateId, planRecord, type ExistingRecord } from './article-record.js';
import { EXCLUDED, RUNS_KEPT } from './schema-constants.js';
import { FeedmirrorError } from '../model/errors.js';
import { makeFoldersSync } from '../lib/make-folders.js';
import type { MigrationOutcome } from './store.js';
import type { ExtractedPage } from './extracted-pages.js';
import { SqliteExtractedPages } from './sqlite-extracted-pages.js';
import { SqliteMediaUrls } from './sqlite-media-urls.js';
import type { MediaUrl } from './media-urls.js';
import { SqlitePublishedFiles } from './sqlite-published-files.js';

type ExistingRow = ExistingRecord;

interface ArticleRow {
  data: string;
  updated: string | null;
  first_seen: string;
  record_hash: string;
  url_unique: 0 | 1;
}

/** True when no other article of the same source has the article's url (see StoredArticle.urlIsUnique). */
const URL_UNIQUE = `(a.url IS NOT NULL AND NOT EXISTS (SELECT 1 FROM articles x WHERE x.source_id = a.source_id AND x.url = a.url AND x.id <> a.id))`;

/** Opens (creating the file and folder on first use) and migrates a SQLite store. */
export function openSqliteStore(file: string): SqliteStore {
  return new SqliteStore(openMigrated(file).db);
}

/** `feedmirror migrate`: brings the file's schema up to date and says from which version. */
export function migrateSqliteStore(file: string): MigrationOutcome {
  const { db, outcome } = openMigrated(file);
  db.close();
  return outcome;
}

function openMigrated(file: string): { db: Database.Database; outcome: MigrationOutcome } {
  let db: Database.Database | undefined;
  try {
    if (file !== ':memory:') makeFoldersSync(path.dirname(file), { code: 'FM_STORE', label: 'database' });
    if (file !== ':memory:') refuseFolder(file);
    db = new Database(file);
    refuseForeignFile(db, file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    db.pragma('foreign_keys = ON');
    // A bigger WAL (default 1,000 pages) means fewer checkpoints, each of which fsyncs, during a
    // large first ingest. Per connection, not stored in the file.
    db.pragma('wal_autocheckpoint = 4000');
    return { db, outcome: migrate(db, file) };
  } catch (error) {
    db?.close();
    if (error instanceof FeedmirrorError) throw error;
    throw new FeedmirrorError('FM_STORE', `store: cannot open ${file}: ${(error as Error).message}`, { cause: error });
  }
}

function refuseFolder(file: string): void {
  if (statSync(file, { throwIfNoEntry: false })?.isDirectory()) throw new FeedmirrorError('FM_STORE', `store: ${file} is a folder, not a feedmirror database file (the config's "database" names it)`);
}

/**
 * Before anything is written (WAL mode, migrations), the file must be a feedmirror database or a
 * new one: another program's SQLite file, or any other file, is named and left as it is.
 */
function refuseForeignFile(db: Database.Database, file: string): void {
  let tables: string[];
  try {
    tables = db.prepare<[], string>("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").pluck().all();
  } catch (error) {
    db.close();
    if ((error as { code?: string }).code !== 'SQLITE_NOTADB') throw error;
    throw new FeedmirrorError('FM_STORE', `store: ${file} is not a feedmirror database: it is not an SQLite file at all; point "database" at a new file (it is created) or at the one feedmirror made`, { cause: error });
  }
  if (tables.length === 0 || tables.includes('articles')) return;
  db.close();
  const listed = tables.slice(0, 5).join(', ') + (tables.length > 5 ? ', …' : '');
  throw new FeedmirrorError('FM_STORE', `store: ${file} is not a feedmirror database: it is another program's SQLite file (tables ${listed}); point "database" at a new file`);
}

function migrate(db: Database.Database, file: string): MigrationOutcome {

  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > LATEST_VERSION) {
    throw new FeedmirrorError('FM_STORE', `store: ${file} has schema version ${current}, newer than this feedmirror knows (${LATEST_VERSION}); upgrade feedmirror`);
  }
  for (const migration of MIGRATIONS.filter((m) => m.version > current)) {
    db.transaction(() => {
      db.exec(migration.sql);
      migration.apply?.(db);
      db.pragma(`user_version = ${migration.version}`);
    }).immediate();
  }
  return { from: current, to: LATEST_VERSION };
}

export class SqliteStore implements Store {
  private readonly statements;
  /** Article queries are built from the query's shape; each shape is compiled once (a publish runs thousands). */
  private readonly articleQueries = new Map<string, Database.Statement<Record<string, unknown>, ArticleRow>>();
  private readonly pages: SqliteExtractedPages;
  private readonly media: SqliteMediaUrls;
  private readonly files: SqlitePublishedFiles;

  constructor(private readonly db: Database.Database) {
    this.pages = new SqliteExtractedPages(db);
    this.media = new SqliteMediaUrls(db);
    this.files = new SqlitePublishedFiles(db);
    this.statements = {
      findByKey: db.prepare<[string, string], ExistingRow>('SELECT id, published, record_hash, content_hash, updated FROM articles WHERE source_id = ? AND item_key = ?'),
      // A record copied to this source by the identity migration, whose key may not be the one its source uses.
      findProvisional: db.prepare<[string, string, string | null], ExistingRow>(
        'SELECT id, published, record_hash, content_hash, updated FROM articles WHERE source_id = ? AND provisional = 1 AND (guid = ? OR url = ?) LIMIT 1',
      ),
      idTaken: db.prepare<[string], 1>('SELECT 1 FROM articles WHERE id = ?').pluck(),
      states: db.prepare<[], { state: string }>('SELECT state FROM source_state'),
      getDocument: db.prepare<[string], { body: string; etag: string | null; modified: string | null; fetched_at: string }>('SELECT body, etag, modified, fetched_at FROM documents WHERE key = ?'),
      saveDocument: db.prepare('INSERT INTO documents (key, body, etag, modified, fetched_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET body = excluded.body, etag = excluded.etag, modified = excluded.modified, fetched_at = excluded.fetched_at'),
      saveState: db.prepare('INSERT INTO source_state (source_id, state, next_fetch) VALUES (?, ?, ?) ON CONFLICT (source_id) DO UPDATE SET state = excluded.state, next_fetch = excluded.next_fetch'),
      insert: db.prepare(
        `INSERT INTO articles (id, source_id, item_key, guid, url, published, updated, first_seen, content_hash, record_hash, data)
         VALUES (@id, @sourceId, @itemKey, @guid, @url, @published, @updated, @firstSeen, @contentHash, @recordHash, @data)`,
      ),
      update: db.prepare(
        `UPDATE articles SET item_key = @itemKey, provisional = 0, guid = @guid, url = @url, published = @published, updated = @updated,
         content_hash = @contentHash, record_hash = @recordHash, data = @data WHERE id = @id`,
      ),
      bumpVersion: db.prepare(
        `INSERT INTO documents (key, body, fetched_at) VALUES ('store-version', '1', '') ON CONFLICT (key) DO UPDATE SET body = CAST(CAST(body AS INTEGER) + 1 AS TEXT)`,
      ),
      unfilter: db.prepare('DELETE FROM output_members WHERE article_id = ? AND page = 0'),
      setAside: db.prepare('INSERT OR REPLACE INTO output_members (output_id, article_id, page) VALUES (?, ?, ?)'),
      archivePages: db.prepare<[string], { page: number; ids: string }>(
        'SELECT page, json_group_array(article_id) AS ids FROM output_members WHERE output_id = ? AND page > 0 GROUP BY page ORDER BY page',
      ),
      clearFiltered: db.prepare('DELETE FROM output_members WHERE output_id = ? AND page = 0'),
    };
  }

  async upsertArticles(articles: Article[], now: Date): Promise<UpsertSummary> {
    const summary: UpsertSummary = { inserted: 0, updated: 0, unchanged: 0 };
    // A 304 brings nothing: no write transaction (even an empty one commits, and a quiet run is a thousand 304s).
    if (articles.length === 0) return summary;
    const stamp = now.toISOString();
    this.db.transaction(() => {
      for (const article of articles) summary[this.upsertOne(article, stamp)]++;
      // In the same transaction: whoever publishes next knows the articles changed, even if this process dies first.
      if (summary.inserted + summary.updated > 0) this.statements.bumpVersion.run();
    }).immediate();
    return summary;
  }

  private upsertOne(incoming: Article, now: string): keyof UpsertSummary {
    // Only the source's own record: nothing one source serves can change another source's.
    const existing = this.statements.findByKey.get(incoming.sourceId, incoming.itemKey) ?? this.statements.findProvisional.get(incoming.sourceId, incoming.guid, incoming.url);
    const write = planRecord(incoming, existing, existing?.id ?? this.freeId(incoming), now);
    if (!write) return 'unchanged';
    (existing ? this.statements.update : this.statements.insert).run(write.row);
    // Changed content may now pass a filter that excluded it before.
    if (write.contentChanged) this.statements.unfilter.run(write.row.id);
    return existing ? 'updated' : 'inserted';
  }

  /**
   * The article's own id, unless a record of another item has it (a seed file named after an item's
   * id, a seed of the same name in another folder stored meanwhile): then one drawn from it.
   */
  private freeId(article: Article): string {
    let id = article.id;
    while (this.statements.idTaken.get(id)) id = nextCandidateId(article, id);
    return id;
  }

  async articleOwners(ids: string[]): Promise<Map<string, string>> {
    const rows = this.db
      .prepare<[string], { id: string; source_id: string }>('SELECT id, source_id FROM articles WHERE id IN (SELECT value FROM json_each(?))')
      .all(JSON.stringify(ids));
    return new Map(rows.map((row) => [row.id, row.source_id]));
  }

  async findDuplicates(query: DuplicateQuery): Promise<DuplicateCandidate[]> {
    type Row = { id: string; source_id: string; kind: string; guid: string; url: string | null; url_unique: 0 | 1; first_seen: string; page: number | null };
    const rows = this.db
      .prepare<Record<string, string | number>, Row>(
        `SELECT a.id, a.source_id, json_extract(a.data, '$.kind') AS kind, a.guid, a.url, ${URL_UNIQUE} AS url_unique, a.first_seen,
                (SELECT page FROM output_members m WHERE m.output_id = @output AND m.article_id = a.id) AS page
         FROM articles a
         WHERE (@everySource OR a.source_id IN (SELECT value FROM json_each(@sources)))
           AND (a.guid IN (SELECT value FROM json_each(@guids)) OR a.url IN (SELECT value FROM json_each(@urls)))`,
      )
      .all({
        output: query.outputId,
        everySource: query.sourceIds ? 0 : 1,
        sources: JSON.stringify(query.sourceIds ?? []),
        guids: JSON.stringify(query.guids),
        urls: JSON.stringify(query.urls),
      });
    return rows.map((row) => ({
      id: row.id, sourceId: row.source_id, kind: row.kind === 'seed' ? 'seed' : 'feed', guid: row.guid, url: row.url,
      urlIsUnique: row.url_unique === 1, firstSeen: row.first_seen, inOutput: row.page === null ? null : row.page === EXCLUDED ? 'excluded' : 'archived',
    }));
  }

  async getSourceStates(): Promise<Map<string, SourceState>> {
    const states = this.statements.states.all().map((row) => JSON.parse(row.state) as SourceState);
    return new Map(states.map((state) => [state.sourceId, state]));
  }

  async saveSourceStates(states: SourceState[]): Promise<void> {
    this.db.transaction(() => {
      for (const state of states) this.statements.saveState.run(state.sourceId, JSON.stringify(state), state.nextFetchAt);
    }).immediate();
  }

  async listArticles(query: ArticleQuery): Promise<StoredArticle[]> {
    const conditions = [
      ...(query.sourceIds ? ['a.source_id IN (SELECT value FROM json_each(@sources))'] : []),
      ...(query.publishedAfter ? ['a.published >= @after'] : []),
      ...(query.notSetAsideBy ? ['a.id NOT IN (SELECT article_id FROM output_members WHERE output_id = @output)'] : []),
    ];
    const rows = this.articleQuery(conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '', '@limit OFFSET @offset')
      .all({ sources: JSON.stringify(query.sourceIds ?? []), after: query.publishedAfter ?? '', output: query.notSetAsideBy ?? '', limit: query.limit, offset: query.offset ?? 0 });
    return rows.map(toStoredArticle);
  }

  async getArticlesByIds(ids: string[]): Promise<StoredArticle[]> {
    const rows = this.articleQuery('WHERE a.id IN (SELECT value FROM json_each(@ids))', '-1').all({ ids: JSON.stringify(ids) });
    return rows.map(toStoredArticle);
  }

  /**
   * Stored articles, with what `toStoredArticle` needs, newest first. The page is chosen on ids and
   * dates only and the rows are joined in afterwards: sorting whole rows makes SQLite carry every
   * article's JSON through its sorter, which costs as much as reading the rows. The LIMIT (-1 for
   * none) is what keeps SQLite from flattening the page back into one sorted query.
   */
  private articleQuery(where: string, limit: string): Database.Statement<Record<string, unknown>, ArticleRow> {
    const key = `${where}|${limit}`;
    let statement = this.articleQueries.get(key);
    if (!statement) {
      statement = this.db.prepare<Record<string, unknown>, ArticleRow>(
        `WITH page AS (SELECT a.id, a.published FROM articles a ${where} ORDER BY a.published DESC, a.id LIMIT ${limit})
         SELECT a.data, a.updated, a.first_seen, a.record_hash, ${URL_UNIQUE} AS url_unique
         FROM page CROSS JOIN articles a ON a.id = page.id
         ORDER BY page.published DESC, page.id`,
      );
      this.articleQueries.set(key, statement);
    }
    return statement;
  }

  async getArchivePages(outputId: string): Promise<ArchivePage[]> {
    return this.statements.archivePages.all(outputId).map((row) => ({ page: row.page, articleIds: JSON.parse(row.ids) as string[] }));
  }

  async sealArchivePages(outputId: string, pages: ArchivePage[]): Promise<void> {
    this.db.transaction(() => {
      for (const { page, articleIds } of pages) for (const id of articleIds) this.statements.setAside.run(outputId, id, page);
    })();
  }

  async excludeFromOutput(outputId: string, articleIds: string[]): Promise<void> {
    this.db.transaction(() => {
      for (const id of articleIds) this.statements.setAside.run(outputId, id, EXCLUDED);
    })();
  }

  async forgetExclusions(outputId: string): Promise<void> {
    this.statements.clearFiltered.run(outputId);
  }

  async countArticles(sourceIds?: string[]): Promise<number> {
    if (!sourceIds) return (this.db.prepare('SELECT count(*) AS n FROM articles').get() as { n: number }).n;
    const row = this.db
      .prepare('SELECT count(*) AS n FROM articles WHERE source_id IN (SELECT value FROM json_each(?))')
      .get(JSON.stringify(sourceIds)) as { n: number };
    return row.n;
  }

  async countArticlesBySource(sourceIds: string[]): Promise<Map<string, number>> {
    const rows = this.db
      .prepare<[string], { source_id: string; n: number }>(
        'SELECT source_id, count(*) AS n FROM articles WHERE source_id IN (SELECT value FROM json_each(?)) GROUP BY source_id',
      )
      .all(JSON.stringify(sourceIds));
    const counts = new Map(sourceIds.map((id) => [id, 0]));
    for (const row of rows) counts.set(row.source_id, row.n);
    return counts;
  }

  async getDocument(key: string): Promise<CachedDocument | null> {
    const row = this.statements.getDocument.get(key);
    return row ? { body: row.body, etag: row.etag, lastModified: row.modified, fetchedAt: row.fetched_at } : null;
  }

  async saveDocument(key: string, document: CachedDocument): Promise<void> {
    this.statements.saveDocument.run(key, document.body, document.etag, document.lastModified, document.fetchedAt);
  }

  async saveDocuments(documents: { key: string; document: CachedDocument }[]): Promise<void> {
    this.db.transaction(() => {
      for (const { key, document } of documents) this.statements.saveDocument.run(key, document.body, document.etag, document.lastModified, document.fetchedAt);
    }).immediate();
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

  async recordRun(run: RunRecord): Promise<void> {
    this.db
      .prepare('INSERT INTO runs (started_at, finished_at, duration_ms, outcome, summary) VALUES (?, ?, ?, ?, ?)')
      .run(run.startedAt, run.finishedAt, run.durationMs, run.outcome, JSON.stringify(run.summary));
    this.db.prepare('DELETE FROM runs WHERE id <= (SELECT max(id) FROM runs) - ?').run(RUNS_KEPT);
  }

  async getRunStats(): Promise<{ last: RunRecord | null; lastOk: RunRecord | null; count: number }> {
    type Row = { started_at: string; finished_at: string; duration_ms: number; outcome: 'ok' | 'failed'; summary: string };
    const toRecord = (row: Row | undefined): RunRecord | null =>
      row ? { startedAt: row.started_at, finishedAt: row.finished_at, durationMs: row.duration_ms, outcome: row.outcome, summary: JSON.parse(row.summary) } : null;
    const last = this.db.prepare<[], Row>('SELECT * FROM runs ORDER BY id DESC LIMIT 1').get();
    const lastOk = this.db.prepare<[], Row>("SELECT * FROM runs WHERE outcome = 'ok' ORDER BY id DESC LIMIT 1").get();
    const count = (this.db.prepare('SELECT count(*) AS n FROM runs').get() as { n: number }).n;
    return { last: toRecord(last), lastOk: toRecord(lastOk), count };
  }

  // --- retention ---
  async pruneArticles(policy: PrunePolicy): Promise<Map<string, number>> {
    const doomed = this.db
      .prepare<Record<string, unknown>, { id: string; source_id: string }>(
        `SELECT id, source_id FROM (
           SELECT id, source_id, published, ROW_NUMBER() OVER (PARTITION BY source_id ORDER BY published DESC, id) AS rank
           FROM articles WHERE source_id IN (SELECT value FROM json_each(@sources)) AND json_extract(data, '$.kind') = 'feed'
         ) WHERE ((@before <> '' AND published < @before) OR (@keep > 0 AND rank > @keep))
           AND id NOT IN (SELECT article_id FROM output_members WHERE page > 0)`,
      )
      .all({ sources: JSON.stringify(policy.sourceIds), before: policy.publishedBefore ?? '', keep: policy.keepPerSource ?? 0 });
    const counts = new Map<string, number>();
    for (const row of doomed) counts.set(row.source_id, (counts.get(row.source_id) ?? 0) + 1);
    if (!policy.apply || doomed.length === 0) return counts;
    const remove = this.db.prepare('DELETE FROM articles WHERE id = ?');
    this.db.transaction(() => {
      for (const row of doomed) {
        this.statements.unfilter.run(row.id);
        remove.run(row.id);
      }
      this.statements.bumpVersion.run();
    })();
    return counts;
  }

  async getVersion(): Promise<number> {
    const row = this.statements.getDocument.get('store-version');
    return row ? Number(row.body) : 0;
  }

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

function toStoredArticle(row: ArticleRow): StoredArticle {
  const article = JSON.parse(row.data) as StoredArticle;
  // Completed in place: the parsed object is ours, and a copy of every article would cost about a tenth of a publish.
  article.updated = row.updated;
  article.firstSeen = row.first_seen;
  article.urlIsUnique = row.url_unique === 1;
  article.recordHash = row.record_hash;
  return article;
}
