/**
 * The PostgreSQL store's own schema and locks (`npm run test:pg`; the SQLite file's are in
 * store.test.ts): created at the latest shape, migrated once however many workers start at once,
 * a newer schema refused, an unreachable server named without its password, a provisional record
 * adopted as SqliteStore adopts it, and the run lock, which dies with the process holding it.
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { internalId } from '../src/normalize/item-ids.js';
import { openStore, migrateStore } from '../src/store/open-store.js';
import { PG_LATEST_VERSION, PG_MIGRATIONS } from '../src/store/postgres-migrations.js';
import { tryAcquirePostgresRunLock } from '../src/store/postgres-run-lock.js';
import type { Store } from '../src/store/store.js';
import { makeArticle } from './helpers/builders.js';
import { createTestDatabase, dropTestDatabase, ON_POSTGRES, queryDatabase as query } from './helpers/test-store.js';
import { closedPort } from './helpers/closed-port.js';

const T1 = new Date('2024-01-01T00:00:00.000Z');
const T2 = new Date('2024-02-01T00:00:00.000Z');

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function freshDatabase(): Promise<string> {
  const url = await createTestDatabase();
  cleanups.push(() => dropTestDatabase(url));
  return url;
}

async function opened(url: string): Promise<Store> {
  const store = await openStore(url);
  cleanups.push(() => store.close());
  return store;
}

/** Each migration's version, once (versions added by work done in parallel may leave gaps until they are merged). */
const ALL_VERSIONS = PG_MIGRATIONS.map((m) => m.version);
const appliedVersions = (url: string) => query(url, async (sql) => (await sql<{ version: number }[]>`SELECT version FROM schema_migrations ORDER BY version`).map((r) => r.version));

describe.runIf(ON_POSTGRES)('PostgreSQL store: schema', () => {
  it('creates the latest schema in an empty database, and reopens it without change', async () => {
    const url = await freshDatabase();
    expect(await migrateStore(url)).toEqual({ from: 0, to: PG_LATEST_VERSION });
    expect(await appliedVersions(url)).toEqual(ALL_VERSIONS);
    expect(await migrateStore(url)).toEqual({ from: PG_LATEST_VERSION, to: PG_LATEST_VERSION });
    const store = await opened(url);
    expect(await store.countArticles()).toBe(0);
    expect(await appliedVersions(url)).toEqual(ALL_VERSIONS);
  });

  it('ten workers opening a new database at once: one migrates, the others wait for it; every one works', async () => {
    const url = await freshDatabase();
    const stores = await Promise.all(Array.from({ length: 10 }, () => opened(url)));
    await Promise.all(stores.map((store, i) => store.upsertArticles([makeArticle({ id: `w${i}` })], T1)));
    expect(await stores[0]!.countArticles()).toBe(10);
    expect(await appliedVersions(url)).toEqual(ALL_VERSIONS);
  });

  it('refuses a database from a newer feedmirror with a clear error, and leaves it alone', async () => {
    const url = await freshDatabase();
    await migrateStore(url);
    await query(url, (sql) => sql`INSERT INTO schema_migrations (version) VALUES (${PG_LATEST_VERSION + 1})`);
    const error = await openStore(url).then(() => null, (e: unknown) => e);
    expect(error).toMatchObject({ code: 'FM_STORE' });
    expect((error as Error).message).toMatch(new RegExp(`schema version ${PG_LATEST_VERSION + 1}, newer than this feedmirror knows \\(${PG_LATEST_VERSION}\\); upgrade feedmirror$`));
    expect(await appliedVersions(url)).toEqual([...ALL_VERSIONS, PG_LATEST_VERSION + 1]);
  });

  it('a server that does not answer: a store error naming the URL without its password', async () => {
    const port = await closedPort();
    const url = `postgres://feeds:s3cret-pw@127.0.0.1:${port}/feedmirror`;
    const error = await openStore(url).then(() => null, (e: unknown) => e);
    expect(error).toMatchObject({ code: 'FM_STORE' });
    expect((error as Error).message).toMatch(new RegExp(`^store: cannot open postgres://feeds:\\*\\*\\*@127\\.0\\.0\\.1:${port}/feedmirror: .*ECONNREFUSED`));
    expect((error as Error).message).not.toContain('s3cret');
  });
});

