/**
 * What feeds put in the store that one engine holds more easily than the other: U+0000 (which
 * PostgreSQL text cannot hold), keys and links longer than a B-tree entry, ids that sort
 * differently under a language's collation, and batches that touch one record twice. Both
 * engines must answer the same (run on PostgreSQL with `npm run test:pg`).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { internalId } from '../src/normalize/item-ids.js';
import type { Store } from '../src/store/store.js';
import { makeArticle } from './helpers/builders.js';
import { openTestStore } from './helpers/test-store.js';

const T1 = new Date('2024-01-01T00:00:00.000Z');
const T2 = new Date('2024-02-01T00:00:00.000Z');

let dir: string;
let store: Store;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'feedmirror-values-'));
  store = openTestStore(path.join(dir, 'feedmirror.db'));
});
afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

/** A feed item as the normalizer makes it: its id drawn from its source and key, as ids always are. */
function feedItem(sourceId: string, key: string, overrides: Parameters<typeof makeArticle>[0] = {}) {
  return makeArticle({ id: internalId(sourceId, key), itemKey: key, guid: key, sourceId, kind: 'feed', url: `https://news.example/${key.length}`, ...overrides });
}

describe('store values: what a feed may send', () => {
  const KEYS = [
    ['a NUL in the guid', 'urn:x:a\u0000b'],
    ['a guid that starts like the store\'s own escape', '\u0001json:"x"'],
    ['a guid of 10,000 characters', `urn:long:${'x'.repeat(10_000)}`],
    ['a guid of 3,000 random-looking characters', Array.from({ length: 3000 }, (_, i) => String.fromCharCode(0x4e00 + ((i * 7919) % 20_000))).join('')],
  ] as const;

  for (const [name, key] of KEYS) {
    it(`${name}: stored as sent, found again by its key, and by its guid across sources`, async () => {
      const url = `https://news.example/${encodeURIComponent(key).slice(0, 50)}\u0000/${'p'.repeat(3000)}`;
      expect(await store.upsertArticles([feedItem('a', key, { url })], T1)).toEqual({ inserted: 1, updated: 0, unchanged: 0 });
      expect(await store.upsertArticles([feedItem('a', key, { url })], T2)).toEqual({ inserted: 0, updated: 0, unchanged: 1 });
      expect(await store.upsertArticles([feedItem('a', key, { url, title: 'Retitled' })], T2)).toEqual({ inserted: 0, updated: 1, unchanged: 0 });
      const [stored] = await store.listArticles({ limit: 10 });
      expect(stored).toMatchObject({ guid: key, itemKey: key, url, title: 'Retitled' });
      const copies = await store.findDuplicates({ outputId: 'all', guids: [key], urls: [] });
      expect(copies.map((c) => [c.sourceId, c.guid, c.url])).toEqual([['a', key, url]]);
      expect((await store.findDuplicates({ outputId: 'all', guids: [], urls: [url] })).map((c) => c.id)).toEqual([stored!.id]);
    });
  }

  it('a document body with NUL and control characters comes back byte for byte', async () => {
    const body = 'mirror list \u0000 with \u0001 controls \ud83d\ude00 and \\ backslashes';
    await store.saveDocument('mirror-list:x', { body, etag: '"e\u0000"', lastModified: null, fetchedAt: T1.toISOString() });
    expect(await store.getDocument('mirror-list:x')).toEqual({ body, etag: '"e\u0000"', lastModified: null, fetchedAt: T1.toISOString() });
  });

  it('ties by date are ordered by id byte by byte (upper case before lower case), whatever the database\'s language', async () => {
    const ids = ['b', 'B', 'a', 'A', '_', 'é', 'Z'];
    await store.upsertArticles(ids.map((id) => makeArticle({ id })), T1);
    expect((await store.listArticles({ limit: 10 })).map((a) => a.id)).toEqual(['A', 'B', 'Z', '_', 'a', 'b', 'é']);
  });
});

describe('store values: a batch that touches one record twice', () => {
  it('one item twice in a batch: inserted, then updated by the later copy', async () => {
    const summary = await store.upsertArticles([feedItem('a', 'k', { title: 'First' }), feedItem('a', 'k', { title: 'Second' })], T1);
    expect(summary).toEqual({ inserted: 1, updated: 1, unchanged: 0 });
    expect((await store.listArticles({ limit: 10 })).map((a) => a.title)).toEqual(['Second']);
  });

  it('two sources\' items with one id in a batch: the second gets an id of its own', async () => {
    const summary = await store.upsertArticles([makeArticle({ id: 'same', itemKey: 'same', sourceId: 'a' }), makeArticle({ id: 'same', itemKey: 'same', sourceId: 'b' })], T1);
    expect(summary).toEqual({ inserted: 2, updated: 0, unchanged: 0 });
    const owners = await store.articleOwners(['same']);
    expect(owners).toEqual(new Map([['same', 'a']]));
    expect(new Set((await store.listArticles({ limit: 10 })).map((a) => a.id)).size).toBe(2);
  });

  it('a changed item in a batch clears its exclusion from an output, once the batch is written', async () => {
    await store.upsertArticles([feedItem('a', 'k')], T1);
    const [stored] = await store.listArticles({ limit: 1 });
    await store.excludeFromOutput('filtered', [stored!.id]);
    expect(await store.listArticles({ limit: 10, notSetAsideBy: 'filtered' })).toEqual([]);
    await store.upsertArticles([feedItem('a', 'k', { contentHtml: '<p>changed</p>' }), feedItem('a', 'other')], T2);
    expect((await store.listArticles({ limit: 10, notSetAsideBy: 'filtered' })).map((a) => a.itemKey).sort()).toEqual(['k', 'other']);
  });
});
