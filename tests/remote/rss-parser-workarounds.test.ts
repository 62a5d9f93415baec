/**
 * One test per rss-parser 3.13 pitfall that feedmirror works around.
 * Each would fail if the workaround were removed.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { xmllint } from '../helpers/validators.js';
import { w3cErrorLines, w3cValidate } from '../helpers/w3c-validator.js';
import { feed, fixtureBytes } from './helpers/fixture-server.js';
import { atomFeed, numberedItems, rssFeed } from './helpers/feeds.js';
import { articleTitled } from './helpers/harness.js';
import { testScope } from './helpers/scope.js';

const scope = testScope();

async function harvestOnce(body: string | Buffer, contentType = 'application/rss+xml') {
  const server = await scope.server();
  server.on('/feed.xml', feed(body, contentType));
  const h = await scope.harness({ sources: [{ id: 'src', url: server.url('/feed.xml') }] });
  await h.run();
  return { h, state: await h.state('src'), articles: await h.articles() };
}

const TRUNCATED = rssFeed(numberedItems(3)).slice(0, 250);
/** What a reused rss-parser (xml2js) instance accepts after an earlier failure. */
const SLOPPY = '<?xml version="1.0"?><rss version="2.0"><channel><title>Tom & Jerry</title><item><title>unclosed<link>http://example.com/x</link></item></channel></rss>';

