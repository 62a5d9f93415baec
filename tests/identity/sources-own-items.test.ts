/**
 * Identity, end to end: what a source served belongs to that source, and a merged output lists
 * each article once. What is checked is what readers get: the published feed files.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { feed } from '../remote/helpers/fixture-server.js';
import { rssFeed, type RssItemSpec } from '../remote/helpers/feeds.js';
import { remoteConfig, SITE_URL, type Harness, type SourceSpec } from '../remote/helpers/harness.js';
import { testScope } from '../remote/helpers/scope.js';
import { writeConfig } from '../helpers/workspace.js';

const scope = testScope();

interface JsonItem {
  id: string;
  url?: string;
  title: string;
  content_html: string;
  _feedmirror: { source: string };
}

async function items(h: Harness, output: string): Promise<JsonItem[]> {
  return (JSON.parse(await h.output(`${output}/feed.json`)) as { items: JsonItem[] }).items;
}

/** Outputs: one per source, and "all" merging them in the order given. */
function perSourceOutputs(ids: string[], limit = 1000) {
  return [{ id: 'all', title: 'All', sources: ids, limit }, ...ids.map((id) => ({ id: `only-${id}`, title: `Only ${id}`, sources: [id], limit }))];
}

async function serve(feeds: Record<string, string>, outputs?: Record<string, unknown>[]) {
  const server = await scope.server();
  const sources: SourceSpec[] = [];
  for (const [id, body] of Object.entries(feeds)) {
    server.on(`/${id}.xml`, feed(body));
    sources.push({ id, url: server.url(`/${id}.xml`) });
  }
  const h = await scope.harness({ sources, outputs: outputs ?? perSourceOutputs(Object.keys(feeds)) });
  return { server, h };
}

/** A podcast: every episode has its own guid, and every one links to the show's homepage. */
function podcast(episodes: number): string {
  const list: RssItemSpec[] = Array.from({ length: episodes }, (_, i) => {
    const n = episodes - i;
    return { title: `Episode ${n}`, link: 'https://show.example/', guid: `show-episode-${n}`, guidIsPermaLink: false, pubDate: new Date(Date.UTC(2024, 0, 1, 0, n)).toUTCString() };
  });
  return rssFeed(list, { title: 'The Show', link: 'https://show.example/' });
}

describe('identity: every item kept', () => {
  it('RW-ID1: a podcast whose episodes share one link, configured under three URLs: every output keeps all 131 episodes, the merged one lists each once', async () => {
    const body = podcast(131);
    const { h } = await serve({ m1: body, m2: body, m3: body });
    await h.run();
    for (const id of ['m1', 'm2', 'm3']) {
      const own = await items(h, `only-${id}`);
      expect(own).toHaveLength(131);
      expect(new Set(own.map((i) => i.id)).size).toBe(131);
    }
    const all = await items(h, 'all');
    expect(all.map((i) => i.title).sort()).toEqual(Array.from({ length: 131 }, (_, i) => `Episode ${i + 1}`).sort());
    // The copy shown comes from the source listed first.
    expect(new Set(all.map((i) => i._feedmirror.source))).toEqual(new Set(['m1']));
    expect(await h.output('only-m1/rss.xml')).toContain('<guid isPermaLink="false">show-episode-131</guid>');
    // A feed-local guid in an output of several sources is written as its Atom id, so it names one item there.
    expect(await h.output('all/rss.xml')).toContain('<guid isPermaLink="false">urn:feedmirror:guid:m1:show-episode-131</guid>');
  });

  it('guid-less items that share a link are kept apart; an item whose link is its own keeps the link as its id', async () => {
    const { h } = await serve({
      news: rssFeed([
        { title: 'Morning briefing', link: 'https://news.example/briefing', pubDate: 'Mon, 02 Jun 2025 08:00:00 GMT' },
        { title: 'Evening briefing', link: 'https://news.example/briefing', pubDate: 'Mon, 02 Jun 2025 18:00:00 GMT' },
        { title: 'A story', link: 'https://news.example/story' },
      ]),
    });
    await h.run();
    const own = await items(h, 'only-news');
    expect(own.map((i) => i.title).sort()).toEqual(['A story', 'Evening briefing', 'Morning briefing']);
    expect(own.find((i) => i.title === 'A story')!.id).toBe('https://news.example/story');
    const briefings = own.filter((i) => i.title.endsWith('briefing'));
    expect(new Set(briefings.map((i) => i.id)).size).toBe(2);
    for (const item of briefings) expect(item.id).toMatch(/^urn:feedmirror:item:[0-9a-f]{32}$/);
    // The same ids on the next run.
    await h.run({ all: true, refresh: true });
    expect((await items(h, 'only-news')).map((i) => i.id).sort()).toEqual(own.map((i) => i.id).sort());
  });

  it('a guid repeated on another story keeps both; the same item listed twice stays one', async () => {
    const { h } = await serve({
      news: rssFeed([
        { title: 'First story', link: 'https://news.example/1', guid: 'dup', guidIsPermaLink: false },
        { title: 'Second story', link: 'https://news.example/2', guid: 'dup', guidIsPermaLink: false },
        { title: 'Third', link: 'https://news.example/3', guid: 'g3', guidIsPermaLink: false },
        { title: 'Third', link: 'https://news.example/3', guid: 'g3', guidIsPermaLink: false },
      ]),
    });
    await h.run();
    const own = await items(h, 'only-news');
    expect(own.map((i) => i.title).sort()).toEqual(['First story', 'Second story', 'Third']);
    expect(new Set(own.map((i) => i.id)).size).toBe(3);
  });
});

