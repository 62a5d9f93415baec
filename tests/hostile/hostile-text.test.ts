/**
 * Hostile text (issue 8): invalid UTF-8, C0 control characters, NUL bytes, lone surrogates,
 * "]]>" in text and in CDATA, 1 MB titles. One CLI run fetches every case next to a good source;
 * then each test checks one case. Whatever comes in, what goes out is well-formed XML (xmllint
 * exit 0 and empty stderr), valid Atom (jing), parses cleanly in feedparser (bozo false) and is
 * valid JSON Feed 1.1; titles are capped at limits.maxTitleChars.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { decodeHTML } from 'entities';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredArticle } from '../../src/model/article.js';
import type { SourceState } from '../../src/model/source-state.js';
import { feedparser, type FeedparserResult } from '../helpers/validators.js';
import { atomFeed, numberedItems, rssFeed } from '../remote/helpers/feeds.js';
import { feed, startFixtureServer, type FixtureServer } from '../remote/helpers/fixture-server.js';
import { createHarness, type Harness } from '../remote/helpers/harness.js';
import { testScope } from '../remote/helpers/scope.js';
import { expectBoundedMemory, expectExit } from './helpers/expectations.js';
import { goodFeedXml, GOOD_TITLE } from './helpers/hostile-responses.js';
import { checkOutputTree } from './helpers/outputs.js';
import { killLeftoverChildren, runFeedmirror, type ChildResult } from './helpers/processes.js';

const MAX_TITLE_CHARS = 300; // limits.maxTitleChars for this run (default 500): the cap is configurable
/** What XML 1.0 cannot carry: C0 controls but tab/LF/CR, U+FFFE/U+FFFF, and (with the u flag) lone surrogates. */
const NOT_XML_CHAR = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/** String.prototype.isWellFormed, which the ES2023 lib this project compiles against does not declare: no lone surrogate. */
const isWellFormed = (text: string) => !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);

const C0 = Array.from({ length: 32 }, (_, i) => String.fromCharCode(i))
  .filter((c) => c !== '\0' && c !== '\t' && c !== '\n' && c !== '\r')
  .join('');

const item = (n: string) => ({ link: `http://hostile.example/${n}`, guid: `http://hostile.example/${n}`, pubDate: 'Mon, 02 Jun 2025 10:00:00 GMT' });

interface TextCase {
  id: string;
  body: () => string | Buffer;
  contentType?: string;
}

const MEGABYTE_TITLE = `${'Breaking news '.repeat(75_000)}`.slice(0, 1_048_576);