describe('rss-parser workarounds', () => {
  it('RW-P01 the XML encoding declaration is honoured (rss-parser alone reads every Buffer as UTF-8)', async () => {
    const { articles } = await harvestOnce(fixtureBytes('real/miniflux/encoding_WINDOWS-1251.xml'), 'application/rss+xml');
    expect(articles.map((a) => a.title)).toContain('Цитата #17703');
  });

  it('RW-P02 a fresh parser per parse: a malformed feed after a failed parse is still rejected (separate runs)', async () => {
    const server = await scope.server();
    server.on('/broken.xml', feed(TRUNCATED));
    server.on('/sloppy.xml', feed(SLOPPY));
    const h = await scope.harness({
      sources: [
        { id: 'broken', url: server.url('/broken.xml') },
        { id: 'sloppy', url: server.url('/sloppy.xml') },
      ],
    });
    await h.run({ only: ['broken'] });
    expect((await h.state('broken')).lastErrorCode).toBe('FM_PARSE');
    await h.run({ only: ['sloppy'] });
    expect(await h.state('sloppy')).toMatchObject({ lastErrorCode: 'FM_PARSE', lastOutcome: 'error' });
    expect(await h.articles()).toEqual([]);
  });

  it('RW-P02 a fresh parser per parse: in one run, one at a time, failed → malformed → good', async () => {
    const server = await scope.server();
    server.on('/broken.xml', feed(TRUNCATED));
    server.on('/sloppy.xml', feed(SLOPPY));
    server.on('/good.xml', feed(rssFeed(numberedItems(1))));
    const h = await scope.harness({
      sources: [
        { id: 'broken', url: server.url('/broken.xml') },
        { id: 'sloppy', url: server.url('/sloppy.xml') },
        { id: 'good', url: server.url('/good.xml') },
      ],
      fetch: { concurrency: 1 },
    });
    const { report } = await h.run();
    expect(report.failedSources.sort()).toEqual(['broken', 'sloppy']);
    expect((await h.articles()).map((a) => a.title)).toEqual(['Item 1']);
  });

  it('RW-P03 an invalid Atom <published> in one entry does not reject the feed (rss-parser throws RangeError for all)', async () => {
    const entry = (n: number, dates: string) => `<entry><title>Entry ${n}</title><id>tag:example.com,2025:${n}</id><link href="http://example.com/e/${n}"/>${dates}</entry>`;
    const body = atomFeed([
      entry(1, '<published>2025-06-01T10:00:00Z</published><updated>2025-06-01T10:00:00Z</updated>'),
      entry(2, '<published>not a date</published><updated>2025-06-02T10:00:00Z</updated>'),
      entry(3, '<published>2025-13-45T99:99:99Z</published><updated>yesterday</updated>'),
    ]);
    const { state, articles } = await harvestOnce(body, 'application/atom+xml');
    expect(state).toMatchObject({ lastOutcome: 'ok' });
    expect(articles).toHaveLength(3);
    expect(articleTitled(articles, 'Entry 1')).toMatchObject({ published: '2025-06-01T10:00:00.000Z', dateSource: 'feed' });
    expect(articleTitled(articles, 'Entry 2')).toMatchObject({ published: '2025-06-02T10:00:00.000Z', dateSource: 'feed-updated' });
    expect(articleTitled(articles, 'Entry 3')).toMatchObject({ dateSource: 'first-seen' });
  });

  it('RW-P04 a DOCTYPE with an internal entity is parsed, the entity left literal and never expanded', async () => {
    const body = `<?xml version="1.0"?>
<!DOCTYPE rss [
  <!ENTITY co "ACME Corporation">
]>
<rss version="2.0"><channel><title>&co; feed</title><link>http://example.com/</link><description>d</description>
<item><title>&co; news</title><link>http://example.com/co</link><description>Made by &co;.</description></item>
</channel></rss>`;
    const { state, articles } = await harvestOnce(body);
    expect(state).toMatchObject({ lastOutcome: 'ok' });
    expect(articles).toHaveLength(1);
    expect(articles[0]?.title).toBe('&co; news');
    expect(JSON.stringify(articles)).not.toContain('ACME Corporation');
  });

  it('RW-P04 the RSS 0.91 Netscape DOCTYPE with an undefined entity: parsed, the entity literal, HTML entities decoded', async () => {
    const body = `<?xml version="1.0" encoding="ISO-8859-1"?>
<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd">
<rss version="0.91"><channel><title>Old school</title><link>http://example.com/</link><description>d</description><language>en</language>
<item><title>Caf&eacute; &amp; &zzundefined; bar</title><link>http://example.com/old</link></item>
</channel></rss>`;
    const { state, articles } = await harvestOnce(body);
    expect(state, state.lastError ?? '').toMatchObject({ lastOutcome: 'ok' });
    expect(articles[0]?.title).toBe('Café & &zzundefined; bar');
  });

  it('RW-P04 an undefined entity (no DOCTYPE) is left literal; HTML named entities are still decoded', async () => {
    const body = rssFeed([
      { title: '&undefinedthing; stays', link: 'http://example.com/u1' },
      { title: 'Caf&eacute;&nbsp;&mdash; decoded', link: 'http://example.com/u2' },
    ]);
    const { state, articles } = await harvestOnce(body);
    expect(state).toMatchObject({ lastOutcome: 'ok' });
    expect(articles.find((a) => a.url === 'http://example.com/u1')?.title).toBe('&undefinedthing; stays');
    expect(articles.find((a) => a.url === 'http://example.com/u2')?.title).toBe('Café — decoded');
  });

  it('RW-P04 an external entity (XXE) is never read', async () => {
    const body = `<?xml version="1.0"?>
<!DOCTYPE rss [ <!ENTITY xxe SYSTEM "file:///etc/hostname"> ]>
<rss version="2.0"><channel><title>x</title><link>http://example.com/</link><description>d</description>
<item><title>Secret: &xxe;</title><link>http://example.com/xxe</link></item></channel></rss>`;
    const { state, articles } = await harvestOnce(body);
    let hostname = '';
    try {
      hostname = readFileSync('/etc/hostname', 'utf8').trim();
    } catch {
      // no such file here: the literal check below is enough
    }
    if (state.lastOutcome === 'ok') {
      expect(articles[0]?.title).toBe('Secret: &xxe;');
      if (hostname) expect(JSON.stringify(articles)).not.toContain(hostname);
    } else {
      expect(state.lastErrorCode).toBe('FM_PARSE');
    }
  });

  it('RW-P04 billion laughs is not expanded', async () => {
    const levels = ['<!ENTITY lol "lol">', ...Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`)];
    const body = `<?xml version="1.0"?>
<!DOCTYPE rss [ ${levels.join('\n')} ]>
<rss version="2.0"><channel><title>lol</title><link>http://example.com/</link><description>d</description>
<item><title>&lol9;</title><link>http://example.com/lol</link></item></channel></rss>`;
    const { state, articles } = await harvestOnce(body);
    if (state.lastOutcome === 'ok') expect(articles[0]?.title).toBe('&lol9;');
    else expect(state.lastErrorCode).toBe('FM_PARSE');
    expect(JSON.stringify(articles)).not.toContain('lollollol');
  });

  it('RW-P05 several links: the alternate link is the URL even when another rel comes first; several authors are kept', async () => {
    const body = atomFeed([
      `<entry><title>Links</title><id>tag:example.com,2025:links</id><updated>2025-06-01T00:00:00Z</updated>
        <link rel="related" href="http://example.com/related"/>
        <link rel="self" href="http://example.com/entry.atom"/>
        <link rel="alternate" type="text/html" href="http://example.com/the-post"/>
        <link rel="duplicate" href="https://mirror.example.net/the-post"/>
        <author><name>First Author</name></author><author><name>Second Author</name></author><author><name>Third Author</name></author>
      </entry>`,
    ]);
    const { articles } = await harvestOnce(body, 'application/atom+xml');
    expect(articles[0]).toMatchObject({ url: 'http://example.com/the-post' });
    expect(articles[0]?.authors.map((a) => a.name)).toEqual(['First Author', 'Second Author', 'Third Author']);
    expect(articles[0]?.mirrors.map((m) => m.url)).toContain('https://mirror.example.net/the-post');
  });

  it('RW-P06 C0 control characters in a feed do not make our own feeds malformed', async () => {
    const body = rssFeed([{ title: 'Bell\u0007 and\u000b vertical tab', link: 'http://example.com/ctrl', description: 'nul\u0001 inside' }]);
    const { h, state, articles } = await harvestOnce(body);
    expect(state, state.lastError ?? '').toMatchObject({ lastOutcome: 'ok' });
    expect(articles[0]?.title.replace(/[\u0000-\u001f]/g, '')).toMatch(/^Bell\s?and\s?vertical tab$/);
    for (const file of ['all/rss.xml', 'all/atom.xml']) {
      const lint = await xmllint(path.join(h.feedsDir, file));
      expect(lint.ok, `${file}: ${lint.stderr}`).toBe(true);
    }
    expect(w3cErrorLines(await w3cValidate(['all/rss.xml', 'all/atom.xml'].map((f) => path.join(h.feedsDir, f))), h.feedsDir)).toEqual([]);
  });

  it('RW-P07 an Atom entry with no child element (<entry/>, <entry>text</entry>) does not reject the feed (rss-parser reads it with String methods and throws)', async () => {
    const body = atomFeed([
      '<entry/>',
      '<entry>stray text</entry>',
      '<entry><title>Kept</title><id>urn:kept</id><link href="http://example.com/kept"/><updated>2025-01-01T00:00:00Z</updated></entry>',
    ]);
    const { state, articles } = await harvestOnce(body, 'application/atom+xml');
    expect(state, state.lastError ?? '').toMatchObject({ lastOutcome: 'ok' });
    expect(articles.map((a) => a.title)).toContain('Kept');
  });
});
