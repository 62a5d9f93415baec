import { describe, expect, it } from 'vitest';
import { feed, fixtureBytes, redirect } from './helpers/fixture-server.js';
import { atomFeed, numberedItems, rssFeed, type RssItemSpec } from './helpers/feeds.js';
import { articleTitled, type Harness } from './helpers/harness.js';
import { publishedItems } from './helpers/outputs.js';
import { testScope } from './helpers/scope.js';

const scope = testScope();

/** Serves `body` at /feed.xml and runs once; returns the harness and what was stored. */
async function harvestOnce(body: string | Buffer, contentType = 'application/rss+xml; charset=utf-8') {
  const server = await scope.server();
  server.on('/feed.xml', feed(body, contentType));
  const h = await scope.harness({ sources: [{ id: 'src', url: server.url('/feed.xml') }] });
  await h.run();
  const state = await h.state('src');
  if (state.lastOutcome !== 'ok') throw new Error(`the fixture did not parse: ${state.lastError}`);
  return { server, h, articles: await h.articles() };
}

/** A feed whose body the test can change between runs. */
async function changingFeed(initial: string) {
  const server = await scope.server();
  let body = initial;
  server.on('/feed.xml', (_req, res) => void res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(body));
  const h: Harness = await scope.harness({ sources: [{ id: 'src', url: server.url('/feed.xml') }] });
  return { server, h, setBody: (next: string) => void (body = next) };
}

describe('relative URLs', () => {
  it('xml:base at feed and entry level (relative, inherited, absolute) resolves links, images and anchors', async () => {
    const { articles } = await harvestOnce(fixtureBytes('crafted/atom-xml-base.xml'), 'application/atom+xml');
    const one = articleTitled(articles, 'Entry with its own relative xml:base');
    expect(one.url).toBe('http://example.com/blog/posts/one.html');
    expect(one.contentHtml).toContain('href="http://example.com/blog/posts/two.html"');
    expect(one.contentHtml).toContain('src="http://example.com/blog/img/one.png"');
    const three = articleTitled(articles, "Entry inheriting the feed's xml:base");
    expect(three.url).toBe('http://example.com/blog/three.html');
    expect(three.contentHtml).toContain('href="http://example.com/about"');
    const four = articleTitled(articles, 'Entry with an absolute xml:base');
    expect(four.url).toBe('https://cdn.example.net/archive/four.html');
    expect(four.contentHtml).toContain('src="https://cdn.example.net/archive/four.jpg"');
  });

  it('without xml:base, relative links, images and enclosures resolve against the final URL after a redirect', async () => {
    const server = await scope.server();
    server.on('/start.xml', redirect(302, '/final/dir/feed.xml'));
    server.on('/final/dir/feed.xml', feed(fixtureBytes('crafted/rss-relative.xml'), 'application/rss+xml'));
    const h = await scope.harness({ sources: [{ id: 'src', url: server.url('/start.xml') }] });
    await h.run();
    const [item] = await h.articles();
    expect(item?.url).toBe(server.url('/final/dir/posts/relative.html'));
    expect(item?.guid).toBe(server.url('/final/dir/posts/relative.html'));
    expect(item?.contentHtml).toContain(`href="${server.url('/final/about.html')}"`);
    expect(item?.contentHtml).toContain(`src="${server.url('/final/dir/img/pic.png')}"`);
    expect(item?.enclosures).toEqual([{ url: server.url('/final/dir/media/episode.mp3'), type: 'audio/mpeg', length: 1234 }]);
  });
});

