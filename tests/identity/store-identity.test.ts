import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../src/store/migrations.js';
import type { Store } from '../../src/store/store.js';
import { ON_POSTGRES, tempStores } from '../helpers/test-store.js';
import { internalId } from '../../src/normalize/item-ids.js';
import { makeArticle } from '../helpers/builders.js';

const T1 = new Date('2024-01-01T00:00:00.000Z');
const T2 = new Date('2024-02-01T00:00:00.000Z');

const stores = tempStores('feedmirror-identity-');
const openStore = (file?: string): Store => stores.open(file);

/** A feed item as the normalizer makes it: keyed inside its source by its guid. */
function feedItem(sourceId: string, guid: string, overrides: Parameters<typeof makeArticle>[0] = {}) {
  return makeArticle({ id: internalId(sourceId, guid), itemKey: guid, guid, sourceId, kind: 'feed', url: `https://news.example/${encodeURIComponent(guid)}`, ...overrides });
}

describe('store identity: what a source served belongs to that source', () => {
  it('two sources serving the same guid keep two records, and neither changes the other', async () => {
    const store = openStore();
    const guid = 'https://news.example/story-1';
    await store.upsertArticles([feedItem('trusted', guid, { title: 'The real story' })], T1);
    await store.upsertArticles([feedItem('evil', guid, { title: 'Hijacked', contentHtml: '<p>evil</p>' })], T2);
    await store.upsertArticles([feedItem('trusted', guid, { title: 'The real story, corrected' })], T2);
    const trusted = await store.listArticles({ sourceIds: ['trusted'], limit: 10 });
    const evil = await store.listArticles({ sourceIds: ['evil'], limit: 10 });
    expect(trusted.map((a) => a.title)).toEqual(['The real story, corrected']);
    expect(trusted[0]!.contentHtml).not.toContain('evil');
    expect(evil.map((a) => a.title)).toEqual(['Hijacked']);
    expect(trusted[0]!.id).not.toBe(evil[0]!.id);
    expect(await store.countArticlesBySource(['trusted', 'evil'])).toEqual(new Map([['trusted', 1], ['evil', 1]]));
  });

  it('an article whose id another source\'s record holds is stored under an id of its own, never over it', async () => {
    const store = openStore();
    await store.upsertArticles([makeArticle({ id: 'news', itemKey: 'news', sourceId: 'a', title: 'A news' })], T1);
    const summary = await store.upsertArticles([makeArticle({ id: 'news', itemKey: 'news', sourceId: 'b', title: 'B news' })], T1);
    expect(summary.inserted).toBe(1);
    const all = await store.listArticles({ limit: 10 });
    expect(all.map((a) => `${a.sourceId}:${a.title}`).sort()).toEqual(['a:A news', 'b:B news']);
    expect(new Set(all.map((a) => a.id)).size).toBe(2);
    expect(await store.articleOwners(['news', 'nothing'])).toEqual(new Map([['news', 'a']]));
  });

  it('says whether an url names one article of its source', async () => {
    const store = openStore();
    const home = 'https://podcast.example/';
    await store.upsertArticles(
      [
        feedItem('pod', 'ep-1', { url: home, published: '2024-01-01T00:00:00.000Z' }),
        feedItem('pod', 'ep-2', { url: home, published: '2024-01-02T00:00:00.000Z' }),
        feedItem('pod', 'ep-3', { url: 'https://podcast.example/ep-3', published: '2024-01-03T00:00:00.000Z' }),
        feedItem('other', 'x', { url: home }),
      ],
      T1,
    );
    const pod = await store.listArticles({ sourceIds: ['pod'], limit: 10 });
    expect(pod.map((a) => [a.itemKey, a.urlIsUnique])).toEqual([['ep-3', true], ['ep-2', false], ['ep-1', false]]);
    expect((await store.listArticles({ sourceIds: ['other'], limit: 10 }))[0]!.urlIsUnique).toBe(true);
  });
});

