import { describe, expect, it } from 'vitest';
import { feed } from './helpers/fixture-server.js';
import { rssFeed, type RssItemSpec } from './helpers/feeds.js';
import { publishedItems } from './helpers/outputs.js';
import { testScope } from './helpers/scope.js';

const scope = testScope();

async function twoSources(a: RssItemSpec[], b: RssItemSpec[]) {
  const server = await scope.server();
  server.on('/a.xml', feed(rssFeed(a, { title: 'Source A' })));
  server.on('/b.xml', feed(rssFeed(b, { title: 'Source B' })));
  const h = await scope.harness({
    sources: [
      { id: 'a', url: server.url('/a.xml') },
      { id: 'b', url: server.url('/b.xml') },
    ],
    outputs: [
      { id: 'all', title: 'Everything', sources: ['*'] },
      { id: 'only-b', title: 'Only B', sources: ['b'] },
    ],
  });
  return { server, h };
}

const SHARED = 'http://example.com/shared/story';

describe('dedup across sources', () => {
  it('the same article (same link) in two sources is stored once and listed with both source ids', async () => {
    const { h } = await twoSources(
      [{ title: 'Shared story', link: SHARED, guid: SHARED, pubDate: 'Mon, 02 Jun 2025 10:00:00 GMT' }, { title: 'Only in A', link: 'http://example.com/a-only' }],
      [{ title: 'Shared story (syndicated)', link: SHARED, pubDate: 'Mon, 02 Jun 2025 10:00:00 GMT' }, { title: 'Only in B', link: 'http://example.com/b-only' }],
    );
    await h.run();
    const all = await h.articles();
    expect(all).toHaveLength(3);
    const shared = all.filter((a) => a.url === SHARED);
    expect(shared).toHaveLength(1);
    expect([...shared[0]!.sourceIds].sort()).toEqual(['a', 'b']);
    expect((await h.articles(['b'])).map((a) => a.url)).toContain(SHARED);
    expect((await h.articles(['a'])).map((a) => a.url)).toContain(SHARED);

    const out = await publishedItems(h);
    expect(Object.keys(out.rss).filter((url) => url === SHARED)).toHaveLength(1);
    const rss = await h.output('all/rss.xml');
    expect(rss.split(`<link>${SHARED}</link>`)).toHaveLength(2);
    expect(await h.output('only-b/rss.xml')).toContain(`<link>${SHARED}</link>`);

    const again = await h.run({ all: true });
    expect(again.report.stored.inserted).toBe(0);
    expect(await h.articles()).toHaveLength(3);
  });

  it('the same globally unique guid with different links (tracking parameters) is stored once', async () => {
    const guid = 'tag:example.com,2025:story-42';
    const { h } = await twoSources(
      [{ title: 'Story 42', link: 'http://example.com/42?utm_source=a', guid, guidIsPermaLink: false }],
      [{ title: 'Story 42', link: 'http://example.com/42?utm_source=b', guid, guidIsPermaLink: false }],
    );
    await h.run();
    const all = await h.articles();
    expect(all).toHaveLength(1);
    expect([...all[0]!.sourceIds].sort()).toEqual(['a', 'b']);
    expect(all[0]?.guid).toBe(guid);
  });

  it('guids that are only unique inside one feed ("123") do not merge unrelated articles', async () => {
    const { h } = await twoSources(
      [{ title: 'A story', link: 'http://a.example/123', guid: '123', guidIsPermaLink: false }],
      [{ title: 'B story', link: 'http://b.example/123', guid: '123', guidIsPermaLink: false }],
    );
    await h.run();
    const all = await h.articles();
    expect(all.map((a) => a.title).sort()).toEqual(['A story', 'B story']);
    for (const article of all) expect(article.sourceIds).toHaveLength(1);
  });
});
