import { readFile, readdir, utimes } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FeedFormat } from '../../src/publish/feed-view.js';
import type { PublishOutput } from '../../src/publish/publish-outputs.js';
import { fileTimes, listFiles } from '../helpers/workspace.js';
import { FILE_OF, followArchiveChain, linkHref, readFeedDoc } from './helpers/feed-docs.js';
import { ALL_FORMATS, createPublishHarness, makeItem, makeOutput, SITE_URL, titlesOf, type PublishHarness } from './helpers/harness.js';
import { expectValidTree } from './helpers/validate-tree.js';

/**
 * RFC 5005 archived feeds. "hist" keeps 3 items and seals the rest, oldest first, into pages of 2;
 * "small" has fewer items than its limit; "flat" turns archiving off.
 */
const OUTPUTS: PublishOutput[] = [
  makeOutput({ id: 'hist', title: 'History', sources: ['alpha'], limit: 3, archive: { pageSize: 2 } }),
  makeOutput({ id: 'small', title: 'Small', sources: ['gamma'], limit: 5 }),
  makeOutput({ id: 'flat', title: 'Flat', sources: ['alpha'], limit: 3, archive: false }),
];
const TITLES = titlesOf(OUTPUTS);

/** Item n of alpha is published on January n, 2024: item 1 is the oldest. */
const alphaItem = (n: number, title = `Item ${n}`) => makeItem(`alpha-${n}`, 'alpha', new Date(Date.UTC(2024, 0, n, 12)).toISOString(), { title });
const guid = (n: number) => `https://alpha.example/posts/alpha-${n}`;
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const ARCHIVE_PAST = new Date('2001-02-03T04:05:06.000Z');

let h: PublishHarness;
beforeEach(async () => {
  h = await createPublishHarness();
  await h.add(range(1, 10).map((n) => alphaItem(n)));
  await h.add([makeItem('gamma-1', 'gamma', '2024-01-05T00:00:00.000Z'), makeItem('gamma-2', 'gamma', '2024-01-06T00:00:00.000Z')]);
  await h.publish(OUTPUTS);
});
afterEach(async () => {
  await h.cleanup();
});

async function itemIds(relative: string, format: FeedFormat): Promise<string[]> {
  return (await readFeedDoc(h.file(relative), format)).items.map((i) => i.id);
}

/** Every item reachable from the subscription document, and the documents on the way. */
async function walkChain(format: FeedFormat, root = h.outputDir, siteUrl = SITE_URL, folder = 'hist/') {
  const steps = await followArchiveChain(root, siteUrl, `${folder}${FILE_OF[format]}`, format);
  return { documents: steps.map((s) => s.relative), ids: steps.flatMap((s) => s.doc.items.map((i) => i.id)) };
}

