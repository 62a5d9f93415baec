import type Database from 'better-sqlite3';
import { sha256Hex } from '../lib/text.js';

interface SharedRow {
  copy_source: string;
  id: string;
  guid: string;
  url: string | null;
  published: string;
  updated: string | null;
  first_seen: string;
  content_hash: string;
  record_hash: string;
  data: string;
  item_key: string;
  kind: string | null;
}

/**
 * Stores before schema 6 kept an article seen in two sources once, owned by the first and linked
 * to the others. Each linked source gets a record of its own, copied from the shared one, so that
 * no output loses an item. A copy is provisional: its source's item key may differ from the
 * owner's (the two were matched by URL), so the copy's source is made to fetch and read everything
 * again, and its next harvest takes the copy over by URL or guid (see SqliteStore.adopt).
 * A seeds source linked to another's record only needs to read its folder again.
 */
export function reownSharedArticles(db: Database.Database): void {
  separateRepeatedKeys(db);
  const shared = db
    .prepare<[], SharedRow>(
      `SELECT s.source_id AS copy_source, a.id, a.guid, a.url, a.published, a.updated, a.first_seen, a.content_hash, a.record_hash,
              a.data, a.item_key, json_extract(a.data, '$.kind') AS kind
       FROM article_sources s JOIN articles a ON a.id = s.article_id
       WHERE s.source_id <> a.source_id ORDER BY a.first_seen, a.id`,
    )
    .all();
  const seedSources = new Set(
    db.prepare<[], string>(`SELECT DISTINCT source_id FROM articles WHERE json_extract(data, '$.kind') = 'seed'`).pluck().all(),
  );
  const exists = db.prepare<[string, string], 1>('SELECT 1 FROM articles WHERE source_id = ? AND item_key = ?').pluck();
  const insert = db.prepare(
    `INSERT INTO articles (id, source_id, guid, url, published, updated, first_seen, content_hash, record_hash, data, item_key, provisional)
     VALUES (@id, @source, @guid, @url, @published, @updated, @first_seen, @content_hash, @record_hash, @data, @item_key, 1)`,
  );
  // An output that archived (or filtered out) the shared record has done so for the copy too:
  // page -1 keeps the copy out of the feed without making it part of an archive page.
  const setAside = db.prepare(
    `INSERT OR IGNORE INTO output_members (output_id, article_id, page)
     SELECT output_id, ?, CASE WHEN page = 0 THEN 0 ELSE -1 END FROM output_members WHERE article_id = ?`,
  );
  const reread = new Set<string>();
  for (const row of shared) {
    reread.add(row.copy_source);
    if (row.kind === 'seed' || seedSources.has(row.copy_source) || exists.get(row.copy_source, row.item_key)) continue;
    const id = sha256Hex(`${row.copy_source}\n${row.item_key}`).slice(0, 32);
    const data = JSON.stringify({ ...(JSON.parse(row.data) as object), id, sourceId: row.copy_source });
    insert.run({ ...row, id, source: row.copy_source, data });
    setAside.run(id, row.id);
  }
  forgetHarvests(db, reread);
  db.exec(`
    DROP TABLE article_sources;
    CREATE UNIQUE INDEX articles_by_item ON articles (source_id, item_key);
    INSERT INTO documents (key, body, fetched_at) VALUES ('store-version', '1', '')
      ON CONFLICT (key) DO UPDATE SET body = CAST(CAST(body AS INTEGER) + 1 AS TEXT);
  `);
}

/** Two records of one source under one key (a guid equal to another item's link): the later one gets a key of its own. */
function separateRepeatedKeys(db: Database.Database): void {
  db.exec(`
    UPDATE articles SET item_key = 'urn:feedmirror:item:' || id, data = json_set(data, '$.itemKey', 'urn:feedmirror:item:' || id)
    WHERE EXISTS (
      SELECT 1 FROM articles b WHERE b.source_id = articles.source_id AND b.item_key = articles.item_key
        AND (b.first_seen < articles.first_seen OR (b.first_seen = articles.first_seen AND b.id < articles.id))
    );
  `);
}

/** The next run fetches these sources in full (no validators, no harvest record) and reads their seeds folders. */
function forgetHarvests(db: Database.Database, sources: Set<string>): void {
  const forget = db.prepare<[string, string]>(`DELETE FROM documents WHERE key IN ('harvest:' || ?, 'seed-folder:' || ?)`);
  const refetch = db.prepare(`UPDATE source_state SET state = json_set(state, '$.etag', NULL, '$.lastModified', NULL) WHERE source_id = ?`);
  for (const source of sources) {
    forget.run(source, source);
    refetch.run(source);
  }
}
