/**
 * Markup in plain-text fields (issue 15, point 4). RSS and RDF leave the type of titles, authors
 * and categories open, and real feeds fill them with escaped HTML; JSON Feed generators copy those
 * titles. A field that looks like HTML (feedparser's test) is read as HTML: entities decoded, tags
 * dropped, script and style with their content. One that only looks like markup ("a < b", "AT&T",
 * "x<y", "<3") stays as written. Atom says which it is: type="text" is literal. The test reads what
 * a user sees: feed.json, and rss.xml / atom.xml through Python feedparser.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { looksLikeHtml } from '../../src/lib/looks-like-html.js';
import { atomFeed, rssFeed } from './helpers/feeds.js';
import { feed } from './helpers/fixture-server.js';
import { readerView, type ReaderEntry } from './helpers/reader-view.js';
import { testScope } from './helpers/scope.js';

const scope = testScope();

/** [id, the title as written in the XML, what a reader must see]. */
const RSS_TITLES: [string, string, string][] = [
  ['RW-T01 CDATA with a numeric reference and a tag', '<![CDATA[Studio (oakland) &#x0024;1725 525ft<sup>2</sup>]]>', 'Studio (oakland) $1725 525ft2'],
  ['RW-T02 escaped tags', '&lt;b&gt;Bold&lt;/b&gt; news', 'Bold news'],
  ['RW-T03 double-escaped tags', '&amp;lt;b&amp;gt;double&amp;lt;/b&amp;gt;', '<b>double</b>'],
  ['RW-T04 numeric, hex and named references', 'caf&#xe9; cr&amp;egrave;me &amp;#8220;br&amp;ucirc;l&amp;eacute;e&amp;#8221;&amp;nbsp;2025', 'café crème “brûlée” 2025'],
  ['RW-T05 script and style dropped, <br> a space', '<![CDATA[<p>Alert<script>alert(1)</script> kept<style>p{color:red}</style> and<br>spaced</p>]]>', 'Alert kept and spaced'],
  ['RW-T06 text that only looks like markup', 'a &lt; b, AT&amp;T, x&lt;y &lt;3 &amp; List&lt;String&gt;', 'a < b, AT&T, x<y <3 & List<String>'],
  ['RW-T07 the same in CDATA', '<![CDATA[AT&T <3 x<y, the <br> element]]>', 'AT&T <3 x<y, the <br> element'],
  ['RW-T08 right-to-left text with references', '&#x5E9;&#x5DC;&#x5D5;&#x5DD; &amp;amp; \u200fسلام', 'שלום & \u200fسلام'],
  ['RW-T09 an unknown named reference is text', 'Fish &amp;chips; Q&amp;A &lt;/b&gt;', 'Fish &chips; Q&A </b>'],
];

const RSS_ITEMS = RSS_TITLES.map(([, title], i) => ({
  title,
  link: `http://rss.example/${i}`,
  guid: `http://rss.example/${i}`,
  pubDate: new Date(Date.UTC(2025, 0, 1, 0, 40 - i)).toUTCString(),
  description: `Body ${i}`,
  extra:
    i === 0
      ? '<dc:creator>J&amp;eacute;r&amp;ocirc;me &lt;i&gt;Dupont&lt;/i&gt;</dc:creator><author>al@example.com (Al &amp;amp; Bo)</author>' +
        '<category><![CDATA[Food &amp; Drink]]></category><category>C++ &lt;templates&gt;</category><category>caf&amp;eacute;</category>'
      : '',
}));

const RSS_CHANNEL_TITLE = '<![CDATA[Craig&#39;s &amp; list <b>classifieds</b>]]>';

const RDF = `<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="http://rdf.example/"><title>craigslist &amp;amp; co</title><link>http://rdf.example/</link><description>d</description></channel>
  <item rdf:about="http://rdf.example/1.html"><title><![CDATA[Studio (oakland) &#x0024;1725 525ft<sup>2</sup>]]></title><link>http://rdf.example/1.html</link>
    <description>Nice</description><dc:creator>M&amp;uuml;ller</dc:creator><dc:subject>housing &amp;amp; rentals</dc:subject><dc:date>2025-01-01T00:00:00Z</dc:date></item>
</rdf:RDF>
`;