/** A store as feedmirror left it before identity per source (schema 5), with one article shared by two sources. */
function schema5Store(file: string): void {
  const db = new Database(file);
  for (const migration of MIGRATIONS.filter((m) => m.version <= 5)) db.exec(migration.sql);
  db.pragma('user_version = 5');
  const insert = db.prepare(
    `INSERT INTO articles (id, source_id, guid, url, published, updated, first_seen, content_hash, record_hash, data) VALUES (?, ?, ?, ?, ?, NULL, ?, 'c', 'r', ?)`,
  );
  const link = db.prepare('INSERT INTO article_sources (source_id, article_id) VALUES (?, ?)');
  const row = (id: string, source: string, guid: string, url: string, title: string, kind = 'feed') => {
    const data = JSON.stringify({ ...makeArticle({ id, sourceId: source, guid, url, title, kind: kind as 'feed' }), itemKey: undefined });
    insert.run(id, source, guid, url, '2024-01-01T00:00:00.000Z', '2024-01-01T00:00:00.000Z', data);
    link.run(source, id);
  };
  row('shared0000', 'a', 'https://news.example/1', 'https://news.example/1', 'Shared story');
  link.run('b', 'shared0000');
  row('aonly00000', 'a', 'https://news.example/2', 'https://news.example/2', 'Only in A');
  row('seedid', 'seeds', 'urn:feedmirror:seed:seedid', 'https://feeds.example.org/articles/seedid.html', 'A seed', 'seed');
  // An output that archived the shared article in page 1.
  db.prepare(`INSERT INTO output_members (output_id, article_id, page) VALUES ('only-b', 'shared0000', 1)`).run();
  db.prepare(`INSERT INTO source_state (source_id, state, next_fetch) VALUES ('b', ?, NULL)`).run(JSON.stringify({ sourceId: 'b', etag: '"v1"', lastModified: 'x' }));
  db.prepare(`INSERT INTO documents (key, body, fetched_at) VALUES ('harvest:b', '{}', '')`).run();
  db.close();
}

// A SQLite store of schema 5; a PostgreSQL store is created at the latest shape (store-postgres.test.ts).
describe.skipIf(ON_POSTGRES)('store identity: migrating a store made before it', () => {
  it('gives each source that shared an article a record of its own, losing nothing, and has that source read again', async () => {
    const file = path.join(stores.dir(), 'old.db');
    schema5Store(file);
    const store = openStore(file);
    const a = await store.listArticles({ sourceIds: ['a'], limit: 10 });
    const b = await store.listArticles({ sourceIds: ['b'], limit: 10 });
    expect(a.map((x) => x.title).sort()).toEqual(['Only in A', 'Shared story']);
    expect(b.map((x) => x.title)).toEqual(['Shared story']);
    // The published id stays what readers know; the record is b's own.
    expect(b[0]!.guid).toBe('https://news.example/1');
    expect(b[0]!.sourceId).toBe('b');
    expect(b[0]!.id).not.toBe('shared0000');
    expect(a.find((x) => x.title === 'Shared story')!.id).toBe('shared0000');
    const seeds = await store.listArticles({ sourceIds: ['seeds'], limit: 10 });
    expect(seeds.map((x) => [x.id, x.itemKey])).toEqual([['seedid', 'seedid']]);
    // What only-b archived stays out of its feed in b's copy too.
    expect(await store.listArticles({ sourceIds: ['b'], limit: 10, notSetAsideBy: 'only-b' })).toEqual([]);
    expect(await store.getArchivePages('only-b')).toEqual([{ page: 1, articleIds: ['shared0000'] }]);
    // b is fetched and read in full on the next run.
    expect((await store.getSourceStates()).get('b')).toMatchObject({ etag: null, lastModified: null });
    expect(await store.getDocument('harvest:b')).toBeNull();
  });

  it('lets the copied record be taken over by its source\'s own item, found by url, with no second record', async () => {
    const file = path.join(stores.dir(), 'old.db');
    schema5Store(file);
    const store = openStore(file);
    // b's own item had another guid than a's: it was linked to a's record by its url.
    await store.upsertArticles([feedItem('b', 'b-guid-1', { url: 'https://news.example/1', title: 'Shared story, as B has it' })], T2);
    const b = await store.listArticles({ sourceIds: ['b'], limit: 10 });
    expect(b.map((x) => [x.guid, x.title])).toEqual([['b-guid-1', 'Shared story, as B has it']]);
    // Taken over for good: the next harvest finds it by its key.
    expect((await store.upsertArticles([feedItem('b', 'b-guid-1', { url: 'https://news.example/1', title: 'Shared story, as B has it' })], T2)).unchanged).toBe(1);
  });
});