describe('identity: no source rewrites another\'s items', () => {
  const GUID = 'https://trusted.example/story-1';

  it('RW-ID2: an item of "evil" with trusted\'s guid and link changes nothing in trusted\'s output, and trusted\'s later edits show', async () => {
    const server = await scope.server();
    let trustedTitle = 'Trusted story';
    server.on('/trusted.xml', (request, response, seen) => feed(rssFeed([{ title: trustedTitle, link: GUID, guid: GUID, description: 'Trusted body' }]))(request, response, seen));
    server.on('/evil.xml', feed(rssFeed([{ title: 'EVIL headline', link: GUID, guid: GUID, description: 'Evil body' }])));
    const h = await scope.harness({
      sources: [
        { id: 'trusted', url: server.url('/trusted.xml') },
        { id: 'evil', url: server.url('/evil.xml') },
      ],
      outputs: [
        { id: 'trusted-only', title: 'Trusted', sources: ['trusted'] },
        { id: 'all', title: 'All', sources: ['*'] },
      ],
    });
    expect((await h.cli(['--source', 'evil'])).code).toBe(0);
    expect((await h.cli()).code).toBe(0);
    let trusted = await items(h, 'trusted-only');
    expect(trusted.map((i) => i.title)).toEqual(['Trusted story']);
    expect(trusted[0]!.content_html).toContain('Trusted body');
    expect(await h.output('trusted-only/rss.xml')).not.toMatch(/EVIL|Evil body/);
    expect(await h.output('trusted-only/atom.xml')).not.toMatch(/EVIL|Evil body/);

    trustedTitle = 'Trusted story, corrected';
    expect((await h.cli(['--all'])).code).toBe(0);
    trusted = await items(h, 'trusted-only');
    expect(trusted.map((i) => i.title)).toEqual(['Trusted story, corrected']);
    // The merged output lists the article once, from the source listed first in the config ("*").
    const all = await items(h, 'all');
    expect(all.map((i) => i.title)).toEqual(['Trusted story, corrected']);
  });

  it('the merged output shows the copy of the source its `sources` lists first, whatever was fetched first', async () => {
    const { h } = await serve(
      {
        a: rssFeed([{ title: 'As A tells it', link: 'https://news.example/x', guid: 'a-1', guidIsPermaLink: false }]),
        b: rssFeed([{ title: 'As B tells it', link: 'https://news.example/x', guid: 'b-1', guidIsPermaLink: false }]),
      },
      [
        { id: 'b-first', title: 'B first', sources: ['b', 'a'] },
        { id: 'a-first', title: 'A first', sources: ['a', 'b'] },
      ],
    );
    await h.run({ only: ['a'] });
    await h.run({ all: true });
    expect((await items(h, 'b-first')).map((i) => i.title)).toEqual(['As B tells it']);
    expect((await items(h, 'a-first')).map((i) => i.title)).toEqual(['As A tells it']);
  });

  it('guids only unique inside one feed ("123") never merge two sources\' articles', async () => {
    const { h } = await serve({
      a: rssFeed([{ title: 'A story', link: 'https://a.example/p?id=123', guid: '123', guidIsPermaLink: false }]),
      b: rssFeed([{ title: 'B story', link: 'https://b.example/p?id=123', guid: '123', guidIsPermaLink: false }]),
    });
    await h.run();
    expect((await items(h, 'all')).map((i) => i.title).sort()).toEqual(['A story', 'B story']);
  });

  it('the same global guid (tag:) with different tracking links is one article in the merged output, one in each own output', async () => {
    const guid = 'tag:news.example,2025:story-42';
    const { h } = await serve({
      a: rssFeed([{ title: 'Story 42', link: 'https://news.example/42?utm_source=a', guid, guidIsPermaLink: false }]),
      b: rssFeed([{ title: 'Story 42', link: 'https://news.example/42?utm_source=b', guid, guidIsPermaLink: false }]),
    });
    await h.run();
    expect((await items(h, 'all')).map((i) => [i.id, i._feedmirror.source])).toEqual([[guid, 'a']]);
    expect((await items(h, 'only-b')).map((i) => i.url)).toEqual(['https://news.example/42?utm_source=b']);
  });
});

