import { mkdir, mkdtemp, readFile, rename, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Article } from '../src/model/article.js';
import { parseSeed } from '../src/ingest/parse-seed.js';
import { normalizeSeed } from '../src/normalize/normalize-seed.js';
import type { PublishInput } from '../src/publish/publish-outputs.js';
import { publishAll } from '../src/pipeline/publish-step.js';
import type { Store } from '../src/store/store.js';
import { openTestStore } from './helpers/test-store.js';
import { makeArticle } from './helpers/builders.js';
import { feedparser, jingAtom, validateJsonFeed, xmllint } from './helpers/validators.js';
import { w3cErrorLines, w3cValidate } from './helpers/w3c-validator.js';
import { fileTimes, listFiles } from './helpers/workspace.js';
import { childNamed, childrenNamed, linkHrefs, parseXml } from './helpers/xml.js';

const NOW = new Date('2024-06-01T00:00:00.000Z');
const SITE_MIRRORS = ['https://feeds-mirror.example.net/', 'https://cdn.example.com/mirror/'];

function publishInput(outputDir: string): PublishInput {
  return {
    site: { url: 'https://feeds.example.org/', title: 'feedmirror test', description: 'Golden test feed', language: 'en', mirrors: [...SITE_MIRRORS] },
    sources: [
      { id: 'seeds', title: 'Seed articles', tags: [], kind: 'seeds' },
      { id: 'remote', title: 'Example Remote', url: 'https://example.org/feed.xml', tags: ['news'], kind: 'feed' },
    ],
    outputs: [
      { id: 'all', title: 'All articles', sources: ['*'], limit: 100, formats: ['rss', 'atom', 'json'] },
      { id: 'news', title: 'News only', sources: ['news'], limit: 1, formats: ['rss', 'atom', 'json'] },
    ],
    outputDir,
    generator: 'feedmirror test',
    now: NOW,
  };
}

/** A seed article with site mirrors, a publisher and a caption. */
function seedArticle(): Article {
  return makeArticle({
    id: 'seed0001',
    guid: 'urn:feedmirror:seed:seed0001',
    sourceId: 'seeds',
    kind: 'seed',
    title: 'Kerry accuses Assad of \'massacre\' & more <in quotes>',
    url: 'https://feeds.example.org/articles/seed0001.html',
    mirrors: [
      { url: 'https://feeds-mirror.example.net/articles/seed0001.html', kind: 'https', origin: 'site' },
      { url: 'https://cdn.example.com/mirror/articles/seed0001.html', kind: 'https', origin: 'site' },
    ],
    published: '2016-12-15T12:00:00.000Z',
    dateSource: 'text',
    summary: 'US Secretary of State John Kerry says Aleppo must not face a massacre.',
    contentHtml:
      '<figure><figcaption>Kerry speaks in Washington. <small>(Photo: AFP)</small></figcaption></figure>\n<p>US Secretary of State John Kerry says Aleppo must not face a massacre.</p>\n<p>Second paragraph &amp; more.</p>',
    images: [{ url: null, caption: 'Kerry speaks in Washington.', credit: 'AFP' }],
    publisher: { name: 'Press TV', hosts: ['www.presstv.co.uk', 'www.presstv.tv'] },
  });
}

/** A remote-feed article with everything a feed item can carry. */
function remoteArticle(): Article {
  return makeArticle({
    id: 'remote-1',
    guid: 'https://example.org/2024/05/story.html',
    sourceId: 'remote',
    kind: 'feed',
    title: 'Harbour tram line approved',
    url: 'https://example.org/2024/05/story.html',
    mirrors: [{ url: 'https://example.net/2024/05/story.html', kind: 'https', origin: 'config' }],
    published: '2024-05-01T08:00:00.000Z',
    dateSource: 'feed',
    updated: '2024-05-02T09:30:00.000Z',
    authors: [{ name: 'Jane Doe', email: 'jane@example.org', url: 'https://example.org/jane' }],
    summary: 'The council approved a new tram line.',
    contentHtml: '<p>The council approved a new tram line.</p>',
    categories: ['transport', 'city'],
    enclosures: [{ url: 'https://example.org/audio/tram.mp3', type: 'audio/mpeg', length: 123456 }],
    language: 'en',
    publisher: { name: 'Example News', hosts: ['example.org', 'example.net'] },
  });
}

