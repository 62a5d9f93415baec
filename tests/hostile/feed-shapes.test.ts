/**
 * Odd feed shapes (issue 8): duplicate GUIDs inside one feed, 100,000 items in one feed, dates
 * in year 0 and 9999 and with negative time zones, items with no title and no link. Outputs stay
 * valid (xmllint, jing, feedparser, JSON Feed schema), the caps hold, and nothing flaps between runs.
 */
import { describe, expect, it } from 'vitest';
import { feedparser } from '../helpers/validators.js';
import { atomFeed, rssFeed, type RssItemSpec } from '../remote/helpers/feeds.js';
import { feed } from '../remote/helpers/fixture-server.js';
import { testScope } from '../remote/helpers/scope.js';
import { expectBoundedMemory, expectExit } from './helpers/expectations.js';
import { checkOutputTree, snapshotTree } from './helpers/outputs.js';
import { runFeedmirror, useChildCleanup } from './helpers/processes.js';

const scope = testScope();
useChildCleanup();

const SLOW = { timeout: 180_000 };

describe('duplicate GUIDs within one feed', () => {
  const items: RssItemSpec[] = [
    { title: 'First copy', link: 'http://dup.example/a', guid: 'dup-guid-1', guidIsPermaLink: false, pubDate: 'Mon, 02 Jun 2025 12:00:00 GMT', description: 'first' },
    { title: 'Unique', link: 'http://dup.example/u', guid: 'unique-guid', guidIsPermaLink: false, pubDate: 'Mon, 02 Jun 2025 11:00:00 GMT', description: 'unique' },
    { title: 'Second copy', link: 'http://dup.example/b', guid: 'dup-guid-1', guidIsPermaLink: false, pubDate: 'Mon, 02 Jun 2025 10:00:00 GMT', description: 'second' },
    { title: 'Third copy', link: 'http://dup.example/c', guid: 'dup-guid-1', guidIsPermaLink: false, pubDate: 'Mon, 02 Jun 2025 09:00:00 GMT', description: 'third' },
  ];

  it('each story is kept: the first under the guid, the others (other links) under ids of their own, the same on every run, and no file rewritten by the second run', async () => {
    const server = await scope.server();
    server.on('/feed.xml', feed(rssFeed(items)));
    const h = await scope.harness({ sources: [{ id: 'dups', url: server.url('/feed.xml') }] });

    const first = await h.run();
    const afterFirst = await h.articles();
    const filesAfterFirst = await snapshotTree(h.feedsDir);
    const timesAfterFirst = await h.outputTimes();

    expect(afterFirst.map((a) => a.title).sort()).toEqual(['First copy', 'Second copy', 'Third copy', 'Unique']);
    expect(first.report.stored.inserted).toBe(4);
    expect(afterFirst.find((a) => a.title === 'First copy')!.guid).toBe('dup-guid-1');
    expect(new Set(afterFirst.map((a) => a.guid)).size).toBe(4);
    for (const file of ['all/rss.xml', 'all/atom.xml', 'all/feed.json']) {
      expect((await h.output(file)).split('dup-guid-1').length - 1, file).toBe(1);
    }

    const second = await h.run({ all: true });

    expect(server.hits('/feed.xml')).toHaveLength(2);
    expect((await h.articles()).map((a) => [a.id, a.title])).toEqual(afterFirst.map((a) => [a.id, a.title]));
    expect(second.report.stored).toEqual({ inserted: 0, updated: 0, unchanged: 4 });
    expect(second.report.published.written).toEqual([]);
    expect(await snapshotTree(h.feedsDir)).toEqual(filesAfterFirst);
    expect(await h.outputTimes()).toEqual(timesAfterFirst);
    expect(await checkOutputTree(h.feedsDir)).toEqual([]);
  });
});

describe('[slow] 100,000 items in one feed', () => {
  it('[slow] only limits.maxItemsPerSource (default 500) of them are read: the newest, in feed order; memory bounded, outputs valid', SLOW, async () => {
    const server = await scope.server();
    const count = 100_000;
    const body = rssFeed(
      Array.from({ length: count }, (_, i) => ({
        title: `Item ${count - i}`,
        link: `http://many.example/${count - i}`,
        guid: `http://many.example/${count - i}`,
        pubDate: new Date(Date.UTC(2025, 0, 1) + (count - i) * 60_000).toUTCString(),
        description: `Body ${count - i}`,
      })),
    );
    expect(Buffer.byteLength(body)).toBeGreaterThan(10_000_000); // over the default maxBodyBytes, so the source raises it
    server.on('/many.xml', feed(body));
    const h = await scope.harness({ sources: [{ id: 'many', url: server.url('/many.xml'), fetch: { maxBodyBytes: 60_000_000 } }] });

    const result = await runFeedmirror(['run', '--config', h.configPath, '--log-format', 'json'], { cwd: h.dir });

    expectExit(result, 0);
    expectBoundedMemory(result);
    const stored = await h.articles();
    expect(stored).toHaveLength(500);
    expect(stored[0]?.title).toBe('Item 100000');
    expect(stored.at(-1)?.title).toBe('Item 99501');
    expect(await checkOutputTree(h.feedsDir)).toEqual([]);
  });

  it('limits.maxItemsPerSource is configurable', async () => {
    const server = await scope.server();
    server.on('/feed.xml', feed(rssFeed(Array.from({ length: 50 }, (_, i) => ({ title: `Item ${50 - i}`, link: `http://few.example/${50 - i}`, guid: `http://few.example/${50 - i}` })))));
    const h = await scope.harness({ sources: [{ id: 'few', url: server.url('/feed.xml') }], limits: { maxItemsPerSource: 7 } });
    await h.run();
    expect((await h.articles()).map((a) => a.title).sort()).toEqual(['Item 44', 'Item 45', 'Item 46', 'Item 47', 'Item 48', 'Item 49', 'Item 50']);
  });
});

