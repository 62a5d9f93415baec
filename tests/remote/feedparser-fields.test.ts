/**
 * Every element Python feedparser reads for an entry's fields, read by us too (issue 20), on
 * fixtures of our own (tests/fixtures/feeds/fidelity/): Dublin Core and DC Terms fallbacks, RSS
 * elements under a prefix, permalink guids as links, enclosures with partial attributes, the
 * stand-ins for a missing title, summary or content, and Atom text constructs in every mode. Each
 * fixture goes through the pipeline; the test reads what a user sees, the published feed.json (and
 * rss.xml / atom.xml where an element only exists there). The scored comparison over feedparser's
 * own corpus is `npm run fidelity` (docs/feedparser-comparison.md).
 */
import { describe, expect, it } from 'vitest';
import { childNamed, childrenNamed, parseXml } from '../helpers/xml.js';
import { feed, fixtureBytes } from './helpers/fixture-server.js';
import type { Harness } from './helpers/harness.js';
import { testScope } from './helpers/scope.js';

const scope = testScope();

interface JsonItem {
  id: string;
  url?: string;
  title: string;
  summary?: string;
  content_html: string;
  date_published: string;
  date_modified: string;
  image?: string;
  authors?: { name: string }[];
  attachments?: { url: string; mime_type: string; size_in_bytes?: number }[];
}

/** Republishes one fixture; fails with the source's error when it did not parse. */
async function republish(fixture: string, limits?: Record<string, number>): Promise<{ h: Harness; items: JsonItem[] }> {
  const server = await scope.server();
  server.on('/feed.xml', feed(fixtureBytes(`fidelity/${fixture}`), 'application/xml'));
  const h = await scope.harness({ sources: [{ id: 'src', url: server.url('/feed.xml') }], ...(limits ? { limits } : {}) });
  await h.run({ now: new Date('2024-06-01T00:00:00Z') });
  const state = await h.state('src');
  expect(state.lastOutcome, state.lastError ?? '').toBe('ok');
  return { h, items: (JSON.parse(await h.output('all/feed.json')) as { items: JsonItem[] }).items };
}

function byTitle(items: JsonItem[], title: string): JsonItem {
  const found = items.find((item) => item.title === title);
  if (!found) throw new Error(`no published item titled ${JSON.stringify(title)}; published: ${JSON.stringify(items.map((i) => i.title))}`);
  return found;
}

describe('Dublin Core and DC Terms stand in for the core elements', () => {
  it('dc:title, dc:creator, dcterms:issued/modified and dc:description when the core element is missing; the core element when both are there', async () => {
    const { items } = await republish('dublin-core.xml');
    expect(byTitle(items, 'Only a dc:title')).toMatchObject({
      authors: [{ name: 'Ann Author' }], date_published: '2003-12-31T10:14:55.000Z', date_modified: '2004-01-02T08:00:00.000Z',
      summary: 'Only a dc:description', content_html: '<p>Only a dc:description</p>',
    });
    expect(byTitle(items, 'The core title')).toMatchObject({ authors: [{ name: 'Core Author' }], date_published: '2002-01-01T00:00:00.000Z', summary: 'The core description' });
  });

  it('dc:author and dc:date; dcterms:created; a dc:title of escaped HTML is plain text; Dublin Core under another prefix', async () => {
    const { items } = await republish('dublin-core.xml');
    expect(byTitle(items, 'dc:author and dc:date')).toMatchObject({ authors: [{ name: 'Bob Writer' }], date_published: '2001-06-01T10:00:00.000Z' });
    expect(byTitle(items, 'Fish & chips daily')).toMatchObject({ date_published: '2000-05-05T05:05:05.000Z' });
    expect(byTitle(items, 'Dublin Core under another prefix')).toMatchObject({ authors: [{ name: 'Cy Prefix' }], date_published: '1998-02-03T04:05:06.000Z' });
  });
});