/** A bare remote article: no mirrors, no summary, no publisher. */
function plainArticle(): Article {
  return makeArticle({
    id: 'remote-2',
    guid: 'tag:example.org,2023:plain',
    sourceId: 'remote',
    kind: 'feed',
    title: 'Plain item',
    url: 'https://example.org/2023/plain.html',
    published: '2023-01-01T00:00:00.000Z',
    dateSource: 'feed',
    summary: null,
    contentHtml: '<p>Plain.</p>',
  });
}

let dir: string;
let store: Store;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'feedmirror-publish-'));
  store = openTestStore(path.join(dir, 'data', 'feedmirror.db'));
});
afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

async function publishFixed(articles: Article[] = [seedArticle(), remoteArticle(), plainArticle()]) {
  await store.upsertArticles(articles, NOW);
  const outputDir = path.join(dir, 'feeds');
  const report = await publishAll(publishInput(outputDir), store);
  const read = (relative: string) => readFile(path.join(outputDir, relative), 'utf8');
  return { outputDir, report, read };
}

describe('publisher: golden files', () => {
  it('renders the fixed feed as reviewed (rss.xml, atom.xml, feed.json, article page)', async () => {
    const { read, report } = await publishFixed();
    const tree = [
      'all/atom.xml', 'all/feed.json', 'all/index.html', 'all/rss.xml', 'articles/seed0001.html', 'feed.css', 'feed.xsl', 'index.html', 'mirrors.json',
      // "news" keeps one item; the other is sealed in archive page 1 (RFC 5005), which has its own web page too
      'news/archive/1/atom.xml', 'news/archive/1/feed.json', 'news/archive/1/index.html', 'news/archive/1/rss.xml',
      'news/atom.xml', 'news/feed.json', 'news/index.html', 'news/rss.xml', 'sources.opml',
    ];
    // the canonical tree, and a full copy per site mirror
    expect(report.written.sort()).toEqual(
      [...tree, ...tree.map((f) => `mirrors/cdn.example.com/${f}`), ...tree.map((f) => `mirrors/feeds-mirror.example.net/${f}`)].sort(),
    );
    await expect(await read('all/rss.xml')).toMatchFileSnapshot('golden/rss.xml');
    await expect(await read('all/atom.xml')).toMatchFileSnapshot('golden/atom.xml');
    await expect(await read('all/feed.json')).toMatchFileSnapshot('golden/feed.json');
    await expect(await read('articles/seed0001.html')).toMatchFileSnapshot('golden/article-seed0001.html');
    await expect(await read('all/index.html')).toMatchFileSnapshot('golden/output-page-all.html');
    await expect(await read('news/archive/1/index.html')).toMatchFileSnapshot('golden/output-page-news-archive-1.html');
  });

  it('renders the same bytes on every publish into a fresh folder', async () => {
    const first = await publishFixed();
    const again = await publishAll(publishInput(path.join(dir, 'feeds-2')), store);
    expect(again.written).toHaveLength(first.report.written.length);
    for (const file of first.report.written) {
      expect(await readFile(path.join(dir, 'feeds-2', file), 'utf8')).toBe(await first.read(file));
    }
  });

  it('lists items newest first and applies each output\'s source filter and limit', async () => {
    const { read } = await publishFixed();
    const all = JSON.parse(await read('all/feed.json')) as { items: { id: string }[] };
    expect(all.items.map((i) => i.id)).toEqual(['https://example.org/2024/05/story.html', 'tag:example.org,2023:plain', 'urn:feedmirror:seed:seed0001']);
    const news = JSON.parse(await read('news/feed.json')) as { items: { id: string }[] };
    expect(news.items.map((i) => i.id)).toEqual(['https://example.org/2024/05/story.html']);
  });
});

