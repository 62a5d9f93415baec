import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { LATEST_VERSION } from '../src/store/migrations.js';
import type { Store } from '../src/store/store.js';
import { FeedmirrorError } from '../src/model/errors.js';
import { ON_POSTGRES, tempStores } from './helpers/test-store.js';
import { makeArticle } from './helpers/builders.js';
import { emptySourceState } from '../src/model/source-state.js';

const T1 = new Date('2024-01-01T00:00:00.000Z');
const T2 = new Date('2024-02-01T00:00:00.000Z');
const T3 = new Date('2024-03-01T00:00:00.000Z');

const stores = tempStores('feedmirror-store-');
const openStore = (file?: string): Store => stores.open(file);

function userVersion(file: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return db.pragma('user_version', { simple: true }) as number;
  } finally {
    db.close();
  }
}

/** ISO dates one day apart, starting 2020-01-01, so article i is older than article i+1. */
const day = (i: number) => new Date(Date.UTC(2020, 0, 1 + i, 12)).toISOString();

// The file and its user_version; the PostgreSQL schema has its own tests (store-postgres.test.ts).
describe.skipIf(ON_POSTGRES)('SQLite store: file and schema', () => {
  it('creates the database file, and its missing parent folders, on first open', async () => {
    const file = path.join(stores.dir(), 'not', 'yet', 'there', 'feedmirror.db');
    const store = openStore(file);
    expect(existsSync(file)).toBe(true);
    expect(await store.countArticles()).toBe(0);
  });

  it('sets user_version to the latest migration', async () => {
    const file = path.join(stores.dir(), 'feedmirror.db');
    await openStore(file).close();
    expect(LATEST_VERSION).toBeGreaterThanOrEqual(1);
    expect(userVersion(file)).toBe(LATEST_VERSION);
  });

  it('migrates an existing empty database (user_version 0) and reopens a migrated one without change', async () => {
    const file = path.join(stores.dir(), 'feedmirror.db');
    new Database(file).close();
    expect(userVersion(file)).toBe(0);
    await openStore(file).close();
    expect(userVersion(file)).toBe(LATEST_VERSION);
    await openStore(file).close();
    expect(userVersion(file)).toBe(LATEST_VERSION);
  });

  it('refuses a database from a newer feedmirror with a clear error, and leaves it alone', async () => {
    const file = path.join(stores.dir(), 'future.db');
    const db = new Database(file);
    db.pragma(`user_version = ${LATEST_VERSION + 1}`);
    db.close();
    let error: unknown;
    try {
      openStore(file);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FeedmirrorError);
    expect(error).toMatchObject({ code: 'FM_STORE', stage: 'store' });
    const message = (error as Error).message;
    expect(message).toContain(file);
    expect(message).toContain(`schema version ${LATEST_VERSION + 1}`);
    expect(message).toMatch(/newer/);
    expect(message).toMatch(/upgrade feedmirror/);
    expect(userVersion(file)).toBe(LATEST_VERSION + 1);
  });

  it('names what is in the way when it cannot be opened at all (its folder is a regular file)', async () => {
    const blocker = path.join(stores.dir(), 'blocker');
    await writeFile(blocker, 'not a folder');
    const file = path.join(blocker, 'feedmirror.db');
    expect(() => openStore(file)).toThrow(expect.objectContaining({ code: 'FM_STORE' }));
    expect(() => openStore(file)).toThrow(`database: ${blocker} is a file, not a folder`);
  });
});