const CASES: TextCase[] = [
  {
    id: 'c0-raw',
    body: () =>
      rssFeed([{ ...item('c0'), title: `Controls [${C0}] in a title`, description: `Body [${C0}] end`, extra: `      <category>cat${C0}egory</category>\n      <author>Ann${C0} Author</author>` }], {
        title: `Channel [${C0}] title`,
      }),
  },
  {
    id: 'c0-refs',
    body: () => rssFeed([{ ...item('c0-refs'), title: 'Character references &#x1; &#x1F; &#x0B; in a title', description: 'Body &#8; end' }]),
  },
  {
    id: 'nul',
    body: () => rssFeed([{ ...item('nul'), title: 'NUL \u0000 in a title', description: 'Body \u0000 text', extra: '      <content:encoded><![CDATA[<p>NUL \u0000 in CDATA</p>]]></content:encoded>' }]),
  },
  {
    id: 'bad-utf8',
    body: () => {
      const xml = rssFeed([{ ...item('bad-utf8'), title: 'Caf\u00e9 BADBYTES broken', description: 'Body BADBYTES end' }]);
      // 0xff/0xfe never occur in UTF-8; c0 af is an overlong "/"; ed a0 80 is an encoded surrogate; e2 82 is a cut-off sequence
      const bad = Buffer.from([0xff, 0xfe, 0x20, 0xc0, 0xaf, 0x20, 0xed, 0xa0, 0x80, 0x20, 0xe2, 0x82]);
      const parts = xml.split('BADBYTES');
      return Buffer.concat(parts.flatMap((part, i) => (i === 0 ? [Buffer.from(part)] : [bad, Buffer.from(part)])));
    },
  },
  {
    id: 'surrogates-json',
    contentType: 'application/feed+json',
    body: () =>
      // written by hand: JSON.stringify would never produce these escapes from a well-formed string
      `{"version":"https://jsonfeed.org/version/1.1","title":"Surrogates \\ud800","items":[{"id":"http://hostile.example/sur","url":"http://hostile.example/sur",` +
      `"title":"Lone \\ud800 high, \\udfff low, \\udc00\\ud800 reversed, NUL \\u0000, C0 \\u0001\\u001f, \\ufffe\\uffff nonchars",` +
      `"content_html":"<p>x \\ud83d y \\u0000 z</p>","authors":[{"name":"Eve \\udead"}],"tags":["t\\ud800ag"],"date_published":"2025-06-02T10:00:00Z"}]}`,
  },
  {
    id: 'cdata-rss',
    body: () =>
      rssFeed([
        {
          ...item('cdata-rss'),
          title: 'One ]]&gt; two ]]&gt; three',
          // split CDATA sections: the description's value is "<p>a ]]> b ]]> c</p>"
          description: '<![CDATA[<p>a ]]]]><![CDATA[> b ]]]]><![CDATA[> c</p>]]>',
          extra: '      <content:encoded><![CDATA[<p>x ]]]]><![CDATA[> y ]]]]><![CDATA[> z ]]]]><![CDATA[> end</p>]]></content:encoded>',
        },
      ]),
  },
  {
    id: 'cdata-atom',
    contentType: 'application/atom+xml',
    body: () =>
      atomFeed([
        `<entry><title>Atom ]]&gt; title ]]&gt; twice</title><id>http://hostile.example/cdata-atom</id><link href="http://hostile.example/cdata-atom"/>` +
          `<updated>2025-06-02T10:00:00Z</updated><content type="html">&lt;p&gt;a ]]&amp;gt; b ]]&gt; c&lt;/p&gt;</content></entry>`,
      ]),
  },
  {
    id: 'long-title',
    body: () => rssFeed([{ ...item('long-title'), title: MEGABYTE_TITLE, description: 'A one-megabyte title.' }]),
  },
  {
    id: 'long-word',
    body: () => rssFeed([{ ...item('long-word'), title: 'x'.repeat(1_048_576), description: 'A one-megabyte title without a space.' }]),
  },
  {
    id: 'long-json-title',
    contentType: 'application/feed+json',
    body: () => JSON.stringify({ version: 'https://jsonfeed.org/version/1.1', title: 'Long', items: [{ id: 'http://hostile.example/long-json', url: 'http://hostile.example/long-json', title: MEGABYTE_TITLE, content_text: 'x' }] }),
  },
  {
    id: 'unicode-oddities',
    // noncharacters as raw UTF-8 bytes, a BOM mid-text, bidi overrides, line/paragraph separators
    body: () => rssFeed([{ ...item('unicode'), title: 'Odd \uFFFE\uFFFF \uFEFF \u202Eevil\u202C \u2028 \u2029 end', description: 'Body \uFFFF end' }]),
  },
];

let server: FixtureServer;
let h: Harness;
let run: ChildResult;
let articles: Map<string, StoredArticle[]>;
let states: Map<string, SourceState>;
const parsed: Partial<Record<'rss' | 'atom', FeedparserResult>> = {};
let jsonFeed: { items: { id: string; title?: string; content_html?: string; summary?: string; authors?: { name?: string }[]; tags?: string[] }[] };
let jsonText: string;