describe('publisher: atomic, minimal writes', () => {
  it('leaves no temp files, and removes ones a crashed run left behind', async () => {
    const outputDir = path.join(dir, 'feeds');
    await mkdir(path.join(outputDir, 'all'), { recursive: true });
    await writeFile(path.join(outputDir, 'all', '.rss.xml.0123456789ab.feedmirror-tmp'), 'half a feed');
    const { report } = await publishFixed();
    expect(report.written.length).toBeGreaterThan(0);
    const files = await listFiles(outputDir);
    expect(files.filter((f) => path.basename(f).startsWith('.') || f.includes('tmp'))).toEqual([]);
    expect(files).toEqual([...report.written].sort());
  });

  it('rewrites nothing when nothing changed (report and mtimes)', async () => {
    const { outputDir, report } = await publishFixed();
    // Stamp every file with a fixed past time: any rewrite would change it, whatever the clock does.
    const past = new Date('2001-02-03T04:05:06.000Z');
    for (const file of await listFiles(outputDir)) await utimes(path.join(outputDir, file), past, past);
    const before = await fileTimes(outputDir);
    const second = await publishAll(publishInput(outputDir), store);
    expect(second.written).toEqual([]);
    // every file was compared, except sealed archive pages, which are never looked at again
    expect(second.unchanged).toBe(report.written.filter((f) => !f.includes('/archive/')).length);
    expect(await fileTimes(outputDir)).toEqual(before);
    expect(Object.values(before).every((t) => t === past.getTime())).toBe(true);
  });

  it('rewrites only the files whose bytes change', async () => {
    const { outputDir } = await publishFixed();
    await store.upsertArticles([makeArticle({ ...plainArticle(), title: 'Plain item, corrected' })], new Date('2024-06-02T00:00:00.000Z'));
    const second = await publishAll(publishInput(outputDir), store);
    // the plain item is in "all" only ("news" holds one item, the newest), and it has no article page;
    // each site mirror has its own copy of "all"
    const all = ['all/atom.xml', 'all/feed.json', 'all/index.html', 'all/rss.xml'];
    expect(second.written.sort()).toEqual([...all, ...all.map((f) => `mirrors/cdn.example.com/${f}`), ...all.map((f) => `mirrors/feeds-mirror.example.net/${f}`)]);
  });
});

describe('publisher: a publish changes every file or none', () => {
  it('leaves every previous file as it was when a write fails part way, then publishes once the disk is fixed', async () => {
    const { outputDir, read } = await publishFixed();
    const snapshot = async () => Object.fromEntries(await Promise.all((await listFiles(outputDir)).map(async (f) => [f, await read(f)] as const)));
    await store.upsertArticles([makeArticle({ ...plainArticle(), title: 'Plain item, corrected' })], new Date('2024-06-02T00:00:00.000Z'));
    // The canonical "all" is staged first; its copy on a site mirror then cannot be (a file where its folder goes).
    const blocked = path.join(outputDir, 'mirrors/feeds-mirror.example.net/all');
    await rm(blocked, { recursive: true });
    await writeFile(blocked, 'not a folder');
    const before = await snapshot();
    await expect(publishAll(publishInput(outputDir), store)).rejects.toThrow(`outputDir: ${blocked} is a file, not a folder`);
    expect(await snapshot()).toEqual(before);
    expect(before['all/rss.xml']).not.toContain('Plain item, corrected');
    await rm(blocked);
    const retry = await publishAll(publishInput(outputDir), store);
    for (const file of ['all/rss.xml', 'mirrors/feeds-mirror.example.net/all/rss.xml', 'mirrors/cdn.example.com/all/atom.xml']) {
      expect(retry.written).toContain(file);
      expect(await read(file)).toContain('Plain item, corrected');
    }
    expect((await listFiles(outputDir)).filter((f) => f.includes('feedmirror-tmp'))).toEqual([]);
  });
});