describe('archive pages (limit 3, pageSize 2, 10 items)', () => {
  it('seals the 6 oldest items, two per page, oldest page first; the 4 newest stay in the subscription document', async () => {
    const files = (await listFiles(h.file('hist'))).filter((f) => f.startsWith('archive/'));
    expect(files).toEqual(['1', '2', '3'].flatMap((n) => [`archive/${n}/atom.xml`, `archive/${n}/feed.json`, `archive/${n}/index.html`, `archive/${n}/rss.xml`]));
    for (const format of ALL_FORMATS) {
      // 3 kept by the limit + 1 overflow item, fewer than a page, waiting for the next page to fill
      expect(await itemIds(`hist/${FILE_OF[format]}`, format), format).toEqual([10, 9, 8, 7].map(guid));
      expect(await itemIds(`hist/archive/1/${FILE_OF[format]}`, format), format).toEqual([2, 1].map(guid));
      expect(await itemIds(`hist/archive/2/${FILE_OF[format]}`, format), format).toEqual([4, 3].map(guid));
      expect(await itemIds(`hist/archive/3/${FILE_OF[format]}`, format), format).toEqual([6, 5].map(guid));
    }
    await expectValidTree(h.outputDir, TITLES);
  });

  for (const format of ALL_FORMATS) {
    const via = { rss: 'RSS atom:link rel="prev-archive"', atom: 'Atom link rel="prev-archive"', json: 'JSON Feed next_url' }[format];
    it(`${format}: following ${via} from the subscription document reaches page 1 and every item once`, async () => {
      const chain = await walkChain(format);
      expect(chain.documents).toEqual(['hist/', 'hist/archive/3/', 'hist/archive/2/', 'hist/archive/1/'].map((d) => `${d}${FILE_OF[format]}`));
      expect(chain.ids).toHaveLength(10);
      expect(new Set(chain.ids)).toEqual(new Set(range(1, 10).map(guid)));
    });
  }

  it('pages carry fh:archive and rel="current", never next-archive; the subscription document neither fh:archive nor fh:complete', async () => {
    for (const format of ['rss', 'atom'] as const) {
      const current = await readFeedDoc(h.file(`hist/${FILE_OF[format]}`), format);
      expect({ archive: current.isArchive, complete: current.isComplete, prev: linkHref(current, 'prev-archive') }, format).toEqual({
        archive: false,
        complete: false,
        prev: `${SITE_URL}hist/archive/3/${FILE_OF[format]}`,
      });
      for (const page of [1, 2, 3]) {
        const doc = await readFeedDoc(h.file(`hist/archive/${page}/${FILE_OF[format]}`), format);
        expect(
          { archive: doc.isArchive, complete: doc.isComplete, current: linkHref(doc, 'current'), self: linkHref(doc, 'self'), prev: linkHref(doc, 'prev-archive'), next: linkHref(doc, 'next-archive') },
          `${format} page ${page}`,
        ).toEqual({
          archive: true,
          complete: false,
          current: `${SITE_URL}hist/${FILE_OF[format]}`,
          self: `${SITE_URL}hist/archive/${page}/${FILE_OF[format]}`,
          prev: page > 1 ? `${SITE_URL}hist/archive/${page - 1}/${FILE_OF[format]}` : null,
          next: null,
        });
      }
    }
  });

  it('a feed holding every item says fh:complete and has no archive', async () => {
    for (const format of ['rss', 'atom'] as const) {
      const doc = await readFeedDoc(h.file(`small/${FILE_OF[format]}`), format);
      expect({ complete: doc.isComplete, archive: doc.isArchive, prev: linkHref(doc, 'prev-archive'), items: doc.items.length }, format).toEqual({ complete: true, archive: false, prev: null, items: 2 });
    }
    const json = JSON.parse(await h.read('small/feed.json')) as Record<string, unknown>;
    expect(json.next_url).toBeUndefined();
    expect(await readdir(h.file('small'))).not.toContain('archive');
  });

  it('archive: false keeps exactly `limit` items, writes no archive folder and no history links', async () => {
    expect((await readdir(h.file('flat'))).sort()).toEqual(['atom.xml', 'feed.json', 'index.html', 'rss.xml']);
    for (const format of ALL_FORMATS) {
      const doc = await readFeedDoc(h.file(`flat/${FILE_OF[format]}`), format);
      expect({ ids: doc.items.map((i) => i.id), prev: linkHref(doc, 'prev-archive'), complete: doc.isComplete }, format).toEqual({ ids: [10, 9, 8].map(guid), prev: null, complete: false });
    }
  });
});