describe('RSS and Atom elements under a prefix are read by namespace', () => {
  it('RSS 1.0 without a default namespace (rss:item): titles, links, dates and the rss:description, not another module\'s description', async () => {
    const { items } = await republish('rss1-prefixed.xml');
    expect(items.map((i) => i.title)).toEqual(['First prefixed item', 'Second prefixed item', 'Third prefixed item']);
    expect(byTitle(items, 'First prefixed item')).toMatchObject({
      id: 'http://rss1.example/1', url: 'http://rss1.example/1', summary: 'The right description', authors: [{ name: 'Dee Creator' }], date_published: '2002-09-28T20:01:19.000Z',
    });
  });

  it('prefixed items are cut past limits.maxItemsPerSource like plain ones (the streaming cut before rss-parser)', async () => {
    const { h, items } = await republish('rss1-prefixed.xml', { maxItemsPerSource: 2 });
    expect(items.map((i) => i.title)).toEqual(['First prefixed item', 'Second prefixed item']);
    expect((await h.state('src')).lastWarning).toContain('1 item after the first 2 (limits.maxItemsPerSource) not read');
  });

  it('RSS 2.0 in the Userland namespace (<r:rss>, every element prefixed): the item, its permalink guid, date, author and enclosure', async () => {
    const { items } = await republish('rss2-userland-namespace.xml');
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      title: 'Prefixed RSS 2.0 item', url: 'http://userland.example/posts/1', id: 'http://userland.example/posts/1', summary: 'Read under the r: prefix',
      date_published: '2002-09-28T21:00:02.000Z', authors: [{ name: 'Ed Userland' }], attachments: [{ url: 'http://userland.example/show.mp3', mime_type: 'audio/mpeg', size_in_bytes: 12345 }],
    });
  });

  it('Atom under a prefix (<a:feed>): the entry, its xhtml title in document order, the feed\'s author', async () => {
    const { items } = await republish('atom-prefixed.xml');
    expect(items).toEqual([expect.objectContaining({ title: 'Hello prefixed world', url: 'http://atom-prefixed.example/1', summary: 'A prefixed summary', authors: [{ name: 'Fay Feed' }] })]);
  });

  it('RSS that declares Atom its default namespace (a mistyped xmlns:atom) is still read as RSS', async () => {
    const { items } = await republish('rss-atom-default-namespace.xml');
    expect(items).toEqual([expect.objectContaining({ title: 'Still an RSS item', url: 'http://mistyped.example/1', date_published: '2024-01-01T00:00:00.000Z' })]);
  });

  it('items with no <channel> around them (RSS and RDF) are read', async () => {
    expect((await republish('rss-no-channel.xml')).items).toEqual([expect.objectContaining({ title: 'An item with no channel around it', summary: 'Read all the same' })]);
    expect((await republish('rdf-no-channel.xml')).items).toEqual([expect.objectContaining({ title: 'An RDF item with no channel', url: 'http://no-channel.example/rdf/1' })]);
  });
});

describe('odd shapes the new readers meet', () => {
  /**
   * Generated, not a fixture: the point is its depth, kept under the 200,000-node budget so the
   * cutting pass (and its depth limit) does not run. Recursion over either nest overflows the stack.
   */
  const deepFeed = (title: string) =>
    `<rss version="2.0"><channel><title>Deep</title><item><title>${title}</title><link>http://deep.example/1</link>` +
    `${'<x:n xmlns:x="http://x.example/">'.repeat(10_000)}${'</x:n>'.repeat(10_000)}` +
    `<body xmlns="http://www.w3.org/1999/xhtml">${'<div>'.repeat(60_000)}deep${'</div>'.repeat(60_000)}</body></item></channel></rss>`;

  it.each([
    ['read in document order (the SAX pass)', 'Deep item'],
    ['an undefined entity makes the SAX pass give up: the xml2js reading, whose serializer would overflow the stack, gives no body', 'Deep &bogus; item'],
  ])('markup nested 10,000 deep in another module\'s element and 60,000 deep in xhtml:body: the item is published; %s', async (_how, title) => {
    const server = await scope.server();
    server.on('/feed.xml', feed(deepFeed(title), 'application/rss+xml'));
    const h = await scope.harness({ sources: [{ id: 'src', url: server.url('/feed.xml') }] });
    await h.run();
    expect((await h.state('src')).lastOutcome).toBe('ok');
    const [item] = (JSON.parse(await h.output('all/feed.json')) as { items: JsonItem[] }).items;
    expect(item?.title).toMatch(/^Deep (&bogus; )?item$/);
    expect(item?.url).toBe('http://deep.example/1');
  });
});