describe('publisher: outputs whose inputs did not change are not rendered again', () => {
  const ALL = ['all/atom.xml', 'all/feed.json', 'all/rss.xml'];

  it('rewrites a feed file edited behind its back, though nothing in the store changed', async () => {
    const { outputDir, read } = await publishFixed();
    const original = await read('all/rss.xml');
    await writeFile(path.join(outputDir, 'all/rss.xml'), original.replace('<title>', '<title>EDITED '));
    const second = await publishAll(publishInput(outputDir), store);
    expect(second.written).toEqual(['all/rss.xml']);
    expect(await read('all/rss.xml')).toBe(original);
  });

  it('rewrites a feed file that was deleted, and one replaced by a same-size copy', async () => {
    const { outputDir, read } = await publishFixed();
    const original = await read('news/atom.xml');
    await rm(path.join(outputDir, 'news/feed.json'));
    // Same bytes count, new inode: not the file we left there.
    await writeFile(path.join(outputDir, 'news/atom.tmp'), original.replace('<title>', '<TITLE>'));
    await rename(path.join(outputDir, 'news/atom.tmp'), path.join(outputDir, 'news/atom.xml'));
    const second = await publishAll(publishInput(outputDir), store);
    expect(second.written.sort()).toEqual(['news/atom.xml', 'news/feed.json']);
    expect(await read('news/atom.xml')).toBe(original);
  });

  it('renders again everything a failed publish left unsettled', async () => {
    const { outputDir } = await publishFixed();
    await store.upsertArticles([makeArticle({ ...plainArticle(), title: 'Plain item, corrected' })], new Date('2024-06-02T00:00:00.000Z'));
    // A folder where the file goes: the rename fails, the publish throws.
    await rm(path.join(outputDir, 'all/rss.xml'));
    await mkdir(path.join(outputDir, 'all/rss.xml'));
    await expect(publishAll(publishInput(outputDir), store)).rejects.toThrow();
    // the files staged but not renamed are removed with the failure, not left for the next run
    expect((await listFiles(outputDir)).filter((f) => f.includes('feedmirror-tmp'))).toEqual([]);
    await rm(path.join(outputDir, 'all/rss.xml'), { recursive: true });
    const retry = await publishAll(publishInput(outputDir), store);
    expect(retry.written).toContain('all/rss.xml');
    expect(await readFile(path.join(outputDir, 'all/rss.xml'), 'utf8')).toContain('Plain item, corrected');
    for (const file of ALL) expect(await readFile(path.join(outputDir, file), 'utf8')).toContain('Plain item, corrected');
    // and once settled, a publish with nothing new writes nothing
    expect((await publishAll(publishInput(outputDir), store)).written).toEqual([]);
  });

  it('renders an output again when its config changes, and leaves the others', async () => {
    const { outputDir, read } = await publishFixed();
    const input = publishInput(outputDir);
    const renamed = { ...input, outputs: input.outputs.map((o) => (o.id === 'news' ? { ...o, title: 'News, renamed' } : o)) };
    const second = await publishAll(renamed, store);
    const news = ['news/atom.xml', 'news/feed.json', 'news/index.html', 'news/rss.xml'];
    // the index lists output titles, so it changes too
    expect(second.written.sort()).toEqual(
      [...news, ...news.map((f) => `mirrors/cdn.example.com/${f}`), ...news.map((f) => `mirrors/feeds-mirror.example.net/${f}`), 'index.html', 'mirrors/cdn.example.com/index.html', 'mirrors/feeds-mirror.example.net/index.html'].sort(),
    );
    expect(await read('news/rss.xml')).toContain('News, renamed');
    expect(await read('all/rss.xml')).not.toContain('News, renamed');
  });
});