describe('archive pages never change', () => {
  async function snapshotPages(): Promise<Map<string, Buffer>> {
    const pages = (await listFiles(h.outputDir)).filter((f) => f.includes('/archive/'));
    // A fixed past mtime: any rewrite would change it, whatever the clock does.
    for (const file of pages) await utimes(h.file(file), ARCHIVE_PAST, ARCHIVE_PAST);
    return new Map(await Promise.all(pages.map(async (f) => [f, await readFile(h.file(f))] as const)));
  }

  async function expectUntouched(pages: Map<string, Buffer>): Promise<void> {
    const times = await fileTimes(h.outputDir);
    for (const [file, bytes] of pages) {
      expect(await readFile(h.file(file)), `${file} bytes`).toEqual(bytes);
      expect(times[file], `${file} mtime`).toBe(ARCHIVE_PAST.getTime());
    }
  }

  it('after more items arrive: old pages are byte-identical and not rewritten, new pages continue the chain', async () => {
    const before = await snapshotPages();
    expect(before.size).toBe(12);
    await h.add(range(11, 14).map((n) => alphaItem(n)), new Date('2024-02-01T00:00:00.000Z'));
    const report = await h.publish(OUTPUTS);
    await expectUntouched(before);
    // 4 waiting + 4 new = 8 candidates: 3 kept, 5 over the limit → pages 4 and 5, one left over
    expect(report.written.filter((f) => f.includes('/archive/')).sort()).toEqual(
      ['4', '5'].flatMap((n) => [`hist/archive/${n}/atom.xml`, `hist/archive/${n}/feed.json`, `hist/archive/${n}/index.html`, `hist/archive/${n}/rss.xml`]),
    );
    for (const format of ALL_FORMATS) {
      const chain = await walkChain(format);
      expect(chain.documents, format).toHaveLength(6);
      expect(chain.ids, format).toHaveLength(14);
      expect(new Set(chain.ids), format).toEqual(new Set(range(1, 14).map(guid)));
    }
    await expectValidTree(h.outputDir, TITLES);
  });

  it('after an item inside an archived page is edited: the page is byte-identical and not rewritten', async () => {
    const before = await snapshotPages();
    await h.add([alphaItem(2, 'Item 2, corrected after it was archived')], new Date('2024-02-01T00:00:00.000Z'));
    const report = await h.publish(OUTPUTS);
    await expectUntouched(before);
    expect(report.written.filter((f) => f.startsWith('hist/'))).toEqual([]);
    for (const format of ALL_FORMATS) {
      const chain = await walkChain(format);
      expect(chain.ids, format).toHaveLength(10);
      expect(new Set(chain.ids), format).toEqual(new Set(range(1, 10).map(guid)));
    }
  });

  it('a second publish with nothing new opens no page at all (pages are written once)', async () => {
    const before = await snapshotPages();
    const report = await h.publish(OUTPUTS);
    expect(report.written).toEqual([]);
    await expectUntouched(before);
  });
});

describe('archives on every copy of the site', () => {
  it('a site mirror has its own complete chain, with links that stay on the mirror', async () => {
    const mirror = 'https://feeds-mirror.example.net/';
    await h.publish(OUTPUTS, { site: { url: SITE_URL, title: 'Publishing tests', mirrors: [mirror] } });
    const root = path.join(h.outputDir, 'mirrors', 'feeds-mirror.example.net');
    for (const format of ALL_FORMATS) {
      const chain = await walkChain(format, root, mirror);
      expect(chain.documents, format).toHaveLength(4);
      expect(new Set(chain.ids), format).toEqual(new Set(range(1, 10).map(guid)));
    }
    await expectValidTree(h.outputDir, TITLES);
  });

  it('a variant of the output has its own complete chain inside its folder', async () => {
    const withVariant = OUTPUTS.map((o) => (o.id === 'hist' ? { ...o, variants: [{ id: 'onion', kind: 'tor' }] } : o));
    await h.publish(withVariant);
    for (const format of ALL_FORMATS) {
      const chain = await walkChain(format, h.outputDir, SITE_URL, 'hist/onion/');
      expect(chain.documents, format).toEqual(['hist/onion/', 'hist/onion/archive/3/', 'hist/onion/archive/2/', 'hist/onion/archive/1/'].map((d) => `${d}${FILE_OF[format]}`));
      expect(new Set(chain.ids), format).toEqual(new Set(range(1, 10).map(guid)));
    }
    await expectValidTree(h.outputDir, TITLES);
  });
});