describe('hostile text: outputs stay well-formed and valid', () => {
  beforeAll(async () => {
    server = await startFixtureServer();
    for (const c of CASES) server.on(`/${c.id}`, feed(c.body(), c.contentType));
    server.on('/good.xml', feed(goodFeedXml()));
    h = await createHarness({
      sources: [...CASES.map((c) => ({ id: c.id, url: server.url(`/${c.id}`) })), { id: 'good', url: server.url('/good.xml') }],
      limits: { maxTitleChars: MAX_TITLE_CHARS },
    });
    run = await runFeedmirror(['run', '--config', h.configPath, '--log-format', 'json'], { cwd: h.dir });
    states = await h.states();
    articles = new Map(await Promise.all(CASES.map(async (c) => [c.id, await h.articles([c.id])] as const)));
    jsonText = await readFile(path.join(h.feedsDir, 'all/feed.json'), 'utf8');
    jsonFeed = JSON.parse(jsonText) as typeof jsonFeed;
  }, 180_000);

  afterAll(async () => {
    killLeftoverChildren();
    await server?.close();
    await h?.cleanup();
  });

  const feedparsed = async (format: 'rss' | 'atom') => (parsed[format] ??= await feedparser(path.join(h.feedsDir, `all/${format}.xml`)));
  const storedOnly = (id: string): StoredArticle => {
    const list = articles.get(id) ?? [];
    expect(list, `${id}: ${states.get(id)?.lastErrorCode} ${states.get(id)?.lastError}`).toHaveLength(1);
    return list[0]!;
  };

  it('the run exits 0 within the memory bound, and the good source is published', async () => {
    expectExit(run, 0);
    expectBoundedMemory(run);
    expect((await h.articles(['good'])).map((a) => a.title)).toEqual([GOOD_TITLE]);
  });

  it('every output file is valid: xmllint (exit 0, empty stderr), jing Atom, feedparser bozo false, JSON Feed 1.1 schema', async () => {
    expect(await checkOutputTree(h.feedsDir)).toEqual([]);
  });

  it('no stored field carries a character XML cannot (C0 controls, NUL, U+FFFE/U+FFFF, lone surrogates)', () => {
    for (const [id, list] of articles) {
      for (const article of list) {
        const fields = [article.title, article.summary ?? '', article.contentHtml, ...article.authors.map((a) => a.name), ...article.categories];
        for (const field of fields) expect(NOT_XML_CHAR.test(field), `${id}: ${JSON.stringify(field.slice(0, 200))}`).toBe(false);
      }
    }
  });

  it('raw C0 controls are stripped and the text around them kept', () => {
    const article = storedOnly('c0-raw');
    // \v and \f are whitespace to the title's whitespace collapsing, so one space may remain
    expect(article.title).toMatch(/^Controls \[ ?\] in a title$/);
    expect(article.contentHtml).toContain('Body [] end');
    expect(article.categories).toEqual(['category']);
  });

  it('character references to C0 controls (&#x1;), which XML 1.0 forbids, are dropped and the rest of the feed is kept', () => {
    // sax (strict) rejects the document; the lenient retry removes the forbidden references, as feedparser would ignore them.
    expect(states.get('c0-refs')).toMatchObject({ lastOutcome: 'ok', lastErrorCode: null });
    const article = storedOnly('c0-refs');
    expect(article.title).toMatch(/^Character references +in a title$/);
    expect(article.contentHtml).toContain('Body  end');
  });

  it('NUL bytes are stripped from text and CDATA', () => {
    const article = storedOnly('nul');
    expect(article.title).toBe('NUL  in a title');
    expect(article.contentHtml).toBe('<p>NUL  in CDATA</p>');
  });

  it('invalid UTF-8 never reaches the output as invalid bytes: every output file is valid UTF-8', async () => {
    const article = storedOnly('bad-utf8');
    expect(article.title).toContain('broken');
    for (const file of ['all/rss.xml', 'all/atom.xml', 'all/feed.json']) {
      const bytes = await readFile(path.join(h.feedsDir, file));
      expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes), file).not.toThrow();
    }
  });

  it('lone surrogates in a JSON Feed item are dropped from every item field', () => {
    const article = storedOnly('surrogates-json');
    expect(article.title).toBe('Lone  high,  low,  reversed, NUL , C0 ,  nonchars');
    expect(article.authors.map((a) => a.name)).toEqual(['Eve']);
    const published = jsonFeed.items.find((i) => i.id === 'http://hostile.example/sur');
    expect(published?.title).toBe(article.title);
    for (const value of [published?.title, published?.content_html, ...(published?.authors ?? []).map((a) => a.name), ...(published?.tags ?? [])]) {
      if (value !== undefined) expect(isWellFormed(value), JSON.stringify(value)).toBe(true);
    }
  });

  it('feed.json carries no C0 control and no lone surrogate anywhere, also where the feed\'s own <title> lands (_feedmirror.publisher.name)', () => {
    // JSON.stringify writes them as \u0001 and \ud800: valid JSON, but not text any reader can display or re-encode
    const escapes = jsonText.split('\n').filter((line) => /\\u00[01][0-9a-f]|\\ud[89a-f][0-9a-f]{2}/i.test(line));
    expect(escapes).toEqual([]);
  });

  it('"]]>" (twice and more) in an RSS title and in CDATA content survives as text, in every format', async () => {
    const article = storedOnly('cdata-rss');
    expect(article.title).toBe('One ]]> two ]]> three');
    for (const format of ['rss', 'atom'] as const) {
      // feedparser hands titles and content over as HTML (title_detail text/html): "]]&gt;" there reads "]]>"
      const entry = (await feedparsed(format)).entries.find((e) => e.link === 'http://hostile.example/cdata-rss');
      expect(decodeHTML(entry?.title ?? ''), format).toBe('One ]]> two ]]> three');
      expect(decodeHTML(entry?.content.join('') ?? ''), format).toBe('<p>x ]]> y ]]> z ]]> end</p>');
    }
    expect(jsonFeed.items.find((i) => i.id === 'http://hostile.example/cdata-rss')?.title).toBe('One ]]> two ]]> three');
  });

  it('"]]>" in an Atom title and html content survives as text', async () => {
    expect(storedOnly('cdata-atom').title).toBe('Atom ]]> title ]]> twice');
    const entry = (await feedparsed('atom')).entries.find((e) => e.link === 'http://hostile.example/cdata-atom');
    expect(decodeHTML(entry?.title ?? '')).toBe('Atom ]]> title ]]> twice');
  });

  for (const id of ['long-title', 'long-word', 'long-json-title']) {
    it(`a 1 MB title (${id}) is capped at limits.maxTitleChars (${MAX_TITLE_CHARS}) in the store and in every format`, async () => {
      const article = storedOnly(id);
      expect(article.title.length).toBeGreaterThan(MAX_TITLE_CHARS / 2);
      expect(article.title.length).toBeLessThanOrEqual(MAX_TITLE_CHARS);
      expect(article.title.endsWith('…')).toBe(true);
      for (const format of ['rss', 'atom'] as const) {
        const entry = (await feedparsed(format)).entries.find((e) => e.link === article.url);
        expect(entry?.title?.length, format).toBeLessThanOrEqual(MAX_TITLE_CHARS);
      }
      expect(jsonFeed.items.find((i) => i.title === article.title)).toBeDefined();
    });
  }

  it('the generated files stay small although three titles were a megabyte each', async () => {
    for (const file of ['all/rss.xml', 'all/atom.xml', 'all/feed.json']) {
      expect((await readFile(path.join(h.feedsDir, file))).length, file).toBeLessThan(200_000);
    }
  });

  it('Unicode noncharacters U+FFFE/U+FFFF are dropped; a mid-text BOM, bidi overrides and U+2028/U+2029 (legal XML) pass', () => {
    const article = storedOnly('unicode-oddities');
    expect(article.title).not.toMatch(/[\uFFFE\uFFFF]/);
    expect(article.title).toContain('evil');
  });
});

describe('a hostile feed-level title', () => {
  const scope = testScope();

  it('a 1 MB channel <title> is capped like item titles (it is copied into every item as the publisher name, so an uncapped one multiplies)', async () => {
    const server = await scope.server();
    server.on('/feed.xml', feed(rssFeed(numberedItems(20), { title: MEGABYTE_TITLE })));
    const h = await scope.harness({ sources: [{ id: 'big-channel-title', url: server.url('/feed.xml') }], limits: { maxTitleChars: MAX_TITLE_CHARS } });

    await h.run();

    const stored = await h.articles();
    expect(stored).toHaveLength(20);
    for (const article of stored) expect(article.publisher?.name.length ?? 0).toBeLessThanOrEqual(MAX_TITLE_CHARS);
    for (const file of ['all/rss.xml', 'all/atom.xml', 'all/feed.json']) {
      // 20 items of a few hundred bytes each; a 1 MB name per item would make these 20–40 MB
      expect((await readFile(path.join(h.feedsDir, file))).length, file).toBeLessThan(1_000_000);
    }
  });
});