/** [id, the Atom title element, what a reader must see]. */
const ATOM_TITLES: [string, string, string][] = [
  ['RW-T10 type="text" is literal', '<title type="text">Studio 525ft&lt;sup&gt;2&lt;/sup&gt; &amp;amp; co</title>', 'Studio 525ft<sup>2</sup> &amp; co'],
  ['RW-T11 no type is text', '<title>a &lt; b &amp;eacute;</title>', 'a < b &eacute;'],
  ['RW-T12 type="html" is escaped HTML', '<title type="html">Studio 525ft&lt;sup&gt;2&lt;/sup&gt; &amp;amp; co</title>', 'Studio 525ft2 & co'],
  ['RW-T13 type="xhtml"', '<title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">x<sup>2</sup> &amp; y</div></title>', 'x2 & y'],
];

const ATOM = atomFeed(
  ATOM_TITLES.map(
    ([, title], i) =>
      `<entry>${title}<id>urn:atom:${i}</id><link href="http://atom.example/${i}"/><updated>2025-02-0${i + 1}T00:00:00Z</updated><content>Body ${i}</content>` +
      (i === 0 ? '<author><name>A &amp;amp; B &lt;i&gt;x&lt;/i&gt;</name></author><category term="R&amp;amp;D" label="R&amp;amp;D &lt;b&gt;lab&lt;/b&gt;"/>' : '') +
      '</entry>',
  ),
);

/** [id, the JSON title, what a reader must see]. */
const JSON_TITLES: [string, string, string][] = [
  ['RW-T14 WordPress-style references in a JSON title', 'It&#8217;s here &amp; <em>now</em>', 'It’s here & now'],
  ['RW-T15 plain JSON text that only looks like markup', 'a < b & AT&T x<y <3 <b> "quotes"', 'a < b & AT&T x<y <3 <b> "quotes"'],
];

const JSON_FEED = JSON.stringify({
  version: 'https://jsonfeed.org/version/1.1',
  title: 'Kottke&#8217;s <i>feed</i>',
  items: JSON_TITLES.map(([, title], i) => ({
    id: `json-${i}`,
    url: `http://json.example/${i}`,
    title,
    content_text: `Body ${i}`,
    date_published: `2025-03-0${i + 1}T00:00:00Z`,
    ...(i === 0 ? { authors: [{ name: 'J&eacute;r&ocirc;me' }, { name: 'Tom & Jerry' }], tags: ['Food &amp; Drink', 'C++ <templates>'] } : {}),
  })),
});

interface JsonOut {
  items: { title: string; url: string; authors?: { name: string }[]; tags?: string[]; _feedmirror: { publisher: { name: string } } }[];
}

async function publishAll() {
  const server = await scope.server();
  server.on('/rss.xml', feed(rssFeed(RSS_ITEMS, { title: RSS_CHANNEL_TITLE })));
  server.on('/rdf.xml', feed(RDF, 'application/rdf+xml'));
  server.on('/atom.xml', feed(ATOM, 'application/atom+xml'));
  server.on('/feed.json', feed(JSON_FEED, 'application/feed+json'));
  const h = await scope.harness({
    sources: [
      { id: 'rss', url: server.url('/rss.xml') },
      { id: 'rdf', url: server.url('/rdf.xml') },
      { id: 'atom', url: server.url('/atom.xml') },
      { id: 'json', url: server.url('/feed.json') },
    ],
  });
  await h.run();
  const json = JSON.parse(await h.output('all/feed.json')) as JsonOut;
  const byUrl = (url: string) => {
    const item = json.items.find((i) => i.url === url);
    if (!item) throw new Error(`no item ${url} in feed.json; items: ${JSON.stringify(json.items.map((i) => i.url))}`);
    return item;
  };
  return {
    byUrl,
    rss: await readerView(path.join(h.feedsDir, 'all/rss.xml')),
    atom: await readerView(path.join(h.feedsDir, 'all/atom.xml')),
    order: json.items.map((i) => i.url),
  };
}