describe('titles are plain text', () => {
  const RSS_TITLES: [string, string][] = [
    ['http://example.com/t/1', 'AT&T bold “quoted” café'],
    ['http://example.com/t/2', 'Emphasis & spans'],
    ['http://example.com/t/3', 'Multi-line title with tabs'],
    ['http://example.com/t/4', 'Scripts are dropped'],
    ['http://example.com/t/5', 'Café — HTML named entities too'],
  ];
  it('RSS: entities decoded, tags stripped (scripts with their text), whitespace collapsed', async () => {
    const { articles } = await harvestOnce(fixtureBytes('crafted/titles.xml'));
    for (const [url, title] of RSS_TITLES) expect(articles.find((a) => a.url === url)?.title, url).toBe(title);
  });

  it('Atom: type="text" is kept literally, type="html" loses its markup', async () => {
    const { articles } = await harvestOnce(fixtureBytes('crafted/atom-titles.xml'), 'application/atom+xml');
    expect(articles.find((a) => a.url === 'http://example.com/a/text')?.title).toBe('Less < than & <b>not a tag</b>');
    expect(articles.find((a) => a.url === 'http://example.com/a/html')?.title).toBe('HTML title & more');
  });

  it('Atom: type="xhtml" titles keep their text', async () => {
    const { articles } = await harvestOnce(fixtureBytes('crafted/atom-titles.xml'), 'application/atom+xml');
    expect(articles.find((a) => a.url === 'http://example.com/a/xhtml')?.title).toBe('XHTML title');
  });

  it('a title that looks like markup survives our own feeds intact (escaped, not interpreted)', async () => {
    const { h } = await harvestOnce(fixtureBytes('crafted/atom-titles.xml'), 'application/atom+xml');
    const json = JSON.parse(await h.output('all/feed.json')) as { items: { url: string; title: string }[] };
    expect(json.items.find((i) => i.url === 'http://example.com/a/text')?.title).toBe('Less < than & <b>not a tag</b>');
  });
});

describe('dates to UTC, with where they came from', () => {
  const DATES: [string, string][] = [
    ['Tue, 10 Jun 2025 09:00:00 GMT', '2025-06-10T09:00:00.000Z'],
    ['Tue, 10 Jun 2025 09:00:00 EST', '2025-06-10T14:00:00.000Z'],
    ['Tue, 10 Jun 2025 09:00:00 EDT', '2025-06-10T13:00:00.000Z'],
    ['Tue, 10 Jun 2025 09:00:00 PDT', '2025-06-10T16:00:00.000Z'],
    ['Tue, 10 Jun 2025 09:00:00 +0530', '2025-06-10T03:30:00.000Z'],
    ['Tue, 10 Jun 2025 09:00:00 -0930', '2025-06-10T18:30:00.000Z'],
    ['Tue, 10 Jun 2025 09:00:00 CEST', '2025-06-10T07:00:00.000Z'],
    ['Tue, 10 Jun 2025 09:00:00', '2025-06-10T09:00:00.000Z'],
    ['10 Jun 2025 09:00 GMT', '2025-06-10T09:00:00.000Z'],
    ['Tue, 10 Jun 25 09:00:00 +0000', '2025-06-10T09:00:00.000Z'],
    ['Tuesday, 10 June 2025 09:00:00 +0100', '2025-06-10T08:00:00.000Z'],
    ['2025-06-10T09:00:00+02:00', '2025-06-10T07:00:00.000Z'],
    ['2025-06-10T09:00:00.250Z', '2025-06-10T09:00:00.250Z'],
    ['2025-06-10', '2025-06-10T00:00:00.000Z'],
  ];

  it('RFC 822 with odd zones, missing zones and two-digit years, and ISO 8601, in pubDate', async () => {
    const items: RssItemSpec[] = DATES.map(([pubDate], i) => ({ title: `Date ${i}`, link: `http://example.com/d/${i}`, pubDate }));
    const { articles } = await harvestOnce(rssFeed(items));
    DATES.forEach(([raw, expected], i) => {
      const article = articleTitled(articles, `Date ${i}`);
      expect({ raw, published: article.published, from: article.dateSource }).toEqual({ raw, published: expected, from: 'feed' });
    });
  });

  it('dc:date when there is no pubDate, Atom published with an offset and milliseconds, Atom updated alone', async () => {
    const rss = await harvestOnce(rssFeed([{ title: 'dc', link: 'http://example.com/dc', extra: '      <dc:date>2025-06-10T09:00:00-05:00</dc:date>' }]));
    expect(rss.articles[0]).toMatchObject({ published: '2025-06-10T14:00:00.000Z', dateSource: 'feed' });
    const atom = await harvestOnce(fixtureBytes('crafted/atom-kitchen-sink.xml'), 'application/atom+xml');
    expect(articleTitled(atom.articles, 'Two authors, several links')).toMatchObject({
      published: '2025-06-10T13:00:00.123Z',
      updated: '2025-06-11T00:00:00.000Z',
      dateSource: 'feed',
    });
    expect(articleTitled(atom.articles, 'Summary only, own language')).toMatchObject({ published: '2025-06-09T00:00:00.000Z', dateSource: 'feed-updated' });
  });

  it('a missing or unreadable date falls back to the first-seen time, and stays put on later runs', async () => {
    const T1 = new Date('2030-01-01T10:00:00.000Z');
    const T2 = new Date('2030-01-02T10:00:00.000Z');
    const body = rssFeed([
      { title: 'No date', link: 'http://example.com/nodate' },
      { title: 'Bad date', link: 'http://example.com/baddate', pubDate: 'sometime last week' },
      { title: 'Year zero', link: 'http://example.com/yearzero', pubDate: 'Mon, 01 Jan 0000 00:00:00 GMT' },
    ]);
    const { h } = await changingFeed(body);
    await h.run({ now: T1 });
    const first = await h.articles();
    for (const article of first) expect(article).toMatchObject({ published: T1.toISOString(), dateSource: 'first-seen' });
    const second = await h.run({ now: T2, all: true });
    expect(second.report.stored).toMatchObject({ inserted: 0, updated: 0 });
    // nothing but the site index, which shows the day of the last check (a day later here)
    expect(second.report.published.written).toEqual(['index.html']);
    for (const article of await h.articles()) expect(article.published).toBe(T1.toISOString());
  });
});