describe.runIf(ON_POSTGRES)('PostgreSQL store: a provisional record (as a SQLite store migrated to identity per source has)', () => {
  /** A's record copied to source b as the identity migration copies it: b's own key for it is unknown. */
  async function withProvisionalCopy(): Promise<{ url: string; store: Store }> {
    const url = await freshDatabase();
    const store = await opened(url);
    await store.upsertArticles([feedItem('b', 'copied-key', { url: 'https://news.example/1', title: 'Shared story' })], T1);
    await query(url, (sql) => sql`UPDATE articles SET provisional = true`);
    return { url, store };
  }

  it('is taken over by its source\'s own item found by url, with no second record, and stays taken', async () => {
    const { url, store } = await withProvisionalCopy();
    const own = feedItem('b', 'b-guid-1', { url: 'https://news.example/1', title: 'Shared story, as B has it' });
    expect(await store.upsertArticles([own], T2)).toEqual({ inserted: 0, updated: 1, unchanged: 0 });
    expect((await store.listArticles({ limit: 10 })).map((a) => [a.guid, a.title])).toEqual([['b-guid-1', 'Shared story, as B has it']]);
    expect(await store.upsertArticles([own], T2)).toEqual({ inserted: 0, updated: 0, unchanged: 1 });
    expect(await query(url, (sql) => sql`SELECT provisional FROM articles`)).toEqual([{ provisional: false }]);
  });

  it('is taken over once: a second item of the batch with the same url is an item of its own', async () => {
    const { store } = await withProvisionalCopy();
    const first = feedItem('b', 'b-guid-1', { url: 'https://news.example/1', title: 'First' });
    const second = feedItem('b', 'b-guid-2', { url: 'https://news.example/1', title: 'Second' });
    expect(await store.upsertArticles([first, second], T2)).toEqual({ inserted: 1, updated: 1, unchanged: 0 });
    expect((await store.listArticles({ limit: 10 })).map((a) => a.title).sort()).toEqual(['First', 'Second']);
  });

  it('is not taken over by another source\'s item', async () => {
    const { store } = await withProvisionalCopy();
    expect(await store.upsertArticles([feedItem('c', 'copied-key', { url: 'https://news.example/1' })], T2)).toEqual({ inserted: 1, updated: 0, unchanged: 0 });
  });
});

describe.runIf(ON_POSTGRES)('PostgreSQL store: the run lock', () => {
  it('is held by one run at a time, names its holder, and is free again once released', async () => {
    const url = await freshDatabase();
    const held = await tryAcquirePostgresRunLock(url);
    expect(held.acquired).toBe(true);
    // The holder's name is cut to PostgreSQL's 63 bytes: a long host name loses its end.
    const host = `feedmirror run ${process.pid}@${os.hostname()}`.slice(0, 63).split('@')[1];
    expect(await tryAcquirePostgresRunLock(url)).toMatchObject({ acquired: false, holder: { pid: process.pid, host, startedAt: expect.stringMatching(/^\d{4}-/) } });
    if (held.acquired) await held.lock.release();
    expect(await lockFromAnotherRun(url)).toBe('acquired');
  });

  it('is released by the server when its holder dies (no lock left behind)', async () => {
    const url = await freshDatabase();
    const holder = spawn(process.execPath, ['--input-type=module', '-e', `
      import postgres from 'postgres';
      const sql = postgres(${JSON.stringify(url)}, { max: 1 });
      await sql\`SELECT pg_advisory_lock(${0x666d}, 2)\`;
      process.stdout.write('locked\\n');
      setInterval(() => {}, 1000);`], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] });
    cleanups.push(async () => void holder.kill('SIGKILL'));
    await new Promise((resolve) => holder.stdout.once('data', resolve));
    expect((await tryAcquirePostgresRunLock(url)).acquired).toBe(false);
    holder.kill('SIGKILL');
    await new Promise((resolve) => holder.once('exit', resolve));
    await expect.poll(async () => lockFromAnotherRun(url), { timeout: 10_000 }).toBe('acquired');
  });
});

function feedItem(sourceId: string, key: string, overrides: Parameters<typeof makeArticle>[0] = {}) {
  return makeArticle({ id: internalId(sourceId, key), itemKey: key, guid: key, sourceId, kind: 'feed', ...overrides });
}

/** What another `feedmirror run` would find: takes the lock on a connection of its own and lets it go. */
async function lockFromAnotherRun(url: string): Promise<'acquired' | 'held'> {
  const attempt = await tryAcquirePostgresRunLock(url);
  if (!attempt.acquired) return 'held';
  await attempt.lock.release();
  return 'acquired';
}

