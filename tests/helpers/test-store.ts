/**
 * The store a test uses, on the engine the suite runs on: SQLite files by default, or with
 * FEEDMIRROR_TEST_STORE=postgres (`npm run test:pg`) a fresh PostgreSQL database where a test
 * would use a SQLite file (tests/postgres-setup.ts provides the server). Also what tests read
 * from a store, whichever engine holds it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import Database from 'better-sqlite3';
import postgres from 'postgres';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, inject } from 'vitest';
import { isPostgresUrl } from '../../src/lib/database-url.js';
import { openStore } from '../../src/store/open-store.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import { tryAcquirePostgresRunLock } from '../../src/store/postgres-run-lock.js';
import { queryDatabase } from './postgres-query.js';
import type { Store } from '../../src/store/store.js';

export { queryDatabase };

export const ON_POSTGRES = process.env.FEEDMIRROR_TEST_STORE === 'postgres';


let admin: postgres.Sql | null = null;

/** One connection to the maintenance database per test process, closed when idle so no handle keeps it alive. */
function adminSql(): postgres.Sql {
  admin ??= postgres(inject('postgresUrl'), { max: 1, idle_timeout: 1, onnotice: () => undefined });
  return admin;
}

/** A new empty database on the test server, as a URL. */
export async function createTestDatabase(): Promise<string> {
  const name = `${inject('postgresPrefix')}${randomBytes(6).toString('hex')}`;
  // FILE_COPY: a copy of the template's files, several times faster than the default for an empty database.
  await adminSql()`CREATE DATABASE ${adminSql()(name)} STRATEGY FILE_COPY`;
  const url = new URL(inject('postgresUrl'));
  url.pathname = `/${name}`;
  return url.toString();
}

/** Drops a database made by createTestDatabase (its connections are ended first). */
export async function dropTestDatabase(database: string): Promise<void> {
  if (!isPostgresUrl(database)) return;
  const name = new URL(database).pathname.slice(1);
  await adminSql()`DROP DATABASE IF EXISTS ${adminSql()(name)} WITH (FORCE)`;
}

const databases = new Map<string, Promise<string>>();

/**
 * Where a test would use the SQLite file `file`: that file, or on the PostgreSQL pass a database
 * of its own, the same one each time the same path is asked for (a store closed and opened again).
 */
export function testDatabase(file: string): Promise<string> {
  if (!ON_POSTGRES) return Promise.resolve(file);
  let database = databases.get(file);
  if (!database) {
    database = createTestDatabase();
    databases.set(file, database);
  }
  return database;
}

/**
 * The store of testDatabase(file), to be used at once as openSqliteStore(file) is: on PostgreSQL
 * each call waits for the store to open, and the first one reports a failure to open.
 */
export function openTestStore(file: string): Store {
  if (!ON_POSTGRES) return openSqliteStore(file);
  const opened = testDatabase(file).then(openStore);
  opened.catch(() => undefined);
  return new Proxy({} as Store, {
    get(_target, name) {
      if (name === 'then') return undefined; // not a promise: `await openTestStore()` is the store itself
      return async (...args: unknown[]) => {
        const store = (await opened) as unknown as Record<PropertyKey, (...a: unknown[]) => unknown>;
        return store[name]!.apply(store, args);
      };
    },
  });
}

/** Whether a run has created the store (the SQLite file, or the schema in the database). */
export async function storeExists(database: string): Promise<boolean> {
  if (!isPostgresUrl(database)) return existsSync(database);
  return queryDatabase(database, async (sql) => (await sql`SELECT to_regclass('schema_migrations') IS NOT NULL AS exists`)[0]!.exists as boolean);
}

/** Runs one statement (`?` placeholders) straight on the store, as a user editing it by hand; how many rows it changed. */
export async function runSql(database: string, statement: string, ...params: (string | number | null)[]): Promise<number> {
  if (isPostgresUrl(database)) {
    let n = 0;
    const text = statement.replace(/\?/g, () => `$${++n}`);
    return queryDatabase(database, async (sql) => (await sql.unsafe(text, params)).count);
  }
  const db = new Database(database);
  try {
    return db.prepare(statement).run(...params).changes;
  } finally {
    db.close();
  }
}

/** Every row of every table as JSON text; '' when there is no store yet. */
export async function dumpStore(database: string): Promise<string> {
  if (!isPostgresUrl(database)) return dumpSqlite(database);
  return queryDatabase(database, async (sql) => {
    const tables = await sql<{ name: string }[]>`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`;
    const parts: string[] = [];
    for (const { name } of tables) parts.push(`--- ${name}\n${JSON.stringify(await sql`SELECT * FROM ${sql(name)} t ORDER BY t::text`)}`);
    return parts.join('\n');
  });
}

function dumpSqlite(file: string): string {
  if (!existsSync(file)) return '';
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[];
    return tables.map(({ name }) => `--- ${name}\n${JSON.stringify(db.prepare(`SELECT * FROM "${name}"`).all())}`).join('\n');
  } finally {
    db.close();
  }
}

/**
 * Everything stored, as text to search for what must never be kept (a password): the SQLite
 * file's bytes as latin1, free pages included, or every row of a PostgreSQL database; '' when
 * there is no store yet.
 */