describe('dates at and beyond the edges', () => {
  const RSS_DATES: [string, string, string | null][] = [
    ['year-0', 'Sat, 01 Jan 0000 00:00:00 GMT', null],
    ['year-9999', 'Fri, 31 Dec 9999 23:59:59 GMT', null],
    ['negative-tz', 'Mon, 02 Jun 2025 20:30:00 -0930', '2025-06-03T06:00:00.000Z'],
    ['negative-tz-new-year', 'Tue, 31 Dec 2024 23:59:59 -1200', '2025-01-01T11:59:59.000Z'],
    ['named-negative-tz', 'Mon, 02 Jun 2025 20:30:00 PDT', '2025-06-03T03:30:00.000Z'],
    ['garbage', '32 Foo 2025 99:99:99 +9999', null],
  ];
  const ATOM_DATES: [string, string, string | null][] = [
    ['atom-year-0', '0000-01-01T00:00:00Z', null],
    ['atom-year-9999', '9999-12-31T23:59:59Z', null],
    ['atom-9999-rolls-over', '9999-12-31T23:59:59-12:00', null],
    ['atom-negative-tz', '2025-06-02T20:30:00-12:00', '2025-06-03T08:30:00.000Z'],
    ['atom-negative-half-hour', '2025-06-02T20:30:00-03:30', '2025-06-03T00:00:00.000Z'],
  ];

  it('year 0 and 9999 (and unreadable dates) fall back to the first-seen time; negative zones convert to UTC; every output stays valid', async () => {
    const server = await scope.server();
    server.on('/rss.xml', feed(rssFeed(RSS_DATES.map(([id, date]) => ({ title: `Dated ${id}`, link: `http://dates.example/${id}`, guid: `http://dates.example/${id}`, pubDate: date, description: id })))));
    server.on(
      '/atom.xml',
      feed(
        atomFeed(ATOM_DATES.map(([id, date]) => `<entry><title>Dated ${id}</title><id>http://dates.example/${id}</id><link href="http://dates.example/${id}"/><updated>${date}</updated><published>${date}</published><content>${id}</content></entry>`)),
        'application/atom+xml',
      ),
    );
    const h = await scope.harness({
      sources: [
        { id: 'rss-dates', url: server.url('/rss.xml') },
        { id: 'atom-dates', url: server.url('/atom.xml') },
      ],
    });
    const now = new Date('2026-03-04T05:06:07.000Z');

    await h.run({ now });

    const stored = new Map((await h.articles()).map((a) => [a.url, a]));
    for (const [id, , expected] of [...RSS_DATES, ...ATOM_DATES]) {
      const article = stored.get(`http://dates.example/${id}`);
      expect(article, id).toBeDefined();
      expect(article?.published, id).toBe(expected ?? now.toISOString());
      expect(article?.dateSource, id).toBe(expected ? 'feed' : 'first-seen');
    }
    expect(await checkOutputTree(h.feedsDir)).toEqual([]);
    const atom = await feedparser(`${h.feedsDir}/all/atom.xml`);
    expect(atom.entries.find((e) => e.link === 'http://dates.example/negative-tz')?.published).toBe('2025-06-03T06:00:00Z');
    const rss = await feedparser(`${h.feedsDir}/all/rss.xml`);
    expect(rss.entries.find((e) => e.link === 'http://dates.example/atom-negative-tz')?.published).toBe('2025-06-03T08:30:00Z');
  });
});

describe('items with no title and no link', () => {
  it('are published with a fallback title and a stable id, and every output stays valid (Atom entries need no <link> but may not have an empty one)', async () => {
    const server = await scope.server();
    server.on(
      '/rss.xml',
      feed(
        rssFeed([
          { description: 'Only a description, which becomes the title.', pubDate: 'Mon, 02 Jun 2025 10:00:00 GMT' },
          { guid: 'just-a-guid-1', guidIsPermaLink: false, pubDate: 'Mon, 02 Jun 2025 09:00:00 GMT' },
          { extra: '' },
          { title: '', link: '', description: '' },
        ]),
      ),
    );
    server.on(
      '/atom.xml',
      feed(atomFeed(['<entry><id>urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a</id><title></title><updated>2025-06-02T08:00:00Z</updated><content>Atom entry without title or link.</content></entry>']), 'application/atom+xml'),
    );
    server.on('/feed.json', feed(JSON.stringify({ version: 'https://jsonfeed.org/version/1.1', title: 'Bare', items: [{ id: 'bare-json-1' }, { id: 'bare-json-2', content_text: 'Text only.' }] }), 'application/feed+json'));
    const h = await scope.harness({
      sources: [
        { id: 'bare-rss', url: server.url('/rss.xml') },
        { id: 'bare-atom', url: server.url('/atom.xml') },
        { id: 'bare-json', url: server.url('/feed.json') },
      ],
    });

    const first = await h.run();

    expect(first.report.failedSources).toEqual([]);
    const stored = await h.articles();
    expect(stored.length).toBeGreaterThanOrEqual(6);
    for (const article of stored) {
      expect(article.title.trim(), JSON.stringify(article)).not.toBe('');
      expect(article.url).toBeNull();
    }
    expect(stored.map((a) => a.title)).toContain('Only a description, which becomes the title.');
    const ids = stored.map((a) => a.id).sort();
    await h.run({ all: true });
    expect((await h.articles()).map((a) => a.id).sort()).toEqual(ids);
    expect(await checkOutputTree(h.feedsDir)).toEqual([]);
  });
});
