import type postgres from 'postgres';
import type { MigrationOutcome } from './store.js';
import { FeedmirrorError } from '../model/errors.js';

/** Advisory lock keys of feedmirror (pg_advisory_lock(int, int)): its space, then one per use. */
export const LOCK_SPACE = 0x666d; // "fm"
export const MIGRATION_LOCK = 1;
/** Held by a `prune` for its whole length (postgres-run-lock.ts). */
export const RUN_LOCK = 2;
/** Serialises claims on the sources table (postgres-source-queue.ts). */
export const CLAIM_LOCK = 3;
/** Serialises the writing of the site-wide files (index.html, OPML) across the fleet (postgres-output-queue.ts). */
export const SITE_LOCK = 6;

/**
 * Schema history of the PostgreSQL store (its own numbering; SQLite's is in migrations.ts). Each
 * entry runs once, in order; `schema_migrations` records those applied. Never edit an entry that
 * has shipped: add one. The first is the SQLite schema at its latest shape (identity per source),
 * so a PostgreSQL store needs no identity migration.
 *
 * Every text column compares and sorts by bytes (COLLATE "C"), as SQLite does, whatever the
 * database's locale: the order of articles, and so the bytes of the feeds, are the same on both.
 * Item keys, guids and links come from feeds and may be longer than a B-tree entry (about 2.7 kB):
 * items are unique by a hash of their key, and guids and links are found through hash indexes.
 * Later migrations add the fleet's tables (`sources` with claims, then outputs) beside these;
 * source_state is keyed by the same source id.
 */
