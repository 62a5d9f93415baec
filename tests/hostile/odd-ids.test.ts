/**
 * Odd and hostile guids, links, enclosures and authors, one item per case, republished from a feed
 * on 127.0.0.1 into a single-source output ("one") and a merged one ("all", with a second source
 * serving the same guids). Every file passes xmllint, jing, feedparser (bozo false) and the W3C
 * Feed Validator; each Atom id is an absolute URI, the guid itself when it is one; RSS and JSON
 * Feed keep the guid, but in the merged output where it is not globally unique; the ids are the
 * same on every run, from a fresh store too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toAbsoluteUri } from '../../src/lib/absolute-uri.js';
import { childNamed, childrenNamed, parseXml, type XmlNode } from '../helpers/xml.js';
import { atomFeed, rssFeed, type RssItemSpec } from '../remote/helpers/feeds.js';
import { feed, startFixtureServer, type FixtureServer } from '../remote/helpers/fixture-server.js';
import { createHarness, type Harness } from '../remote/helpers/harness.js';
import { checkOutputTree } from './helpers/outputs.js';

interface GuidCase {
  name: string;
  /** The guid as the feed serves it (text, escaped here); undefined: no <guid>. */
  guid?: string;
  permaLinkAttr?: false;
  link?: string;
  /** The Atom id expected, or a pattern for a hashed one. */
  atomId: string | RegExp;
  /** RSS isPermaLink in the single-source output. */
  isPermaLink?: boolean;
}

const LONG_ASCII = 'g'.repeat(2000);
const LONG_FITTING = 'é'.repeat(170); // 1,020 characters once percent-encoded: still fits

const GUID_CASES: GuidCase[] = [
  { name: 'plain non-IRI guid', guid: '1600-2823', permaLinkAttr: false, link: 'http://odd.example/1', atomId: 'urn:feedmirror:guid:odd:1600-2823' },
  { name: 'guid with spaces', guid: 'Correct Value', link: 'http://odd.example/2', atomId: 'urn:feedmirror:guid:odd:Correct%20Value' },
  { name: 'non-ASCII guid', guid: 'новость-42', link: 'http://odd.example/3', atomId: 'urn:feedmirror:guid:odd:%D0%BD%D0%BE%D0%B2%D0%BE%D1%81%D1%82%D1%8C-42' },
  { name: 'urn: alone', guid: 'urn:', link: 'http://odd.example/4', atomId: 'urn:feedmirror:guid:odd:urn%3A' },
  { name: 'urn: without NSS', guid: 'urn:isbn', link: 'http://odd.example/5', atomId: 'urn:feedmirror:guid:odd:urn%3Aisbn' },
  { name: 'valid URN', guid: 'urn:isbn:0451450523', link: 'http://odd.example/6', atomId: 'urn:isbn:0451450523' },
  { name: 'URN with a slash (RFC 8141 yes, RFC 2141 no)', guid: 'urn:example:a/b', link: 'http://odd.example/7', atomId: 'urn:feedmirror:guid:odd:urn%3Aexample%3Aa%2Fb' },
  { name: 'valid UUID URN', guid: 'urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a', link: 'http://odd.example/8', atomId: 'urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a' },
  { name: 'broken UUID URN', guid: 'urn:uuid:123', link: 'http://odd.example/9', atomId: 'urn:feedmirror:guid:odd:urn%3Auuid%3A123' },
  { name: 'http:// with no host', guid: 'http://', permaLinkAttr: false, link: 'http://odd.example/10', atomId: 'urn:feedmirror:guid:odd:http%3A%2F%2F' },
  { name: 'http:/// with an empty host', guid: 'http:///path', permaLinkAttr: false, link: 'http://odd.example/11', atomId: 'urn:feedmirror:guid:odd:http%3A%2F%2F%2Fpath' },
  { name: 'http URL with a bracket in the host', guid: 'http://example.c[o.test/', permaLinkAttr: false, link: 'http://odd.example/12', atomId: 'urn:feedmirror:guid:odd:http%3A%2F%2Fexample.c%5Bo.test%2F' },
  { name: 'http URL with a space', guid: 'https://odd.example/a b', permaLinkAttr: false, link: 'http://odd.example/13', atomId: 'urn:feedmirror:guid:odd:https%3A%2F%2Fodd.example%2Fa%20b' },
  { name: 'IRI with non-ASCII host and path', guid: 'http://例え.jp/パス', permaLinkAttr: false, link: 'http://odd.example/14', atomId: 'http://%E4%BE%8B%E3%81%88.jp/%E3%83%91%E3%82%B9' },
  { name: 'valid tag URI', guid: 'tag:odd.example,2024:item-15', link: 'http://odd.example/15', atomId: 'tag:odd.example,2024:item-15' },
  { name: 'tag URI with an uppercase authority', guid: 'tag:Odd.Example,2024:x', link: 'http://odd.example/16', atomId: 'urn:feedmirror:guid:odd:tag%3AOdd.Example%2C2024%3Ax' },
  { name: 'percent sign and tilde', guid: '100%~done', link: 'http://odd.example/17', atomId: 'urn:feedmirror:guid:odd:100%25%7Edone' },
  { name: 'markup characters', guid: '<b>&"x"</b>', link: 'http://odd.example/18', atomId: 'urn:feedmirror:guid:odd:%3Cb%3E%26%22x%22%3C%2Fb%3E' },
  { name: 'very long guid (hashed)', guid: LONG_ASCII, link: 'http://odd.example/19', atomId: /^urn:feedmirror:guid-sha256:odd:[0-9a-f]{64}$/ },
  { name: 'long guid that still fits', guid: LONG_FITTING, link: 'http://odd.example/20', atomId: `urn:feedmirror:guid:odd:${'%C3%A9'.repeat(170)}` },
  { name: 'permalink guid equal to the link', guid: 'http://odd.example/21', link: 'http://odd.example/21', atomId: 'http://odd.example/21', isPermaLink: true },
  { name: 'URL guid not the link', guid: 'http://odd.example/?p=22', permaLinkAttr: false, link: 'http://odd.example/pretty-22', atomId: 'http://odd.example/?p=22' },
  { name: 'javascript: guid (a URI, never a link)', guid: 'javascript:alert(1)', link: 'http://odd.example/23', atomId: 'javascript:alert(1)' },
  { name: 'no guid, no link', atomId: /^urn:feedmirror:item:[0-9a-f]{32}$/ },
  { name: 'non-IRI guid, no link', guid: 'lonely-25', atomId: 'urn:feedmirror:guid:odd:lonely-25' },
];