describe('ids: stable, and the original guid/id is what we publish', () => {
  it('RSS guids (permalink and not) and Atom ids are published unchanged in RSS, Atom and JSON Feed', async () => {
    const body = rssFeed([
      { title: 'Permalink guid', link: 'http://example.com/p/1', guid: 'http://example.com/p/1' },
      { title: 'Opaque guid', link: 'http://example.com/p/2', guid: 'tag:example.com,2025:p2', guidIsPermaLink: false },
      { title: 'No guid', link: 'http://example.com/p/3' },
      { title: 'Guid differs from link', link: 'http://example.com/p/4?utm_source=rss', guid: 'http://example.com/?p=4' },
    ]);
    const { h, articles } = await harvestOnce(body);
    expect(Object.fromEntries(articles.map((a) => [a.title, a.guid]))).toEqual({
      'Permalink guid': 'http://example.com/p/1',
      'Opaque guid': 'tag:example.com,2025:p2',
      'No guid': 'http://example.com/p/3',
      'Guid differs from link': 'http://example.com/?p=4',
    });
    const out = await publishedItems(h);
    expect(out.rss['http://example.com/p/1']).toEqual({ id: 'http://example.com/p/1', isPermaLink: 'true' });
    expect(out.rss['http://example.com/p/2']).toEqual({ id: 'tag:example.com,2025:p2', isPermaLink: 'false' });
    expect(out.rss['http://example.com/p/3']?.id).toBe('http://example.com/p/3');
    expect(out.rss['http://example.com/p/4?utm_source=rss']).toEqual({ id: 'http://example.com/?p=4', isPermaLink: 'false' });
    for (const [url, id] of [
      ['http://example.com/p/1', 'http://example.com/p/1'],
      ['http://example.com/p/2', 'tag:example.com,2025:p2'],
      ['http://example.com/p/3', 'http://example.com/p/3'],
      ['http://example.com/p/4?utm_source=rss', 'http://example.com/?p=4'],
    ]) {
      expect(out.atom[url!]?.id, `atom ${url}`).toBe(id);
      expect(out.json[url!]?.id, `json ${url}`).toBe(id);
    }
  });

  it('an Atom entry id is published unchanged', async () => {
    const { h } = await harvestOnce(fixtureBytes('real/feed-rs/atom_spec_1.xml'), 'application/atom+xml');
    const out = await publishedItems(h);
    expect(out.atom['http://example.org/2003/12/13/atom03']?.id).toBe('urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a');
    expect(out.rss['http://example.org/2003/12/13/atom03']).toEqual({ id: 'urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a', isPermaLink: 'false' });
  });

  it('reordering the feed keeps every id (with guids, with links only, and with neither)', async () => {
    const items: RssItemSpec[] = [
      { title: 'A', link: 'http://example.com/r/a', guid: 'tag:example.com,2025:a', pubDate: 'Mon, 02 Jun 2025 10:00:00 GMT' },
      { title: 'B', link: 'http://example.com/r/b', pubDate: 'Mon, 02 Jun 2025 09:00:00 GMT' },
      { title: 'C', description: 'no link, no guid', pubDate: 'Mon, 02 Jun 2025 08:00:00 GMT' },
    ];
    const { h, setBody } = await changingFeed(rssFeed(items));
    await h.run();
    const before = Object.fromEntries((await h.articles()).map((a) => [a.title, a.id]));
    setBody(rssFeed([items[2]!, items[0]!, items[1]!]));
    const { report } = await h.run({ all: true });
    expect(report.stored).toEqual({ inserted: 0, updated: 0, unchanged: 3 });
    expect(Object.fromEntries((await h.articles()).map((a) => [a.title, a.id]))).toEqual(before);
  });

  it('an edited item updates in place: same id, new title and body, a new `updated`, the same published date', async () => {
    const T1 = new Date('2030-01-01T10:00:00.000Z');
    const T2 = new Date('2030-01-02T10:00:00.000Z');
    const original = { title: 'Original title', link: 'http://example.com/e/1', guid: 'http://example.com/e/1', pubDate: 'Mon, 02 Jun 2025 10:00:00 GMT', description: 'First version.' };
    const { h, setBody } = await changingFeed(rssFeed([original, ...numberedItems(2)]));
    await h.run({ now: T1 });
    const [before] = (await h.articles()).filter((a) => a.url === 'http://example.com/e/1');
    expect(before?.updated).toBeNull();

    setBody(rssFeed([{ ...original, title: 'Corrected title', description: 'Second version, corrected.' }, ...numberedItems(2)]));
    const { report } = await h.run({ now: T2, all: true });
    expect(report.stored).toEqual({ inserted: 0, updated: 1, unchanged: 2 });
    const after = (await h.articles()).filter((a) => a.url === 'http://example.com/e/1');
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({
      id: before!.id,
      guid: 'http://example.com/e/1',
      title: 'Corrected title',
      summary: 'Second version, corrected.',
      published: '2025-06-02T10:00:00.000Z',
      updated: T2.toISOString(),
    });
    const out = await publishedItems(h);
    expect(out.atom['http://example.com/e/1']).toEqual({ id: 'http://example.com/e/1', updated: T2.toISOString() });
    expect(await h.output('all/rss.xml')).toContain('Corrected title');
    expect(await h.output('all/rss.xml')).not.toContain('Original title');
  });

  it('an item whose source declares a new <updated> keeps that date', async () => {
    const entry = (updated: string, text: string) =>
      `<entry><title>Living document</title><id>tag:example.com,2025:live</id><link href="http://example.com/live"/><published>2025-06-01T00:00:00Z</published><updated>${updated}</updated><content>${text}</content></entry>`;
    const server = await scope.server();
    let body = atomFeed([entry('2025-06-01T00:00:00Z', 'v1')]);
    server.on('/atom.xml', (_req, res) => void res.writeHead(200, { 'content-type': 'application/atom+xml' }).end(body));
    const h = await scope.harness({ sources: [{ id: 'src', url: server.url('/atom.xml') }] });
    await h.run({ now: new Date('2030-01-01T00:00:00Z') });
    body = atomFeed([entry('2025-06-05T12:00:00Z', 'v2')]);
    await h.run({ now: new Date('2030-01-02T00:00:00Z'), all: true });
    const [article] = await h.articles();
    expect(article).toMatchObject({ published: '2025-06-01T00:00:00.000Z', contentHtml: '<p>v2</p>' });
    // The source's own date (2025-06-05) is older than our clock; what matters is that it moved.
    expect(article?.updated).not.toBeNull();
  });
});