describe('identity: seeds', () => {
  async function withSeedFolders(extra: Record<string, unknown>[] = []) {
    const server = await scope.server();
    const h = await scope.harness({ sources: [] });
    const config = remoteConfig({ sources: [] });
    const seedSources = [
      { id: 'a', seeds: 'seedsA' },
      { id: 'b', seeds: 'seedsB' },
    ];
    await writeConfig(h.configPath, {
      ...config,
      sources: [...seedSources, ...extra],
      outputs: [
        { id: 'only-a', title: 'A', sources: ['a'] },
        { id: 'only-b', title: 'B', sources: ['b'] },
        { id: 'all', title: 'All', sources: ['*'] },
      ],
    });
    for (const folder of ['seedsA', 'seedsB']) await mkdir(path.join(h.dir, folder));
    const seed = (folder: string, name: string, headline: string) => writeFile(path.join(h.dir, folder, name), `${headline}\n\nThe first paragraph of ${headline}.\n`);
    return { server, h, seed };
  }

  it('RW-ID3: seedsA/news.txt and seedsB/news.txt are two articles, each in its own output and page', async () => {
    const { h, seed } = await withSeedFolders();
    await seed('seedsA', 'news.txt', 'Headline of A');
    await seed('seedsB', 'news.txt', 'Headline of B');
    await h.run();
    expect((await items(h, 'only-a')).map((i) => i.title)).toEqual(['Headline of A']);
    expect((await items(h, 'only-b')).map((i) => i.title)).toEqual(['Headline of B']);
    const all = await items(h, 'all');
    expect(all.map((i) => i.title).sort()).toEqual(['Headline of A', 'Headline of B']);
    expect(new Set(all.map((i) => i.id)).size).toBe(2);
    expect(new Set(all.map((i) => i.url)).size).toBe(2);
    for (const item of all) {
      const page = await h.output(new URL(item.url!).pathname.slice(1));
      expect(page).toContain(item.title);
    }
    // The first folder's article keeps the id its name gives.
    expect(all.find((i) => i.title === 'Headline of A')!.id).toBe('urn:feedmirror:seed:news');
    // And the next runs change nothing.
    await h.run();
    expect((await items(h, 'all')).map((i) => i.id).sort()).toEqual(all.map((i) => i.id).sort());
  });

  it('a remote item linking to <site.url>articles/x.html does not capture the seed x.txt added later', async () => {
    const server = await scope.server();
    server.on('/evil.xml', feed(rssFeed([{ title: 'Fake seed', link: `${SITE_URL}articles/x.html`, description: 'Evil body' }])));
    const { h, seed } = await withSeedFolders([{ id: 'evil', url: server.url('/evil.xml') }]);
    await h.run();
    await seed('seedsA', 'x.txt', 'The real seed');
    await h.run();
    expect((await items(h, 'only-a')).map((i) => i.title)).toEqual(['The real seed']);
    expect(await h.output('articles/x.html')).toContain('The real seed');
    expect(await h.output('articles/x.html')).not.toContain('Evil body');
    expect((await items(h, 'all')).map((i) => i.title).sort()).toEqual(['Fake seed', 'The real seed']);
  });
});