interface LinkCase {
  name: string;
  link: string;
  /** How RSS <link> and Atom href carry it. */
  written: string;
}

const LINK_CASES: LinkCase[] = [
  { name: 'pipe, caret and brackets in the path', link: 'http://links.example/a|b^c[d]', written: 'http://links.example/a%7Cb%5Ec%5Bd%5D' },
  { name: 'braces and a backtick in the query', link: 'http://links.example/q?x={y}&z=`w`', written: 'http://links.example/q?x=%7By%7D&z=%60w%60' },
  { name: 'second hash in the fragment', link: 'http://links.example/f#one#two', written: 'http://links.example/f#one%23two' },
  { name: 'stray percent sign', link: 'http://links.example/100%', written: 'http://links.example/100%25' },
  { name: 'non-ASCII host and path', link: 'http://例え.jp/パス', written: 'http://xn--r8jz45g.jp/%E3%83%91%E3%82%B9' },
  { name: 'relative link (resolved against the feed)', link: '/relative/26', written: '' /* filled in with the server's origin */ },
];

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const date = (n: number) => new Date(Date.UTC(2024, 0, 1 + n, 12)).toUTCString();

function guidItems(prefix: string, linkHost: string, cases = GUID_CASES): RssItemSpec[] {
  return cases.map((c, n) => ({
    title: `${prefix}${c.name}`,
    ...(c.link ? { link: c.link.replace('odd.example', linkHost) } : {}),
    ...(c.guid !== undefined ? { guid: escapeXml(c.guid), ...(c.permaLinkAttr === false ? { guidIsPermaLink: false } : {}) } : {}),
    pubDate: date(n),
    ...(c.name === 'no guid, no link' ? {} : { description: `Body of ${c.name}` }),
  }));
}

function linkItems(): RssItemSpec[] {
  return LINK_CASES.map((c, n) => ({ title: `link: ${c.name}`, link: escapeXml(c.link), guid: `link-${n}`, guidIsPermaLink: false, pubDate: date(100 + n), description: 'x' }));
}

/** One Atom feed: enclosures, media types, lengths and authors a validator would refuse. */
const MEDIA_FEED = atomFeed([
  `<entry><id>urn:uuid:00000000-0000-4000-8000-000000000001</id><title>media: single-label host first</title><updated>2024-03-01T00:00:00Z</updated>
    <link href="http://media.example/1"/>
    <link rel="enclosure" href="https://cdn/ep1.mp3" type="audio/mpeg" length="100"/>
    <link rel="enclosure" href="https://cdn.media.example/ep1.mp3" type="mp3" length="1e30"/>
    <author><name>Nobody</name><email>not-an-email</email><uri>/about</uri></author>
    <author><name>Somebody</name><email>somebody@media.example</email></author>
    <content>one</content></entry>`,
  `<entry><id>urn:uuid:00000000-0000-4000-8000-000000000002</id><title>media: odd type and length</title><updated>2024-03-02T00:00:00Z</updated>
    <link href="http://media.example/2"/>
    <link rel="enclosure" href="https://cdn.media.example/ep2.mp3" type="audio" length="12.5"/>
    <author><name>Half</name><email>a@b</email></author>
    <content>two</content></entry>`,
]);

