import type Database from 'better-sqlite3';
import { reownSharedArticles } from './migrate-identity.js';

/**
 * Schema history. Each entry runs once, in order, inside a transaction; the database's
 * `user_version` records the last one applied. Never edit an entry that has shipped: add one.
 */
export const MIGRATIONS: { version: number; sql: string; apply?: (db: Database.Database) => void }[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE articles (
        id           TEXT PRIMARY KEY,
        source_id    TEXT NOT NULL,
        guid         TEXT NOT NULL,
        url          TEXT,
        published    TEXT NOT NULL,
        updated      TEXT,
        first_seen   TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        record_hash  TEXT NOT NULL,
        data         TEXT NOT NULL
      ) STRICT;
      CREATE INDEX articles_by_date ON articles (published DESC, id);
      CREATE INDEX articles_by_url ON articles (url);
      CREATE INDEX articles_by_guid ON articles (guid);
      CREATE TABLE article_sources (
        article_id TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
        source_id  TEXT NOT NULL,
        PRIMARY KEY (source_id, article_id)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX article_sources_by_article ON article_sources (article_id);
    `,
  },
  {
    version: 2,
    sql: `
      CREATE TABLE source_state (
        source_id  TEXT PRIMARY KEY,
        state      TEXT NOT NULL,
        next_fetch TEXT
      ) STRICT;
    `,
  },
  {
    version: 3,
    sql: `
      CREATE TABLE documents (
        key        TEXT PRIMARY KEY,
        body       TEXT NOT NULL,
        etag       TEXT,
        modified   TEXT,
        fetched_at TEXT NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 4,
    sql: `
      -- Which articles each output has set aside: page 0 = excluded by its filter (not scanned
      -- again until the article or the filter changes), page n >= 1 = sealed in archive page n.
      CREATE TABLE output_members (
        output_id  TEXT NOT NULL,
        article_id TEXT NOT NULL,
        page       INTEGER NOT NULL,
        PRIMARY KEY (output_id, article_id)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX output_members_by_page ON output_members (output_id, page);
      CREATE INDEX output_members_by_article ON output_members (article_id);
    `,
  },
  {
    version: 5,
    sql: `
      CREATE TABLE runs (
        id          INTEGER PRIMARY KEY,
        started_at  TEXT NOT NULL,
        finished_at TEXT NOT NULL,
        duration_ms INTEGER NOT NULL,
        outcome     TEXT NOT NULL,
        summary     TEXT NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 6,
    // Identity per source: an article record belongs to the one source that served it, found by
    // (source, item key). Records that several sources shared are copied to each (migrate-identity.ts).
    sql: `
      ALTER TABLE articles ADD COLUMN item_key TEXT;
      -- 1 for a record copied from another source's by this migration, until its source serves it again.
      ALTER TABLE articles ADD COLUMN provisional INTEGER NOT NULL DEFAULT 0;
      UPDATE articles SET item_key = CASE WHEN json_extract(data, '$.kind') = 'seed' THEN id ELSE guid END;
      UPDATE articles SET data = json_set(data, '$.itemKey', item_key);
      CREATE INDEX articles_by_source_url ON articles (source_id, url);
    `,
    apply: reownSharedArticles,
  },
  {
    version: 7,
    // Full text: the article taken from each item's page, so a page is fetched once per item version.
    sql: `
      CREATE TABLE extracted_pages (
        url          TEXT PRIMARY KEY,
        version      TEXT NOT NULL,
        etag         TEXT,
        modified     TEXT,
        fetched_at   TEXT NOT NULL,
        -- the article, or NULL with why not
        content      TEXT,
        problem_code TEXT,
        problem      TEXT
      ) STRICT;
    `,
  },
  {
    version: 8,
    // media: "proxy": the media URLs published items referenced, the only ones /media/<hash> fetches.
    sql: `
      CREATE TABLE media_urls (
        hash       TEXT PRIMARY KEY,
        url        TEXT NOT NULL,
        -- JSON array: the same file on the publisher's mirrors
        alternates TEXT NOT NULL,
        first_seen TEXT NOT NULL
      ) STRICT, WITHOUT ROWID;
    `,
  },
  {
    version: 9,
    // outputDir "s3://…": the sha256 of each file last PUT, so unchanged bytes are not PUT again.
    sql: `
      CREATE TABLE published_files (
        target TEXT NOT NULL,
        path   TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        PRIMARY KEY (target, path)
      ) STRICT, WITHOUT ROWID;
    `,
  },
];

export const LATEST_VERSION = MIGRATIONS.at(-1)!.version;