describe('authors, content, media, categories, language (RSS kitchen sink)', () => {
  it('every author: RSS author ("email (Name)"), each dc:creator, itunes:author', async () => {
    const { articles } = await harvestOnce(fixtureBytes('crafted/rss-kitchen-sink.xml'));
    expect(articleTitled(articles, 'Authors everywhere').authors).toEqual([
      { name: 'Jane Doe', email: 'jane@example.com', url: null },
      { name: 'Creator One', email: null, url: null },
      { name: 'Creator Two', email: null, url: null },
      { name: 'Pod Host', email: null, url: null },
    ]);
  });

  it('content:encoded is preferred over description, which becomes the plain-text summary', async () => {
    const { articles } = await harvestOnce(fixtureBytes('crafted/rss-kitchen-sink.xml'));
    expect(articleTitled(articles, 'Content preference')).toMatchObject({
      contentHtml: '<p>The <strong>full</strong> article from content:encoded.</p>',
      summary: 'The short description.',
    });
    expect(articleTitled(articles, 'Description only')).toMatchObject({
      contentHtml: '<p>Only a <em>description</em> here.</p>',
      summary: 'Only a description here.',
    });
  });

  it('the summary of a long article is its text: blocks kept apart, scripts dropped, entities decoded, cut at a word at 500 characters', async () => {
    const words = Array.from({ length: 400 }, (_, i) => `w${i}`).join(' ');
    const start = '<p>Fish &amp; chips</p><script>var hidden = 1;</script><p>sold<br>here</p><noscript><p>no script</p></noscript>';
    const cdata = (html: string) => `<![CDATA[${html}]]>`;
    const { articles } = await harvestOnce(
      rssFeed([
        { title: 'Long', link: 'http://example.com/long', description: cdata(`${start}<p>${words}</p>`) },
        // The same start, then different and broken markup: text past the cut does not change the summary.
        { title: 'Long, other tail', link: 'http://example.com/tail', description: cdata(`${start}<p>${words}</p><div><b>unclosed <i>tail &bogus; words`) },
      ]),
    );
    const summary = articleTitled(articles, 'Long').summary!;
    expect(summary.startsWith('Fish & chips sold here w0 w1 w2 ')).toBe(true);
    expect(summary).not.toMatch(/hidden|no script/);
    expect(summary.length).toBeLessThanOrEqual(500);
    expect(summary.length).toBeGreaterThan(480);
    expect(summary).toMatch(/ w\d+…$/);
    expect(articleTitled(articles, 'Long, other tail').summary).toBe(summary);
  });

  it('enclosures, media:content, media:thumbnail and media:group: images with caption and credit, the rest as enclosures', async () => {
    const { articles } = await harvestOnce(fixtureBytes('crafted/rss-kitchen-sink.xml'));
    const media = articleTitled(articles, 'Media');
    expect(media.enclosures).toEqual(
      expect.arrayContaining([
        { url: 'http://example.com/audio/episode.mp3', type: 'audio/mpeg', length: 12345678 },
        { url: 'http://example.com/video/clip.mp4', type: 'video/mp4', length: 987654 },
      ]),
    );
    expect(media.enclosures).toHaveLength(2);
    expect(media.images).toEqual(
      expect.arrayContaining([
        { url: 'http://example.com/img/photo.jpg', caption: 'A photo caption', credit: 'Photo: Jane Doe' },
        { url: 'http://example.com/img/thumb.jpg', caption: null, credit: null },
      ]),
    );
    expect(media.images).toHaveLength(2);
  });

  it('categories (category and dc:subject, without duplicates) and the channel language', async () => {
    const { articles } = await harvestOnce(fixtureBytes('crafted/rss-kitchen-sink.xml'));
    expect(articleTitled(articles, 'Categories and language')).toMatchObject({ categories: ['Politics', 'World News', 'Economy'], language: 'de-DE' });
    expect(articleTitled(articles, 'Own language').language).toBe('fr');
  });

  it('the enclosure, categories and authors reach our RSS and Atom output', async () => {
    const { h } = await harvestOnce(fixtureBytes('crafted/rss-kitchen-sink.xml'));
    const rss = await h.output('all/rss.xml');
    expect(rss).toContain('<enclosure url="http://example.com/audio/episode.mp3" length="12345678" type="audio/mpeg"/>');
    expect(rss).toContain('<category>World News</category>');
    expect(rss).toContain('<dc:creator>Pod Host</dc:creator>');
    const atom = await h.output('all/atom.xml');
    expect(atom).toContain('<name>Jane Doe</name>');
    expect(atom).toContain('<category term="Economy"/>');
  });
});