let server: FixtureServer;
const harnesses: Harness[] = [];

async function project(): Promise<Harness> {
  const h = await createHarness({
    sources: [
      { id: 'odd', url: server.url('/odd.xml') },
      { id: 'twin', url: server.url('/twin.xml') },
      { id: 'media', url: server.url('/media.xml') },
    ],
    outputs: [
      { id: 'one', title: 'One source', sources: ['odd'], limit: 1000 },
      { id: 'all', title: 'Merged', sources: ['*'], limit: 1000 },
    ],
  });
  harnesses.push(h);
  return h;
}

let first: Harness;
beforeAll(async () => {
  server = await startFixtureServer();
  server.on('/odd.xml', feed(rssFeed([...guidItems('', 'odd.example'), ...linkItems()])));
  // The same local guids from another source, with other links: a merged output must not show two
  // items as one. (Global guids are left out: which copy a merged output shows is the store's call.)
  const local = GUID_CASES.filter((c) => c.guid !== undefined && toAbsoluteUri(c.guid) === null);
  server.on('/twin.xml', feed(rssFeed(guidItems('twin: ', 'twin.example', local))));
  server.on('/media.xml', feed(MEDIA_FEED, 'application/atom+xml'));
  first = await project();
  await first.run();
});
afterAll(async () => {
  for (const h of harnesses) await h.cleanup();
  await server?.close();
});

interface Ids {
  rss: Map<string, { guid: string; isPermaLink: string; link: string | null }>;
  atom: Map<string, { id: string; link: string | null }>;
  json: Map<string, string>;
}

const text = (node: XmlNode, name: string) => childrenNamed(node, name)[0]?.text.trim() ?? null;

/** Each item's ids in one output, keyed by title. */
async function idsOf(h: Harness, output: string): Promise<Ids> {
  const rss = parseXml(await h.output(`${output}/rss.xml`));
  const atom = parseXml(await h.output(`${output}/atom.xml`));
  const json = JSON.parse(await h.output(`${output}/feed.json`)) as { items: { id: string; title: string }[] };
  const ids: Ids = { rss: new Map(), atom: new Map(), json: new Map() };
  for (const item of childrenNamed(childNamed(rss, 'channel'), 'item')) {
    const guid = childNamed(item, 'guid');
    ids.rss.set(text(item, 'title')!, { guid: guid.text, isPermaLink: guid.attributes.isPermaLink!, link: text(item, 'link') });
  }
  for (const entry of childrenNamed(atom, 'entry')) {
    const alternate = childrenNamed(entry, 'link').find((l) => (l.attributes.rel ?? 'alternate') === 'alternate');
    ids.atom.set(unescape(text(entry, 'title')!), { id: text(entry, 'id')!, link: alternate?.attributes.href ?? null });
  }
  for (const item of json.items) ids.json.set(item.title, item.id);
  return ids;
}

/** Atom titles are type="html": markup-free here, but "&" and "<" would be escaped. */
const unescape = (html: string) => html.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');