export async function storedText(database: string): Promise<string> {
  if (isPostgresUrl(database)) return dumpStore(database);
  return existsSync(database) ? readFile(database, 'latin1') : '';
}

/**
 * Whether no run holds the store's run lock: no lock file beside the SQLite file, or on
 * PostgreSQL the advisory lock free (taken and given back at once).
 */
export async function runLockIsFree(database: string): Promise<boolean> {
  if (!isPostgresUrl(database)) return !existsSync(`${database}.lock`);
  const attempt = await tryAcquirePostgresRunLock(database);
  if (attempt.acquired) await attempt.lock.release();
  return attempt.acquired;
}

/**
 * Whether no run holds anything in the store: runLockIsFree, and on PostgreSQL, where runs share
 * the work through claims instead of the lock, no source and no output left claimed.
 */
export async function nothingHeld(database: string): Promise<boolean> {
  if (!(await runLockIsFree(database))) return false;
  if (!isPostgresUrl(database)) return true;
  return queryDatabase(database, async (sql) => {
    const [row] = await sql`SELECT (SELECT count(*) FROM sources WHERE claimed_by IS NOT NULL) + (SELECT count(*) FROM outputs WHERE claimed_by IS NOT NULL) AS held`;
    return Number(row!.held) === 0;
  });
}

/**
 * The next tick of schedule.cron, brought forward to now. On SQLite every run fetches a source
 * that has no interval, schedule, back-off or Retry-After to wait out, so this does nothing there;
 * on PostgreSQL such a source is due again only at the next tick (README, `run` and `daemon` on
 * PostgreSQL), which is when cron would start the next run: those sources become due now, the
 * others keep their time. For tests that run twice in a row as a user's cron would.
 */
export async function scheduleTick(database: string): Promise<void> {
  if (!isPostgresUrl(database)) return;
  await queryDatabase(database, async (sql) => {
    if (!(await sql`SELECT to_regclass('sources') IS NOT NULL AS exists`)[0]!.exists) return;
    await sql`
      UPDATE sources s SET next_due_at = now()
      WHERE claimed_by IS NULL AND next_due_at > now()
        AND NOT EXISTS (SELECT 1 FROM source_state st WHERE st.source_id = s.id AND st.next_fetch IS NOT NULL AND st.next_fetch::timestamptz > now())`;
  });
}

/** A hash that changes whenever anything stored does: the SQLite file's bytes, or a PostgreSQL database's rows. */
export async function storeFingerprint(database: string): Promise<string> {
  const content = isPostgresUrl(database) ? await dumpStore(database) : await readFile(database);
  return createHash('sha256').update(content).digest('hex');
}

export interface StoreHealth {
  integrity: string;
  ids: string[];
}

/**
 * Opens the store the way the next run would (read-write, so SQLite recovers its WAL after a
 * crash), checks it ("ok" when sound; on PostgreSQL, whose server keeps it whole, that every
 * table reads) and lists the stored article ids.
 */
export async function inspectStore(database: string): Promise<StoreHealth> {
  if (isPostgresUrl(database)) {
    return queryDatabase(database, async (sql) => {
      const [found] = await sql`SELECT to_regclass('articles') IS NOT NULL AS exists`;
      if (!found!.exists) return { integrity: 'ok', ids: [] };
      // every value of every row read on the server, without dumpStore's sort and transfer
      const tables = await sql<{ name: string }[]>`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public'`;
      for (const { name } of tables) await sql`SELECT sum(length(t::text)) FROM ${sql(name)} t`;
      const rows = await sql<{ id: string }[]>`SELECT id FROM articles ORDER BY id`;
      return { integrity: 'ok', ids: rows.map((r) => r.id) };
    });
  }
  if (!existsSync(database)) return { integrity: 'ok', ids: [] };
  const db = new Database(database, { fileMustExist: true });
  try {
    const integrity = (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check).join('; ');
    const hasArticles = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'articles'").get() !== undefined;
    const ids = hasArticles ? (db.prepare('SELECT id FROM articles ORDER BY id').all() as { id: string }[]).map((r) => r.id) : [];
    return { integrity, ids };
  } finally {
    db.close();
  }
}

/** Makes the store unusable for whoever opens it next: garbage in place of the SQLite file, or the database gone. */
export async function breakStore(database: string): Promise<void> {
  if (isPostgresUrl(database)) await dropTestDatabase(database);
  else await writeFile(database, 'this is not an SQLite database, just some bytes in its place. '.repeat(4));
}


/**
 * Stores in a temp folder made before each test and removed after it, every store opened through
 * `open` closed first: `dir()` is the current test's folder.
 */
export function tempStores(prefix: string): { dir(): string; open(file?: string): Store } {
  let folder = '';
  const opened: Store[] = [];
  beforeEach(async () => {
    folder = await mkdtemp(path.join(os.tmpdir(), prefix));
  });
  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close();
    await rm(folder, { recursive: true, force: true });
  });
  return {
    dir: () => folder,
    open(file = path.join(folder, 'feedmirror.db')) {
      const store = openTestStore(file);
      opened.push(store);
      return store;
    },
  };
}

/** `use` with one connection of its own to the PostgreSQL database `url`, ended afterwards. */