describe('links and enclosures', () => {
  it('a permalink guid is the link of an item that has none; a guid marked isPermaLink="false" (in any case) or that is no URL is not', async () => {
    const { items } = await republish('links-enclosures.xml');
    expect(byTitle(items, 'A permalink guid and no link').url).toBe('http://links.example/permalink');
    expect(byTitle(items, 'An explicit permalink guid and no link').url).toBe('http://links.example/explicit-permalink');
    expect(byTitle(items, 'A link beside a permalink guid')).toMatchObject({ url: 'http://links.example/the-link', id: 'http://links.example/the-guid' });
    expect(byTitle(items, 'A guid that is no permalink').url).toBeUndefined();
    expect(byTitle(items, 'A guid marked isPermaLink="False"').url).toBeUndefined();
    expect(byTitle(items, 'A guid that is no URL')).toMatchObject({ id: 'abc-123' });
    expect(byTitle(items, 'A guid that is no URL').url).toBeUndefined();
  });

  it('enclosures keep what attributes they have: a url alone, href for url, an image type (also the item\'s image); one with no address is dropped', async () => {
    const { h, items } = await republish('links-enclosures.xml');
    expect(byTitle(items, 'An enclosure with a url only').attachments).toEqual([{ url: 'http://links.example/media/url-only.mp3', mime_type: 'application/octet-stream' }]);
    expect(byTitle(items, 'An enclosure with href for url and no length').attachments).toEqual([{ url: 'http://links.example/media/href.ogg', mime_type: 'audio/ogg' }]);
    expect(byTitle(items, 'An image enclosure')).toMatchObject({
      image: 'http://links.example/media/photo.jpg', attachments: [{ url: 'http://links.example/media/photo.jpg', mime_type: 'image/jpeg', size_in_bytes: 100000 }],
    });
    expect(byTitle(items, 'An enclosure with no address at all').attachments).toBeUndefined();
    const rssItem = childrenNamed(childNamed(parseXml(await h.output('all/rss.xml')), 'channel'), 'item').find((i) => childNamed(i, 'title').text === 'An image enclosure')!;
    expect(childNamed(rssItem, 'enclosure').attributes).toMatchObject({ url: 'http://links.example/media/photo.jpg', type: 'image/jpeg', length: '100000' });
  });
});

describe('stand-ins for a missing title, summary or content (RSS)', () => {
  it('media:title only when there is no title, whatever the order; itunes:summary as the summary', async () => {
    const { items } = await republish('rss-bodies.xml');
    expect(byTitle(items, 'Only a media:title').url).toBe('http://bodies.example/media-title');
    expect(byTitle(items, 'The title, after a media:title').url).toBe('http://bodies.example/media-title-first');
    expect(byTitle(items, 'iTunes summary only')).toMatchObject({ summary: 'An episode described by itunes:summary alone', content_html: '<p>An episode described by itunes:summary alone</p>' });
  });

  it('xhtml:body, content:encoded and fullitem are the content, the description beside them the summary; xhtml:body keeps its order', async () => {
    const { items } = await republish('rss-bodies.xml');
    expect(byTitle(items, 'xhtml:body beside a description')).toMatchObject({ content_html: '<p>The <em>full</em> body</p>', summary: 'The short description' });
    expect(byTitle(items, 'content:encoded beside a description')).toMatchObject({ content_html: '<p>The whole <strong>story</strong></p>', summary: 'The teaser' });
    expect(byTitle(items, 'fullitem only').content_html).toBe('<p>Full item text</p>');
  });

  it('C1 controls (raw or as &#146;) are the windows-1252 punctuation they stand for; of two pubDates the last counts', async () => {
    const { items } = await republish('rss-bodies.xml');
    expect(byTitle(items, 'Windows-1252 in disguise – en dash').summary).toBe('don’t and can’t');
    expect(byTitle(items, 'Two publication dates').date_published).toBe('2024-01-01T00:02:30.000Z');
  });
});

describe('Atom text constructs in every mode', () => {
  it('type="text" keeps its value as text; a base64 title, summary and content are decoded; base64 that is no text is dropped', async () => {
    const { items } = await republish('atom-text.xml');
    expect(byTitle(items, 'Plain text content')).toMatchObject({ summary: 'History of the <blink> tag', content_html: '<p>History of the &lt;blink&gt; tag</p>' });
    expect(byTitle(items, 'Example Atom')).toMatchObject({ summary: 'Summary in base64', content_html: '<p>History of the &lt;blink&gt; tag</p>' });
    expect(byTitle(items, 'Binary base64 content')).toMatchObject({ summary: 'A picture, which is no text', content_html: '<p>A picture, which is no text</p>' });
  });

  it('escaped HTML wrapped in a div is the HTML; media:group\'s description stands in for a summary; of two <updated> the last counts', async () => {
    const { items } = await republish('atom-text.xml');
    expect(byTitle(items, 'Escaped HTML in a div').content_html).toBe('Example <b>Atom</b> content');
    expect(byTitle(items, 'YouTube style')).toMatchObject({ summary: 'A video described in media:group' });
    expect(byTitle(items, 'Two updated dates').date_published).toBe('2003-12-31T10:14:55.000Z');
  });

  it('Atom 0.3: mode="base64", naked markup in document order, mode="escaped" with text/plain and text/html', async () => {
    const { items } = await republish('atom03.xml');
    expect(byTitle(items, 'Example Atom')).toMatchObject({ summary: 'A base64 summary', content_html: '<p>A base64 <b>summary</b></p>' });
    expect(byTitle(items, 'Hello naked markup, in order')).toMatchObject({ summary: 'A naked summary, still in order', content_html: 'A <i>naked</i> summary, <b>still</b> in order' });
    expect(byTitle(items, 'History of the <blink> tag').content_html).toBe('<p>Escaped <b>content</b></p>');
  });
});