describe('odd guids: Atom ids are absolute URIs, RSS and JSON Feed keep the guid where it is unique', () => {
  it('every file passes xmllint, jing, feedparser (bozo false) and the W3C Feed Validator', async () => {
    expect(await checkOutputTree(first.feedsDir)).toEqual([]);
  });

  for (const c of GUID_CASES) {
    it(`${c.name}: ${c.guid === undefined ? '(none)' : JSON.stringify(c.guid.length > 60 ? `${c.guid.slice(0, 20)}…` : c.guid)}`, async () => {
      const one = await idsOf(first, 'one');
      const all = await idsOf(first, 'all');
      const atomId = one.atom.get(c.name)!.id;
      if (typeof c.atomId === 'string') expect(atomId).toBe(c.atomId);
      else expect(atomId).toMatch(c.atomId);
      expect(toAbsoluteUri(atomId), 'an absolute URI as it is').toBe(atomId);
      expect(all.atom.get(c.name)!.id, 'the same Atom id in every output').toBe(atomId);

      const rssGuid = one.rss.get(c.name)!;
      const kept = c.guid ?? atomId;
      expect(rssGuid.guid, 'RSS guid of the source\'s own output: as served').toBe(kept);
      expect(one.json.get(c.name), 'JSON Feed id of the source\'s own output: as served').toBe(kept);
      expect(rssGuid.isPermaLink).toBe(String(c.isPermaLink ?? false));

      const globallyUnique = toAbsoluteUri(kept) !== null;
      expect(all.rss.get(c.name)!.guid, 'merged RSS guid').toBe(globallyUnique ? kept : atomId);
      expect(all.json.get(c.name), 'merged JSON Feed id').toBe(globallyUnique ? kept : atomId);
    });
  }

  it('an entry with neither link nor content gets its summary, or its title, as content (RFC 4287 §4.1.1)', async () => {
    const atom = parseXml(await first.output('one/atom.xml'));
    for (const name of ['no guid, no link', 'non-IRI guid, no link']) {
      const entry = childrenNamed(atom, 'entry').find((e) => unescape(text(e, 'title')!) === name)!;
      expect(childrenNamed(entry, 'link').filter((l) => (l.attributes.rel ?? 'alternate') === 'alternate'), name).toEqual([]);
      expect(text(entry, 'content'), name).toBe(name === 'no guid, no link' ? name : `Body of ${name}`);
    }
  });

  it('the merged output lists both sources\' items with the same non-IRI guid under different ids', async () => {
    const all = await idsOf(first, 'all');
    const guids = [...all.rss.values()].map((v) => v.guid);
    expect(new Set(guids).size).toBe(guids.length);
    expect(all.rss.get('twin: plain non-IRI guid')!.guid).toBe('urn:feedmirror:guid:twin:1600-2823');
    expect(all.rss.get('plain non-IRI guid')!.guid).toBe('urn:feedmirror:guid:odd:1600-2823');
  });

  it('ids are the same on every run: after an edit, and from a fresh store', async () => {
    const before = { one: await idsOf(first, 'one'), all: await idsOf(first, 'all') };
    server.on('/odd.xml', feed(rssFeed([...guidItems('', 'odd.example').map((item) => ({ ...item, description: `${item.description ?? ''} (edited)` })), ...linkItems()])));
    await first.run({ all: true });
    const fresh = await project();
    await fresh.run();
    for (const h of [first, fresh]) {
      for (const output of ['one', 'all'] as const) {
        const after = await idsOf(h, output);
        expect([...after.atom].map(([title, v]) => [title, v.id])).toEqual([...before[output].atom].map(([title, v]) => [title, v.id]));
        expect([...after.rss].map(([title, v]) => [title, v.guid])).toEqual([...before[output].rss].map(([title, v]) => [title, v.guid]));
        expect([...after.json]).toEqual([...before[output].json]);
      }
    }
    expect(await checkOutputTree(fresh.feedsDir)).toEqual([]);
  });
});

describe('odd links are written as RFC 3986 URIs', () => {
  for (const c of LINK_CASES) {
    it(`${c.name}: ${c.link}`, async () => {
      const written = c.written || `${server.origin}${c.link}`;
      const one = await idsOf(first, 'one');
      expect(one.rss.get(`link: ${c.name}`)!.link).toBe(written);
      expect(one.atom.get(`link: ${c.name}`)!.link).toBe(written);
    });
  }
});

describe('enclosures, media types, lengths and authors a validator would refuse', () => {
  const entry = async (title: string) => childrenNamed(parseXml(await first.output('all/atom.xml')), 'entry').find((e) => text(e, 'title') === title)!;
  const item = async (title: string) => childrenNamed(childNamed(parseXml(await first.output('all/rss.xml')), 'channel'), 'item').find((i) => text(i, 'title') === title)!;

  it('RSS carries the first enclosure on a fetchable http(s) host, with a valid type and length; Atom keeps every enclosure, leaving out what is invalid', async () => {
    expect(childrenNamed(await item('media: single-label host first'), 'enclosure').map((e) => e.attributes)).toEqual([
      { url: 'https://cdn.media.example/ep1.mp3', length: '0', type: 'application/octet-stream' },
    ]);
    expect(childrenNamed(await item('media: odd type and length'), 'enclosure').map((e) => e.attributes)).toEqual([
      { url: 'https://cdn.media.example/ep2.mp3', length: '0', type: 'application/octet-stream' },
    ]);
    const enclosures = childrenNamed(await entry('media: single-label host first'), 'link').filter((l) => l.attributes.rel === 'enclosure');
    expect(enclosures.map((e) => e.attributes)).toEqual([
      { rel: 'enclosure', href: 'https://cdn/ep1.mp3', type: 'audio/mpeg', length: '100' },
      { rel: 'enclosure', href: 'https://cdn.media.example/ep1.mp3' },
    ]);
  });

  it('Atom authors keep their names; an e-mail address that is none is left out', async () => {
    const authors = (node: XmlNode) => childrenNamed(node, 'author').map((a) => ({ name: text(a, 'name'), email: text(a, 'email') }));
    expect(authors(await entry('media: single-label host first'))).toEqual([
      { name: 'Nobody', email: null },
      { name: 'Somebody', email: 'somebody@media.example' },
    ]);
    expect(authors(await entry('media: odd type and length'))).toEqual([{ name: 'Half', email: null }]);
  });
});