type Published = Awaited<ReturnType<typeof publishAll>>;
let published: Promise<Published> | undefined;

/** One run serves every case: what it published is read in full before its workspace is removed. */
function outputs(): Promise<Published> {
  return (published ??= publishAll());
}

/** The outputs list items in the same order in all three formats. */
function entryOf(p: Published, format: 'rss' | 'atom', url: string): ReaderEntry {
  return p[format][p.order.indexOf(url)]!;
}

describe('plain-text fields that carry markup', () => {
  const cases: [string, string, string][] = [
    ...RSS_TITLES.map(([id, , seen], i): [string, string, string] => [`RSS ${id}`, `http://rss.example/${i}`, seen]),
    ...ATOM_TITLES.map(([id, , seen], i): [string, string, string] => [`Atom ${id}`, `http://atom.example/${i}`, seen]),
    ...JSON_TITLES.map(([id, , seen], i): [string, string, string] => [`JSON Feed ${id}`, `http://json.example/${i}`, seen]),
    ['RDF RW-T16 the craigslist title', 'http://rdf.example/1.html', 'Studio (oakland) $1725 525ft2'],
  ];

  it.each(cases)('%s: the same title in feed.json, rss.xml and atom.xml', async (_id, url, seen) => {
    const p = await outputs();
    expect(p.byUrl(url).title).toBe(seen);
    expect(entryOf(p, 'atom', url).title).toBe(seen);
    expect(entryOf(p, 'rss', url).title).toBe(seen);
  });

  it('authors and categories: references decoded and tags dropped where the format leaves the type open (RSS, RDF, JSON Feed); literal in Atom', async () => {
    const p = await outputs();
    const expectations: [string, string[], string[]][] = [
      ['http://rss.example/0', ['Al & Bo', 'Jérôme Dupont'], ['Food & Drink', 'C++ <templates>', 'café']],
      ['http://rdf.example/1.html', ['Müller'], ['housing & rentals']],
      ['http://atom.example/0', ['A &amp; B <i>x</i>'], ['R&amp;D <b>lab</b>']],
      ['http://json.example/0', ['Jérôme', 'Tom & Jerry'], ['Food & Drink', 'C++ <templates>']],
    ];
    for (const [url, authors, tags] of expectations) {
      const item = p.byUrl(url);
      expect(item.authors?.map((a) => a.name), url).toEqual(authors);
      expect(item.tags, url).toEqual(tags);
      for (const format of ['rss', 'atom'] as const) {
        const entry = entryOf(p, format, url);
        expect(entry.authors, `${format} ${url}`).toEqual(authors);
        expect(entry.tags, `${format} ${url}`).toEqual(tags);
      }
    }
  });

  it('the feed title (each item\'s publisher, and the source title readers see) is read the same way', async () => {
    const p = await outputs();
    const expectations: [string, string][] = [
      ['http://rss.example/0', "Craig's & list classifieds"],
      ['http://rdf.example/1.html', 'craigslist & co'],
      ['http://atom.example/0', 'Fixture Atom feed'],
      ['http://json.example/0', 'Kottke’s feed'],
    ];
    for (const [url, title] of expectations) {
      expect(p.byUrl(url)._feedmirror.publisher.name, url).toBe(title);
      expect(entryOf(p, 'atom', url).source, url).toBe(title);
    }
  });
});

describe('looksLikeHtml', () => {
  it.each([
    ['Studio &#x0024;1725 525ft<sup>2</sup>', true],
    ['Tom &amp; Jerry', true],
    ['<p>x</p>', true],
    ['&lt;b&gt;', true],
    ['a < b', false],
    ['AT&T', false],
    ['x<y', false],
    ['<3 you', false],
    ['the <br> element', false],
    ['List<String> and </String>', false],
    ['a<b &amp; c', false],
    ['Fish &chips;', false],
    ['', false],
  ])('%j → %s', (text, expected) => {
    expect(looksLikeHtml(text)).toBe(expected);
  });
});