describe('Atom: several authors and links, categories, summary vs content, language', () => {
  it('every author, the alternate link as the URL, rel=duplicate as a mirror, rel=enclosure as an enclosure', async () => {
    const { articles } = await harvestOnce(fixtureBytes('crafted/atom-kitchen-sink.xml'), 'application/atom+xml');
    const entry = articleTitled(articles, 'Two authors, several links');
    expect(entry).toMatchObject({
      guid: 'urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a',
      url: 'http://example.com/atom/one',
      authors: [
        { name: 'Alice Example', email: 'alice@example.com', url: 'https://example.com/alice' },
        { name: 'Bob Example', email: null, url: null },
      ],
      enclosures: [expect.objectContaining({ url: 'http://example.com/atom/one.ogg', type: 'audio/ogg' })],
      categories: ['Technology', 'science'],
      summary: 'Summary 5 < 6 & done',
      contentHtml: '<p>Full <b>content</b>.</p>',
      language: 'en-GB',
    });
    expect(entry.mirrors.map((m) => m.url)).toContain('http://mirror.example.net/atom/one');
  });

  it('an Atom rel="enclosure" link keeps its length (RFC 4287 §4.2.7.6)', async () => {
    const { articles } = await harvestOnce(fixtureBytes('crafted/atom-kitchen-sink.xml'), 'application/atom+xml');
    expect(articleTitled(articles, 'Two authors, several links').enclosures).toEqual([{ url: 'http://example.com/atom/one.ogg', type: 'audio/ogg', length: 5000 }]);
  });

  it('an entry with only a summary uses it as content; its own xml:lang wins', async () => {
    const { articles } = await harvestOnce(fixtureBytes('crafted/atom-kitchen-sink.xml'), 'application/atom+xml');
    expect(articleTitled(articles, 'Summary only, own language')).toMatchObject({
      contentHtml: '<p>Nur eine <i>Zusammenfassung</i>.</p>',
      summary: 'Nur eine Zusammenfassung.',
      language: 'de',
    });
  });

  it("an entry without an author takes the feed's author (RFC 4287 §4.2.1)", async () => {
    const { articles } = await harvestOnce(fixtureBytes('crafted/atom-kitchen-sink.xml'), 'application/atom+xml');
    expect(articleTitled(articles, 'Summary only, own language').authors.map((a) => a.name)).toEqual(['Feed Author']);
    expect(articleTitled(articles, 'Two authors, several links').authors.map((a) => a.name)).toEqual(['Alice Example', 'Bob Example']);
  });
});