describe('publisher: mirror metadata in each format', () => {
  const seedMirrors = () => seedArticle().mirrors.map((m) => m.url);
  const remoteMirrors = () => remoteArticle().mirrors.map((m) => m.url);
  /** JSON Feed carries each mirror as { url, kind, source } (where we learned of it). */
  const asJson = (mirrors: { url: string; kind: string; origin: string }[]) => mirrors.map((m) => ({ url: m.url, kind: m.kind, source: m.origin }));

  it('RSS: each item carries its mirrors as <atom:link rel="duplicate">, the channel its copies', async () => {
    const { read } = await publishFixed();
    const channel = childNamed(parseXml(await read('all/rss.xml')), 'channel');
    expect(linkHrefs(channel, 'atom:link', 'duplicate')).toEqual(['https://feeds-mirror.example.net/all/rss.xml', 'https://cdn.example.com/mirror/all/rss.xml']);
    expect(linkHrefs(channel, 'atom:link', 'self')).toEqual(['https://feeds.example.org/all/rss.xml']);
    const items = childrenNamed(channel, 'item');
    const byGuid = new Map(items.map((item) => [childNamed(item, 'guid').text, item]));
    expect(linkHrefs(byGuid.get('urn:feedmirror:seed:seed0001')!, 'atom:link', 'duplicate')).toEqual(seedMirrors());
    expect(linkHrefs(byGuid.get('https://example.org/2024/05/story.html')!, 'atom:link', 'duplicate')).toEqual(remoteMirrors());
    expect(linkHrefs(byGuid.get('tag:example.org,2023:plain')!, 'atom:link', 'duplicate')).toEqual([]);
  });

  it('Atom: each entry carries its mirrors as <link rel="duplicate">, the feed its copies', async () => {
    const { read } = await publishFixed();
    const feed = parseXml(await read('all/atom.xml'));
    expect(linkHrefs(feed, 'link', 'duplicate')).toEqual(['https://feeds-mirror.example.net/all/atom.xml', 'https://cdn.example.com/mirror/all/atom.xml']);
    expect(linkHrefs(feed, 'link', 'self')).toEqual(['https://feeds.example.org/all/atom.xml']);
    const byId = new Map(childrenNamed(feed, 'entry').map((entry) => [childNamed(entry, 'id').text, entry]));
    expect(linkHrefs(byId.get('urn:feedmirror:seed:seed0001')!, 'link', 'duplicate')).toEqual(seedMirrors());
    expect(linkHrefs(byId.get('https://example.org/2024/05/story.html')!, 'link', 'duplicate')).toEqual(remoteMirrors());
  });

  it('JSON Feed: every item has _feedmirror {source, mirrors, publisher}; the feed lists its copies', async () => {
    const { read } = await publishFixed();
    const json = JSON.parse(await read('all/feed.json')) as { _feedmirror: { mirrors: string[] }; items: { id: string; _feedmirror: unknown }[] };
    expect(json._feedmirror.mirrors).toEqual(['https://feeds-mirror.example.net/all/feed.json', 'https://cdn.example.com/mirror/all/feed.json']);
    const byId = new Map(json.items.map((item) => [item.id, item._feedmirror]));
    expect(byId.get('urn:feedmirror:seed:seed0001')).toMatchObject({ source: 'seeds', mirrors: asJson(seedArticle().mirrors), publisher: { name: 'Press TV', hosts: ['www.presstv.co.uk', 'www.presstv.tv'] } });
    expect(byId.get('https://example.org/2024/05/story.html')).toMatchObject({ source: 'remote', mirrors: asJson(remoteArticle().mirrors), publisher: { name: 'Example News', hosts: ['example.org', 'example.net'] } });
    expect(byId.get('tag:example.org,2023:plain')).toMatchObject({ source: 'remote', mirrors: [], publisher: null });
  });

  it('real parsers see the duplicate links (feedparser round trip)', async () => {
    const { outputDir } = await publishFixed();
    for (const file of ['all/rss.xml', 'all/atom.xml']) {
      const parsed = await feedparser(path.join(outputDir, file));
      expect(parsed.bozo, `${file}: ${parsed.bozo_exception}`).toBe(false);
      const seed = parsed.entries.find((e) => e.id === 'urn:feedmirror:seed:seed0001')!;
      expect(seed.links.filter((l) => l.rel === 'duplicate').map((l) => l.href)).toEqual(seedMirrors());
      expect(seed.link).toBe('https://feeds.example.org/articles/seed0001.html');
      expect(parsed.feed.links.filter((l) => l.rel === 'duplicate').map((l) => l.href)).toHaveLength(2);
    }
  });

  it('round trip: feedparser reads back the stored title, link, id and dates', async () => {
    const { outputDir } = await publishFixed();
    const stored = [remoteArticle(), plainArticle(), seedArticle()];
    for (const file of ['all/rss.xml', 'all/atom.xml']) {
      const parsed = await feedparser(path.join(outputDir, file));
      // Atom titles are type="html", and an RSS title holding a tag-like "<in quotes>" is escaped
      // (see rssTitle), so feedparser hands back escaped HTML for both
      const title = (t: string | null) => (file.endsWith('.xml') ? unescapeHtml(t ?? '') : t);
      expect(parsed.entries.map((e) => ({ title: title(e.title), link: e.link, id: e.id, published: e.published }))).toEqual(
        stored.map((a) => ({ title: a.title, link: a.url, id: a.guid, published: a.published.replace('.000Z', 'Z') })),
      );
    }
    const atom = await feedparser(path.join(outputDir, 'all/atom.xml'));
    expect(atom.entries[0]!.updated).toBe('2024-05-02T09:30:00Z');
  });

  it('all outputs of the fixed feed are valid (xmllint, jing, feedparser, JSON Feed schema)', async () => {
    const { outputDir } = await publishFixed();
    await expectValidOutputs(outputDir, 'all');
    await expectValidOutputs(outputDir, 'news');
  });
});

