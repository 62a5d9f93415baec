import { describe, expect, it } from 'vitest';
import { feed, sequence } from './helpers/fixture-server.js';
import { numberedItems, rssFeed, type RssItemSpec } from './helpers/feeds.js';
import { logsMatching, titlesOf } from './helpers/harness.js';
import { testScope } from './helpers/scope.js';
import { runSql } from '../helpers/test-store.js';

/**
 * Work not done twice: a body identical to the last one is not parsed, and in a changed body the
 * items identical to last time's are not normalized or stored again. What the user sees must be
 * exactly what a full harvest would give, including after a config change.
 */
const scope = testScope();

const BODY_UNCHANGED = /the same body as at the last harvest; not parsed again/;
const ITEMS_UNCHANGED = /items as at the last harvest; not normalized again/;

describe('harvest record: what did not change is not worked on again', () => {
  it('a server without validators sends the same bytes: not parsed again, nothing stored, the items counted unchanged, no file written', async () => {
    const { h } = await scope.newsFeed(feed(rssFeed(numberedItems(3))));
    const first = await h.run();
    expect(first.report.stored).toEqual({ inserted: 3, updated: 0, unchanged: 0 });
    expect(logsMatching(first.logs, BODY_UNCHANGED)).toEqual([]);
    const second = await h.run();
    expect(logsMatching(second.logs, BODY_UNCHANGED)).toHaveLength(1);
    expect(second.report.stored).toEqual({ inserted: 0, updated: 0, unchanged: 3 });
    expect(second.report.fetched).toBe(1);
    expect(second.report.published.written).toEqual([]);
    expect((await h.state('news')).lastNewItems).toBe(3);
    expect((await h.state('news')).title).toBe('Fixture feed');
  });

  it('a changed body: the new and the edited item are stored, the others are left as stored, and the outputs show the change', async () => {
    const v1 = numberedItems(3);
    const edited = v1.map((item) => (item.title === 'Item 2' ? { ...item, title: 'Item 2, corrected' } : item));
    const v2: RssItemSpec[] = [{ title: 'Item 4', link: 'http://example.com/posts/4', guid: 'http://example.com/posts/4', pubDate: new Date(Date.UTC(2025, 0, 4, 12)).toUTCString() }, ...edited];
    const { h } = await scope.newsFeed(sequence(feed(rssFeed(v1)), feed(rssFeed(v2)), feed(rssFeed(v2, { extra: '<lastBuildDate>Sun, 05 Jan 2025 00:00:00 GMT</lastBuildDate>' }))));
    await h.run();
    const second = await h.run();
    expect(second.report.stored).toEqual({ inserted: 1, updated: 1, unchanged: 2 });
    expect(logsMatching(second.logs, ITEMS_UNCHANGED).map((r) => [r['unchanged'], r['changed']])).toEqual([[2, 2]]);
    expect(titlesOf(await h.articles())).toEqual(['Item 1', 'Item 2, corrected', 'Item 3', 'Item 4']);
    const rss = await h.output('all/rss.xml');
    expect(rss).toContain('Item 2, corrected');
    expect(rss).toContain('Item 4');
    // Another body (a new build date) with the same items: parsed, every item known.
    const third = await h.run();
    expect(logsMatching(third.logs, BODY_UNCHANGED)).toEqual([]);
    expect(logsMatching(third.logs, ITEMS_UNCHANGED).map((r) => [r['unchanged'], r['changed']])).toEqual([[4, 0]]);
    expect(third.report.stored).toEqual({ inserted: 0, updated: 0, unchanged: 4 });
    expect(third.report.published.written).toEqual([]);
  });

  it('a config change reaches every stored item though the feed did not change (a publisher mirror added)', async () => {
    const { server, h } = await scope.newsFeed(feed(rssFeed(numberedItems(2))));
    await h.run();
    expect((await h.articles()).flatMap((a) => a.mirrors)).toEqual([]);
    await h.setSources([{ id: 'news', url: server.url('/feed.xml'), mirrors: ['https://mirror.example.net/'] }]);
    const second = await h.run();
    expect(logsMatching(second.logs, BODY_UNCHANGED)).toEqual([]);
    expect(second.report.stored).toEqual({ inserted: 0, updated: 2, unchanged: 0 });
    const mirrors = (await h.articles()).map((a) => a.mirrors.map((m) => m.url));
    expect(mirrors).toEqual([['https://mirror.example.net/posts/2'], ['https://mirror.example.net/posts/1']]);
    expect(await h.output('all/rss.xml')).toContain('https://mirror.example.net/posts/2');
  });

  it('a damaged harvest record is ignored: the body is parsed and every item normalized, as on a first harvest', async () => {
    const { h } = await scope.newsFeed(feed(rssFeed(numberedItems(2))));
    await h.run();
    expect(await runSql(h.databasePath, "UPDATE documents SET body = ? WHERE key = 'harvest:news'", '{"body": 42, "items": "not a list"')).toBe(1);
    const second = await h.run();
    expect(second.report.failedSources).toEqual([]);
    expect(logsMatching(second.logs, BODY_UNCHANGED)).toEqual([]);
    expect(logsMatching(second.logs, ITEMS_UNCHANGED)).toEqual([]);
    expect(second.report.stored).toEqual({ inserted: 0, updated: 0, unchanged: 2 });
    // and the record is whole again
    expect(logsMatching((await h.run()).logs, BODY_UNCHANGED)).toHaveLength(1);
  });

  it('`run --refresh` parses every body and reads every seed in full, and the next plain run skips again', async () => {
    const { h } = await scope.newsFeed(feed(rssFeed(numberedItems(2))));
    await h.run();
    const refreshed = await h.run({ refresh: true });
    expect(logsMatching(refreshed.logs, BODY_UNCHANGED)).toEqual([]);
    expect(refreshed.report.stored).toEqual({ inserted: 0, updated: 0, unchanged: 2 });
    const cli = await h.cli(['--refresh', '--log-level', 'debug']);
    expect(cli.code).toBe(0);
    expect(cli.stderr).not.toMatch(BODY_UNCHANGED);
    const plain = await h.cli(['--log-level', 'debug']);
    expect(plain.code).toBe(0);
    expect(plain.stderr).toMatch(BODY_UNCHANGED);
  });

  it('a guid repeated inside the feed at the same link keeps its first item, also when only the repeat changed', async () => {
    const first: RssItemSpec = { title: 'First copy', link: 'http://example.com/a', guid: 'urn:example:a', guidIsPermaLink: false, pubDate: 'Wed, 01 Jan 2025 12:00:00 GMT' };
    const repeat = (title: string): RssItemSpec => ({ ...first, title });
    const { h } = await scope.newsFeed(sequence(feed(rssFeed([first, repeat('Repeat')])), feed(rssFeed([first, repeat('Repeat, edited')]))));
    await h.run();
    const second = await h.run();
    expect(second.report.stored).toEqual({ inserted: 0, updated: 0, unchanged: 1 });
    expect(titlesOf(await h.articles())).toEqual(['First copy']);
  });

  it('a guid repeated on another story (another link) is an item of its own, edited in place on the next harvest', async () => {
    const first: RssItemSpec = { title: 'First story', link: 'http://example.com/a', guid: 'urn:example:a', guidIsPermaLink: false, pubDate: 'Wed, 01 Jan 2025 12:00:00 GMT' };
    const other = (title: string): RssItemSpec => ({ ...first, title, link: 'http://example.com/b' });
    const { h } = await scope.newsFeed(sequence(feed(rssFeed([first, other('Other story')])), feed(rssFeed([first, other('Other story, edited')]))));
    await h.run();
    expect(titlesOf(await h.articles())).toEqual(['First story', 'Other story']);
    const second = await h.run();
    expect(second.report.stored).toEqual({ inserted: 0, updated: 1, unchanged: 1 });
    expect(titlesOf(await h.articles())).toEqual(['First story', 'Other story, edited']);
  });
});