describe('sanitizing', () => {
  const FORBIDDEN = ['<script', 'document.write', '<style', 'display: none', '<iframe', '<object', '<embed', '<form', '<input', 'onclick', 'onmouseover', 'onerror', 'javascript:', 'vbscript:', 'data:', 'evil'];

  it('scripts, frames, forms, event handlers and javascript:/data: URLs go; p, a, img, figure, table, lists, quotes and code stay; lazy images are fixed', async () => {
    const { articles, h } = await harvestOnce(fixtureBytes('crafted/rss-kitchen-sink.xml'));
    const html = articleTitled(articles, 'Sanitizing').contentHtml;
    for (const bad of FORBIDDEN) expect(html, bad).not.toContain(bad);
    for (const good of [
      '<img src="http://example.com/img/real.jpg" alt="real" />',
      '<td>cell</td>',
      '<th>H</th>',
      '<li>one</li>',
      '<blockquote>quoted</blockquote>',
      '<pre><code>code()</code></pre>',
    ]) {
      expect(html, good).toContain(good);
    }
    // Relative URLs become absolute (which base a relative URL in RSS content takes is tested above).
    expect(html).toMatch(/<p>Kept paragraph with <a href="http:\/\/[^"]+\/relative\/link">a relative link<\/a> and <a>a javascript link<\/a>\.<\/p>/);
    expect(html).toMatch(/<img src="http:\/\/[^"]+\/img\/lazy\.jpg" alt="lazy" \/>/);
    expect(html).toMatch(/<figure><img src="http:\/\/[^"]+\/img\/fig\.png" alt="fig" \/><figcaption>A caption<\/figcaption><\/figure>/);
    for (const file of ['all/rss.xml', 'all/atom.xml', 'all/feed.json']) {
      const out = await h.output(file);
      for (const bad of ['<script', 'javascript:', 'onclick', '<iframe']) expect(out, `${file}: ${bad}`).not.toContain(bad);
    }
  });
});