/** C0 controls, NUL, U+FFFE/U+FFFF, lone surrogates, two "]]>", markup and a script. */
const HOSTILE = 'Hostile \u0000nul \u0001\u0008\u000b\u000c\u001f controls \uFFFE\uFFFF nonchars \uD800 lone \uDC00 surrogates ]]> one ]]> two <script>alert("x")</script> & done';

describe('publisher: hostile strings', () => {
  function hostileArticle(kind: 'seed' | 'feed'): Article {
    const id = `hostile-${kind}`;
    return makeArticle({
      id,
      guid: `urn:feedmirror:test:${id}\u0000`,
      sourceId: kind === 'seed' ? 'seeds' : 'remote',
      kind,
      title: HOSTILE,
      url: `https://feeds.example.org/articles/${id}.html`,
      mirrors: [{ url: `https://feeds-mirror.example.net/articles/${id}.html?a=1&b=2`, kind: 'https', origin: 'site' }],
      summary: HOSTILE,
      contentHtml: `<p>${HOSTILE}</p><![CDATA[ x ]]><p>]]></p>`,
      authors: [{ name: HOSTILE, email: null, url: null }],
      categories: [HOSTILE],
      publisher: { name: HOSTILE, hosts: ['www.example.org'] },
    });
  }

  it('still gives well-formed, schema-valid feeds that parse without bozo', async () => {
    const { outputDir, read } = await publishFixed([hostileArticle('seed'), hostileArticle('feed'), seedArticle()]);
    await expectValidOutputs(outputDir, 'all');
    for (const file of ['all/rss.xml', 'all/atom.xml']) {
      const text = await read(file);
      expect(text).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\uFFFE\uFFFF]/);
      expect(text).not.toMatch(/[\uD800-\uDFFF]/);
      const parsed = await feedparser(path.join(outputDir, file));
      const titles = parsed.entries.map((e) => e.title ?? '');
      expect(titles.filter((t) => t.startsWith('Hostile nul'))).toHaveLength(2);
    }
    const page = await read('articles/hostile-seed.html');
    expect(page).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\uFFFE\uFFFF]/);
    expect(page).not.toMatch(/[\uD800-\uDFFF]/);
    // the title is plain text: escaped wherever it appears on the page
    expect(page).toContain('<h1>Hostile nul  controls  nonchars  lone  surrogates ]]&gt; one ]]&gt; two &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; done</h1>');
  });

  it('a hostile seed file, parsed and normalized, gives valid feeds and a page without live markup', async () => {
    const text = `Hostile \u0001headline ]]> <script>alert(1)</script>\n\nFirst ]]> paragraph \uFFFE with <b>tags</b> & ]]> twice.\n\nA picture of <script>x</script> ]]>. (Photo by AFP)\n`;
    const seed = parseSeed({ path: '/seeds/001_abcdef0123.txt', name: '001_abcdef0123.txt', bytes: Buffer.from(text, 'utf8'), mtime: new Date('2024-01-01T00:00:00Z') });
    const article = normalizeSeed(seed, { sourceId: 'seeds', siteUrl: 'https://feeds.example.org/', siteMirrors: SITE_MIRRORS, sourceMirrors: [], takenIds: new Set() });
    const { outputDir, read } = await publishFixed([article]);
    await expectValidOutputs(outputDir, 'all');
    const page = await read('articles/abcdef0123.html');
    expect(page).not.toMatch(/<script|<b>|\uFFFE|\u0001/);
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    for (const file of ['all/rss.xml', 'all/atom.xml']) {
      const parsed = await feedparser(path.join(outputDir, file));
      expect(parsed.entries).toHaveLength(1);
      expect(parsed.entries[0]!.link).toBe('https://feeds.example.org/articles/abcdef0123.html');
    }
  });

  it('JSON Feed keeps the text (JSON can carry it) and stays valid', async () => {
    const { outputDir, read } = await publishFixed([hostileArticle('feed')]);
    expect((await validateJsonFeed(path.join(outputDir, 'all', 'feed.json'))).messages).toEqual([]);
    const json = JSON.parse(await read('all/feed.json')) as { items: { title: string }[] };
    expect(json.items[0]!.title).toContain('<script>alert("x")</script>');
  });
});

async function expectValidOutputs(outputDir: string, outputId: string): Promise<void> {
  const rss = path.join(outputDir, outputId, 'rss.xml');
  const atom = path.join(outputDir, outputId, 'atom.xml');
  for (const file of [rss, atom]) {
    const lint = await xmllint(file);
    expect(lint, `xmllint ${file}`).toMatchObject({ ok: true, code: 0, stderr: '' });
    const parsed = await feedparser(file);
    expect(parsed.bozo, `feedparser ${file}: ${parsed.bozo_exception}`).toBe(false);
  }
  const jing = await jingAtom(atom);
  expect(jing.errors).toEqual([]);
  expect(jing.ok).toBe(true);
  expect(w3cErrorLines(await w3cValidate([rss, atom]), outputDir)).toEqual([]);
  expect((await validateJsonFeed(path.join(outputDir, outputId, 'feed.json'))).messages).toEqual([]);
}

function unescapeHtml(html: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
  return html.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, ref: string) => {
    if (ref.startsWith('#x') || ref.startsWith('#X')) return String.fromCodePoint(parseInt(ref.slice(2), 16));
    if (ref.startsWith('#')) return String.fromCodePoint(Number(ref.slice(1)));
    return named[ref.toLowerCase()] ?? whole;
  });
}