export const PG_MIGRATIONS: { version: number; sql: string }[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE articles (
        id              text COLLATE "C" PRIMARY KEY,
        source_id       text COLLATE "C" NOT NULL,
        item_key        text COLLATE "C" NOT NULL,
        -- sha256 of item_key (hex), computed by feedmirror: what makes an item unique in its source.
        item_key_sha256 text COLLATE "C" NOT NULL,
        -- Only a record copied from a SQLite store's shared one can be provisional (see migrate-identity.ts).
        provisional     boolean NOT NULL DEFAULT false,
        kind            text COLLATE "C" NOT NULL,
        guid            text COLLATE "C" NOT NULL,
        url             text COLLATE "C",
        published       text COLLATE "C" NOT NULL,
        updated         text COLLATE "C",
        first_seen      text COLLATE "C" NOT NULL,
        content_hash    text COLLATE "C" NOT NULL,
        record_hash     text COLLATE "C" NOT NULL,
        data            text NOT NULL
      );
      CREATE UNIQUE INDEX articles_by_item ON articles (source_id, item_key_sha256);
      CREATE INDEX articles_by_date ON articles (published DESC, id);
      CREATE INDEX articles_by_source_date ON articles (source_id, published DESC, id);
      CREATE INDEX articles_by_guid ON articles USING hash (guid);
      CREATE INDEX articles_by_url ON articles USING hash (url);
      CREATE INDEX articles_provisional ON articles (source_id) WHERE provisional;

      -- Which articles each output has set aside: page 0 = excluded by its filter (not scanned
      -- again until the article or the filter changes), page n >= 1 = sealed in archive page n.
      CREATE TABLE output_members (
        output_id  text COLLATE "C" NOT NULL,
        article_id text COLLATE "C" NOT NULL,
        page       integer NOT NULL,
        PRIMARY KEY (output_id, article_id)
      );
      CREATE INDEX output_members_by_page ON output_members (output_id, page);
      CREATE INDEX output_members_by_article ON output_members (article_id);

      CREATE TABLE source_state (
        source_id  text COLLATE "C" PRIMARY KEY,
        state      text NOT NULL,
        next_fetch text COLLATE "C"
      );

      CREATE TABLE documents (
        key        text COLLATE "C" PRIMARY KEY,
        body       text NOT NULL,
        etag       text,
        modified   text,
        fetched_at text COLLATE "C" NOT NULL
      );

      CREATE TABLE runs (
        id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        started_at  text COLLATE "C" NOT NULL,
        finished_at text COLLATE "C" NOT NULL,
        duration_ms bigint NOT NULL,
        outcome     text NOT NULL,
        summary     text NOT NULL
      );
    `,
  },
  {
    version: 2,
    // The fleet's work queue (src/store/postgres-source-queue.ts): one row per source, which is
    // its own job. next_due_at doubles as the lease of a claimed row (a visibility timeout), and
    // claim_seq fences a completion by a worker whose lease ran out. Fetch state (validators,
    // failures) stays in source_state, written in the same transaction as a completion.
    sql: `
      CREATE TABLE sources (
        id             text COLLATE "C" PRIMARY KEY,
        url            text NOT NULL,
        host           text COLLATE "C" NOT NULL,
        enabled        boolean NOT NULL DEFAULT true,
        disabled_error text,
        next_due_at    timestamptz NOT NULL DEFAULT now(),
        claimed_by     text,
        claimed_at     timestamptz,
        claim_seq      bigint NOT NULL DEFAULT 0,
        claim_attempts integer NOT NULL DEFAULT 0
      );
      CREATE INDEX sources_due ON sources (next_due_at) WHERE enabled;
      CREATE INDEX sources_claimed_by_host ON sources (host) WHERE claimed_by IS NOT NULL;
    `,
  },
  {
    version: 3,
    // Full text (extracted_pages: a page fetched once per item version) and media: "proxy"
    // (media_urls: the only URLs /media/<hash> fetches), as SQLite's migrations 7 and 8.
    sql: `
      CREATE TABLE extracted_pages (
        url          text COLLATE "C" PRIMARY KEY,
        version      text NOT NULL,
        etag         text,
        modified     text,
        fetched_at   text NOT NULL,
        content      text,
        problem_code text,
        problem      text
      );
      CREATE TABLE media_urls (
        hash       text COLLATE "C" PRIMARY KEY,
        url        text NOT NULL,
        alternates text NOT NULL,
        first_seen text NOT NULL
      );
    `,
  },
  {
    version: 4,
    // Fleet-wide chores (src/store/postgres-run-coordinator.ts): one row per node-cron fire key
    // ("<chore>:<fire time>") elects the instance that runs it. A completed fire keeps its row, so
    // an instance whose timer fires late cannot run it again; housekeeping drops old rows.
    // chore_runs records every chore fire that ran: what `status` and the tests read.
    sql: `
      CREATE TABLE cron_fires (
        key          text COLLATE "C" PRIMARY KEY,
        token        text NOT NULL,
        worker_id    text NOT NULL,
        claimed_at   timestamptz NOT NULL DEFAULT now(),
        expires_at   timestamptz NOT NULL,
        completed_at timestamptz
      );
      CREATE INDEX cron_fires_by_expiry ON cron_fires (expires_at);
      CREATE TABLE chore_runs (
        id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        chore       text COLLATE "C" NOT NULL,
        fire_key    text COLLATE "C" NOT NULL,
        worker_id   text NOT NULL,
        started_at  timestamptz NOT NULL,
        finished_at timestamptz NOT NULL,
        outcome     text NOT NULL,
        detail      text
      );
      CREATE INDEX chore_runs_by_chore ON chore_runs (chore, finished_at DESC);
    `,
  },
  {
    version: 5,
    // The workers of a fleet (postgres-fleet.ts), for `status`: who is claiming, since when, and
    // when each last said it was alive. Nothing depends on a row: a claim is given back by its
    // lease, not by a worker's row, so a worker that dies leaves only a stale heartbeat.
    sql: `
      CREATE TABLE workers (
        worker_id    text COLLATE "C" PRIMARY KEY,
        host         text NOT NULL,
        pid          integer NOT NULL,
        started_at   timestamptz NOT NULL DEFAULT now(),
        heartbeat_at timestamptz NOT NULL DEFAULT now(),
        status       text NOT NULL
      );
    `,
  },
  {
    version: 6,
    // The fleet's publish queue (src/store/postgres-output-queue.ts): one row per configured
    // output. Ingest sets `dirty` in the transaction that changes an included source's articles;
    // a publisher claims the row (clearing `dirty`, so a change made meanwhile sets it again)
    // until lease_until, and claim_seq fences its completion. source_ids holds the resolved
    // sources, or '{*}' for every configured one; config_hash what the output was last synced
    // from; summary what the index shows of it, written by the publish that completed.
    sql: `
      CREATE TABLE outputs (
        id                text COLLATE "C" PRIMARY KEY,
        source_ids        text[] NOT NULL,
        config_hash       text NOT NULL,
        dirty             boolean NOT NULL DEFAULT true,
        dirty_since       timestamptz DEFAULT now(),
        claimed_by        text,
        claimed_at        timestamptz,
        lease_until       timestamptz,
        claim_seq         bigint NOT NULL DEFAULT 0,
        last_published_at timestamptz,
        summary           text
      );
      CREATE INDEX outputs_by_source ON outputs USING gin (source_ids);
    `,
  },
  {
    version: 7,
    // outputDir "s3://…": the sha256 of each file last PUT, as SQLite's migration 9.
    sql: `
      CREATE TABLE published_files (
        target text COLLATE "C" NOT NULL,
        path   text COLLATE "C" NOT NULL,
        sha256 text NOT NULL,
        PRIMARY KEY (target, path)
      );
    `,
  },
  {
    version: 8,
    // The claim of due sources (postgres-source-queue.ts, claimDue) as a function, so that a claim
    // is one statement with bound parameters: the fleet's claim lock is taken inside it and held
    // only while the server works (the statement's own transaction ends when it returns), never
    // while a client reads a result and sends the next statement. In turn: the sources whose lease
    // ran out max_attempts times in a row are disabled with stalled_error (returned with it); then
    // up to `batch` of the oldest due sources whose host has fewer than per_host unexpired claims
    // are claimed, counting those taken here in due order. Only the claim_window oldest due rows
    // are ranked (read in due order through sources_due); if that window was full and still gave
    // fewer than `batch`, every due row is looked at once (a host with a long backlog must not
    // starve the others). Custom plans: the window is a value the planner must see, or a generic
    // plan may read every due row.
    sql: `
      CREATE OR REPLACE FUNCTION feedmirror_claim_sources(
        worker text, batch integer, lease_seconds double precision, per_host integer,
        max_attempts integer, stalled_error text, claim_window integer)
      RETURNS TABLE (id text, url text, claim_seq bigint, claim_attempts integer, disabled_error text)
      LANGUAGE plpgsql
      SET plan_cache_mode = force_custom_plan
      AS $claim$
      #variable_conflict use_column
      DECLARE
        wanted integer := batch;
        lim integer := claim_window;
        taken text[] := '{}';
        scanned integer;
        r record;
      BEGIN
        PERFORM pg_advisory_xact_lock(${LOCK_SPACE}, ${CLAIM_LOCK});
        RETURN QUERY
          UPDATE sources s SET enabled = false, disabled_error = stalled_error, claimed_by = NULL, claimed_at = NULL
          WHERE s.enabled AND s.claimed_by IS NOT NULL AND s.next_due_at <= now() AND s.claim_attempts >= max_attempts
          RETURNING s.id, NULL::text, NULL::bigint, NULL::integer, s.disabled_error;
        LOOP
          scanned := 0;
          FOR r IN
            WITH candidates AS MATERIALIZED (
              SELECT s.id, s.host, s.next_due_at FROM sources s
              WHERE s.enabled AND s.next_due_at <= now() AND s.id <> ALL (taken)
              ORDER BY s.next_due_at LIMIT lim
            ), busy AS (
              SELECT s.host, count(*) AS n FROM sources s
              WHERE s.claimed_by IS NOT NULL AND s.next_due_at > now() AND s.host IN (SELECT c.host FROM candidates c) GROUP BY s.host
            ), ranked AS (
              SELECT c.id, c.next_due_at, row_number() OVER (PARTITION BY c.host ORDER BY c.next_due_at, c.id) + coalesce(busy.n, 0) AS load
              FROM candidates c LEFT JOIN busy ON busy.host = c.host
            ), due AS (
              SELECT s.id FROM sources s JOIN ranked rk ON rk.id = s.id WHERE rk.load <= per_host
              ORDER BY rk.next_due_at, rk.id LIMIT wanted FOR UPDATE OF s SKIP LOCKED
            ), claimed AS (
              UPDATE sources s SET next_due_at = now() + make_interval(secs => lease_seconds), claimed_by = worker, claimed_at = now(),
                     claim_seq = s.claim_seq + 1, claim_attempts = s.claim_attempts + 1
              FROM due WHERE s.id = due.id
              RETURNING s.id, s.url, s.claim_seq, s.claim_attempts
            )
            SELECT claimed.*, (SELECT count(*) FROM candidates)::int AS scanned FROM (VALUES (1)) AS one (x) LEFT JOIN claimed ON true
          LOOP
            scanned := r.scanned;
            CONTINUE WHEN r.id IS NULL;
            id := r.id;
            url := r.url;
            claim_seq := r.claim_seq;
            claim_attempts := r.claim_attempts;
            disabled_error := NULL;
            taken := taken || r.id;
            RETURN NEXT;
          END LOOP;
          EXIT WHEN lim IS NULL OR cardinality(taken) >= batch OR scanned < lim;
          wanted := batch - cardinality(taken);
          lim := NULL;
        END LOOP;
      END
      $claim$;
    `,
  },
];

export const PG_LATEST_VERSION = PG_MIGRATIONS.at(-1)!.version;

/**
 * Brings the schema up to date in one transaction, under a transaction-level advisory lock: of
 * several workers starting at once, one migrates and the others wait for it, then find nothing
 * to do. DDL is transactional in PostgreSQL, so a failed migration leaves the schema as it was.
 */
export async function migratePostgres(sql: postgres.Sql, name: string): Promise<MigrationOutcome> {
  return sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(${LOCK_SPACE}::int, ${MIGRATION_LOCK}::int)`;
    const [found] = await tx<{ exists: boolean }[]>`SELECT to_regclass('schema_migrations') IS NOT NULL AS exists`;
    if (!found!.exists) await tx`CREATE TABLE schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`;
    const [row] = await tx<{ version: number }[]>`SELECT coalesce(max(version), 0)::int AS version FROM schema_migrations`;
    const current = row!.version;
    if (current > PG_LATEST_VERSION) {
      throw new FeedmirrorError('FM_STORE', `store: ${name} has schema version ${current}, newer than this feedmirror knows (${PG_LATEST_VERSION}); upgrade feedmirror`);
    }
    for (const migration of PG_MIGRATIONS.filter((m) => m.version > current)) {
      await tx.unsafe(migration.sql);
      await tx`INSERT INTO schema_migrations (version) VALUES (${migration.version})`;
    }
    return { from: current, to: PG_LATEST_VERSION };
  });
}