describe('store: records kept', () => {
  it('keeps the data across close and reopen', async () => {
    const file = path.join(stores.dir(), 'feedmirror.db');
    const first = openStore(file);
    const article = makeArticle({ id: 'kept', publisher: { name: 'Press TV', hosts: ['www.presstv.co.uk'] } });
    await first.upsertArticles([article], T1);
    await first.close();
    const second = openStore(file);
    const [stored] = await second.listArticles({ limit: 10 });
    expect(stored).toEqual({ ...article, firstSeen: T1.toISOString(), urlIsUnique: true, recordHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it('gives each stored record a hash that changes when the record does, and only then', async () => {
    const store = openStore(path.join(stores.dir(), 'feedmirror.db'));
    const article = makeArticle({ id: 'hashed' });
    await store.upsertArticles([article], T1);
    const [first] = await store.listArticles({ limit: 10 });
    await store.upsertArticles([article], T1);
    const [same] = await store.listArticles({ limit: 10 });
    await store.upsertArticles([{ ...article, title: 'Retitled' }], T1);
    const [changed] = await store.getArticlesByIds(['hashed']);
    await store.close();
    expect(same!.recordHash).toBe(first!.recordHash);
    expect(changed!.recordHash).not.toBe(first!.recordHash);
  });
});

describe('SQLite store: upsert', () => {
  it('inserts a new article and reports it', async () => {
    const store = openStore();
    expect(await store.upsertArticles([makeArticle({ id: 'a' }), makeArticle({ id: 'b' })], T1)).toEqual({ inserted: 2, updated: 0, unchanged: 0 });
    expect(await store.countArticles()).toBe(2);
  });

  it('reports an identical article as unchanged and leaves it as it was', async () => {
    const store = openStore();
    await store.upsertArticles([makeArticle({ id: 'a' })], T1);
    expect(await store.upsertArticles([makeArticle({ id: 'a' })], T2)).toEqual({ inserted: 0, updated: 0, unchanged: 1 });
    const [stored] = await store.listArticles({ limit: 10 });
    expect(stored!.firstSeen).toBe(T1.toISOString());
    expect(stored!.updated).toBeNull();
  });

  it('keeps the id of an article whose content changed and sets `updated` to the given now', async () => {
    const store = openStore();
    await store.upsertArticles([makeArticle({ id: 'a', contentHtml: '<p>first version</p>' })], T1);
    const changed = makeArticle({ id: 'a', contentHtml: '<p>second version</p>' });
    expect(await store.upsertArticles([changed], T2)).toEqual({ inserted: 0, updated: 1, unchanged: 0 });
    const all = await store.listArticles({ limit: 10 });
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ id: 'a', contentHtml: '<p>second version</p>', contentHash: changed.contentHash, updated: T2.toISOString(), firstSeen: T1.toISOString() });
  });

  it('moves `updated` again on the next content change, and keeps it when only metadata changes', async () => {
    const store = openStore();
    await store.upsertArticles([makeArticle({ id: 'a', title: 'one' })], T1);
    await store.upsertArticles([makeArticle({ id: 'a', title: 'two' })], T2);
    await store.upsertArticles([makeArticle({ id: 'a', title: 'three' })], T3);
    expect((await store.listArticles({ limit: 1 }))[0]!.updated).toBe(T3.toISOString());
    const mirrorsOnly = makeArticle({ id: 'a', title: 'three', mirrors: [{ url: 'https://m.example.net/articles/a.html', kind: 'https', origin: 'site' }] });
    expect(await store.upsertArticles([mirrorsOnly], new Date('2024-04-01T00:00:00Z'))).toEqual({ inserted: 0, updated: 1, unchanged: 0 });
    const [stored] = await store.listArticles({ limit: 1 });
    expect(stored!.mirrors).toEqual(mirrorsOnly.mirrors);
    expect(stored!.updated).toBe(T3.toISOString());
  });

  it('keeps a later `updated` declared by the source over now', async () => {
    const store = openStore();
    await store.upsertArticles([makeArticle({ id: 'a', title: 'one' })], T1);
    await store.upsertArticles([makeArticle({ id: 'a', title: 'two', updated: '2030-01-01T00:00:00.000Z' })], T2);
    expect((await store.listArticles({ limit: 1 }))[0]!.updated).toBe('2030-01-01T00:00:00.000Z');
  });

  it('writes a batch in one transaction: a failing article leaves none of the batch behind', async () => {
    const store = openStore();
    const broken = makeArticle({ id: 'broken' });
    (broken as { published: unknown }).published = null; // violates NOT NULL
    await expect(store.upsertArticles([makeArticle({ id: 'ok' }), broken], T1)).rejects.toThrow();
    expect(await store.countArticles()).toBe(0);
  });
});

describe('SQLite store: history and listing', () => {
  it('keeps every article beyond a listing limit', async () => {
    const store = openStore();
    const articles = Array.from({ length: 30 }, (_, i) => makeArticle({ id: `a${String(i).padStart(2, '0')}`, published: day(i) }));
    expect(await store.upsertArticles(articles, T1)).toEqual({ inserted: 30, updated: 0, unchanged: 0 });
    const newest = await store.listArticles({ limit: 10 });
    expect(newest.map((a) => a.id)).toEqual(['a29', 'a28', 'a27', 'a26', 'a25', 'a24', 'a23', 'a22', 'a21', 'a20']);
    expect(await store.countArticles()).toBe(30);
    // a later run with only the newest items in its feed does not forget the others
    await store.upsertArticles(articles.slice(25), T2);
    expect(await store.countArticles()).toBe(30);
    expect((await store.listArticles({ limit: 10, offset: 25 })).map((a) => a.id)).toEqual(['a04', 'a03', 'a02', 'a01', 'a00']);
  });

  it('lists newest first whatever the insertion order, ties by id', async () => {
    const store = openStore();
    const order = [3, 0, 4, 1, 2];
    await store.upsertArticles(order.map((i) => makeArticle({ id: `d${i}`, published: day(i) })), T1);
    await store.upsertArticles([makeArticle({ id: 'd4b', published: day(4) })], T2);
    expect((await store.listArticles({ limit: 10 })).map((a) => a.id)).toEqual(['d4', 'd4b', 'd3', 'd2', 'd1', 'd0']);
  });

  it('filters by source ids', async () => {
    const store = openStore();
    await store.upsertArticles(
      [
        makeArticle({ id: 's1', sourceId: 'seeds', published: day(1) }),
        makeArticle({ id: 'f1', sourceId: 'feed-a', kind: 'feed', published: day(2) }),
        makeArticle({ id: 'f2', sourceId: 'feed-b', kind: 'feed', published: day(3) }),
        makeArticle({ id: 'f3', sourceId: 'feed-a', kind: 'feed', published: day(4) }),
      ],
      T1,
    );
    expect((await store.listArticles({ sourceIds: ['feed-a'], limit: 10 })).map((a) => a.id)).toEqual(['f3', 'f1']);
    expect((await store.listArticles({ sourceIds: ['feed-a', 'seeds'], limit: 10 })).map((a) => a.id)).toEqual(['f3', 'f1', 's1']);
    expect(await store.listArticles({ sourceIds: ['nope'], limit: 10 })).toEqual([]);
    expect(await store.listArticles({ sourceIds: [], limit: 10 })).toEqual([]);
    expect(await store.countArticles(['feed-a'])).toBe(2);
    expect(await store.countArticlesBySource(['feed-a', 'feed-b', 'seeds', 'never-fetched'])).toEqual(
      new Map([['feed-a', 2], ['feed-b', 1], ['seeds', 1], ['never-fetched', 0]]),
    );
    const [seed] = await store.listArticles({ sourceIds: ['seeds'], limit: 10 });
    expect(seed!.sourceId).toEqual('seeds');
  });

  it('saves many source states in one call, readable after reopening, the newest state of a source winning', async () => {
    const store = openStore();
    const states = Array.from({ length: 250 }, (_, i) => ({ ...emptySourceState(`src-${i}`), etag: `"e${i}"`, failures: i % 3 }));
    await store.saveSourceStates(states);
    await store.saveSourceStates([{ ...states[7]!, etag: '"newer"' }]);
    await store.close();
    const reopened = openStore();
    const read = await reopened.getSourceStates();
    expect(read.size).toBe(250);
    expect(read.get('src-7')!.etag).toBe('"newer"');
    expect(read.get('src-249')).toEqual(states[249]);
    await reopened.close();
  });
});

describe('store: pruneArticles (retention), on either engine', () => {
  const feedArticle = (n: number, sourceId = 'news') =>
    makeArticle({ id: `${sourceId}-${n}`, sourceId, kind: 'feed', url: `https://news.example/${sourceId}/${n}`, published: `2020-01-0${n}T12:00:00.000Z` });

  it('keeps the newest N per source, never a seed article nor one a sealed archive page holds; a dry run removes nothing; the version goes up only when something went', async () => {
    const store = openStore();
    await store.upsertArticles([1, 2, 3, 4, 5].map((n) => feedArticle(n)), new Date('2020-02-01T00:00:00Z'));
    await store.upsertArticles([1, 2, 3].map((n) => feedArticle(n, 'other')), new Date('2020-02-01T00:00:00Z'));
    await store.upsertArticles([makeArticle({ id: 'seed-1', published: '2000-01-01T00:00:00.000Z' })], new Date('2020-02-01T00:00:00Z'));
    await store.sealArchivePages('all', [{ page: 1, articleIds: ['news-1'] }]);
    const policy = { sourceIds: ['news', 'other', 'seeds'], publishedBefore: null, keepPerSource: 2, apply: false };
    const version = await store.getVersion();

    expect([...(await store.pruneArticles(policy))].sort()).toEqual([['news', 2], ['other', 1]]);
    expect(await store.countArticles()).toBe(9);
    expect(await store.getVersion()).toBe(version);

    await store.pruneArticles({ ...policy, apply: true });
    expect((await store.listArticles({ limit: 100 })).map((a) => a.id).sort()).toEqual(['news-1', 'news-4', 'news-5', 'other-2', 'other-3', 'seed-1']);
    expect(await store.getVersion()).toBe(version + 1);
    expect(await store.pruneArticles({ ...policy, apply: true })).toEqual(new Map());
    expect(await store.getVersion()).toBe(version + 1);

    // by age: published before the cutoff, the sealed one still kept
    expect([...(await store.pruneArticles({ ...policy, keepPerSource: null, publishedBefore: '2020-01-05T00:00:00.000Z', apply: true }))].sort()).toEqual([['news', 1], ['other', 2]]);
    expect((await store.listArticles({ limit: 100 })).map((a) => a.id).sort()).toEqual(['news-1', 'news-5', 'seed-1']);
    await store.close();
  });

  it('applies the age and count limits together (either drops), only to the sources named, and forgets what an output excluded of what it removed', async () => {
    const store = openStore();
    const now = new Date('2020-02-01T00:00:00Z');
    await store.upsertArticles([1, 2, 3, 4, 5].map((n) => feedArticle(n)), now);
    await store.upsertArticles([1, 2].map((n) => feedArticle(n, 'kept')), now);
    await store.excludeFromOutput('filtered', ['news-1', 'news-5']);
    const policy = { sourceIds: ['news', 'not-stored'], publishedBefore: '2020-01-02T12:00:00.000Z', keepPerSource: 3, apply: true };

    // count drops 1 and 2, age drops 1 (2 is at the cutoff, not before it): each article counted once
    expect(await store.pruneArticles(policy)).toEqual(new Map([['news', 2]]));
    expect((await store.listArticles({ limit: 100 })).map((a) => a.id).sort()).toEqual(['kept-1', 'kept-2', 'news-3', 'news-4', 'news-5']);
    expect(await store.pruneArticles({ ...policy, sourceIds: [] })).toEqual(new Map());

    // stored again after it went, an article is new to the output that had excluded it
    await store.upsertArticles([feedArticle(1)], now);
    const shown = await store.listArticles({ sourceIds: ['news'], limit: 100, notSetAsideBy: 'filtered' });
    expect(shown.map((a) => a.id).sort()).toEqual(['news-1', 'news-3', 'news-4']);
    await store.close();
  });
});
