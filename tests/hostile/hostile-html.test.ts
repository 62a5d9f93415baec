/**
 * Hostile HTML in items (issue 8): scripts, frames, event handlers, javascript:/vbscript:/data:
 * URLs (plain, mixed case, entity-encoded, with embedded whitespace), <svg onload>, CSS
 * expressions and style attributes, <base href>, <form>, <meta http-equiv=refresh>, mXSS shapes.
 * None may survive into rss.xml, atom.xml, feed.json or the article pages, while ordinary
 * structure (p, a, img, table, figure) does. The HTML each format carries is read back from the
 * files and inspected with htmlparser2 (entities decoded, as a browser would see it).
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { decodeHTML } from 'entities';
import { Parser } from 'htmlparser2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childNamed, childrenNamed, parseXml, type XmlNode } from '../helpers/xml.js';
import { atomFeed, rssFeed } from '../remote/helpers/feeds.js';
import { feed, startFixtureServer, type FixtureServer } from '../remote/helpers/fixture-server.js';
import { createHarness, remoteConfig, type Harness } from '../remote/helpers/harness.js';
import { writeConfig } from '../helpers/workspace.js';
import { expectExit } from './helpers/expectations.js';
import { goodFeedXml } from './helpers/hostile-responses.js';
import { checkOutputTree, listTree } from './helpers/outputs.js';
import { killLeftoverChildren, runFeedmirror, type ChildResult } from './helpers/processes.js';

/** Every payload carries an "XSS-" marker; no marker may reach any output in any form. */
const VECTORS = [
  `<script>alert('XSS-S1')</script>`,
  `<SCRIPT SRC="https://evil.example/XSS-S2.js"></SCRIPT>`,
  `<iframe src="https://evil.example/XSS-I1"></iframe>`,
  `<img src="https://example.com/ok.png" onerror="alert('XSS-E1')" alt="ok">`,
  `<a href="javascript:alert('XSS-J1')">j1</a>`,
  `<a href="JaVaScRiPt:alert('XSS-J2')">j2</a>`,
  `<a href="&#106;avascript:alert('XSS-J3')">j3</a>`,
  `<a href="&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert('XSS-J4')">j4</a>`,
  `<a href="jav&#x09;ascript:alert('XSS-J5')">j5</a>`,
  `<a href="  javascript:alert('XSS-J6')">j6</a>`,
  `<a href="javascript&colon;alert('XSS-J7')">j7</a>`,
  `<a href="vbscript:msgbox('XSS-V1')">v1</a>`,
  `<a href="VbScRiPt:msgbox('XSS-V2')">v2</a>`,
  `<svg onload="alert('XSS-SV1')"><circle r="1"/></svg>`,
  `<svg><script>alert('XSS-SV2')</script></svg>`,
  `<div style="background:url(javascript:alert('XSS-C1'))">styled div</div>`,
  `<p style="width: expression(alert('XSS-C2'))">styled p</p>`,
  `<style>body{background:url("javascript:alert('XSS-C3')")}</style>`,
  `<base href="https://evil.example/XSS-B1/">`,
  `<form action="https://evil.example/XSS-F1"><input name="q" value="XSS-F2"><button formaction="https://evil.example/XSS-F3">go</button></form>`,
  `<meta http-equiv="refresh" content="0;url=https://evil.example/XSS-M1">`,
  `<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+XSS-D1">`,
  `<a href="data:text/html,&lt;script&gt;alert('XSS-D2')&lt;/script&gt;">d2</a>`,
  `<object data="https://evil.example/XSS-O1"></object><embed src="https://evil.example/XSS-O2">`,
  `<math><mtext><table><mglyph><style><img src=x onerror=alert('XSS-MX1')></style></mglyph></table></mtext></math>`,
  `<noscript><p title="</noscript><img src=x onerror=alert('XSS-NS1')>"></noscript>`,
  `<a href="https://example.com/ok" onclick="alert('XSS-OC1')" onmouseover="alert('XSS-OM1')">safe link, unsafe handlers</a>`,
  `<link rel="stylesheet" href="https://evil.example/XSS-L1.css">`,
  `<template><script>alert('XSS-T1')</script></template>`,
  `<img src="https://example.com/x.png" srcset="javascript:alert('XSS-SS1') 1x, https://example.com/x2.png 2x">`,
  `<blockquote cite="javascript:alert('XSS-Q1')">quoted</blockquote>`,
];

/** What must survive sanitizing, each with a marker to find it. */
const SURVIVORS = [
  `<p>SURVIVOR-P paragraph</p>`,
  `<p><a href="https://example.com/story">SURVIVOR-A link</a></p>`,
  `<img src="https://example.com/photo.jpg" alt="SURVIVOR-IMG">`,
  `<table><tr><td>SURVIVOR-TD cell</td></tr></table>`,
  `<figure><img src="https://example.com/figure.jpg" alt="fig"><figcaption>SURVIVOR-FIGCAPTION</figcaption></figure>`,
];

const HOSTILE_HTML = [...SURVIVORS.slice(0, 2), ...VECTORS, ...SURVIVORS.slice(2)].join('\n');

const FORBIDDEN_TAGS = new Set([
  'script', 'iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'svg', 'math', 'style', 'link', 'meta', 'base',
  'form', 'input', 'button', 'select', 'textarea', 'option', 'noscript', 'template', 'html', 'head', 'body', 'title', 'xmp',
]);
const URL_ATTRIBUTES = new Set(['href', 'src', 'srcset', 'cite', 'action', 'formaction', 'data', 'poster', 'background', 'xlink:href', 'longdesc', 'lowsrc', 'dynsrc']);
const SAFE_SCHEME = /^(https?:|mailto:)/;

interface Tag {
  name: string;
  attributes: Record<string, string>;
}

/** Tags and decoded attributes, the way a browser's parser reads the fragment. */
function readTags(html: string): { tags: Tag[]; text: string } {
  const tags: Tag[] = [];
  const text: string[] = [];
  const parser = new Parser({ onopentag: (name, attributes) => tags.push({ name, attributes }), ontext: (t) => text.push(t) }, { decodeEntities: true, lowerCaseTags: true });
  parser.write(html);
  parser.end();
  return { tags, text: text.join('') };
}

/** Every way the fragment could still run script or leave the page; [] when it is clean. */
function unsafeParts(html: string): string[] {
  const problems: string[] = [];
  for (const { name, attributes } of readTags(html).tags) {
    if (FORBIDDEN_TAGS.has(name) || name.includes(':')) problems.push(`<${name}>`);
    for (const [key, value] of Object.entries(attributes)) {
      if (/^on/i.test(key) || key === 'style') problems.push(`<${name} ${key}="${value}">`);
      if (!URL_ATTRIBUTES.has(key)) continue;
      const urls = key === 'srcset' ? value.split(',').map((part) => part.trim().split(/\s+/)[0] ?? '') : [value];
      for (const url of urls) {
        // browsers ignore leading/embedded whitespace and control characters in a scheme
        const normalized = url.replace(/[\u0000-\u0020]/g, '').toLowerCase();
        if (!SAFE_SCHEME.test(normalized)) problems.push(`<${name} ${key}="${value}">`);
      }
    }
  }
  const decoded = decodeHTML(html);
  for (const marker of decoded.match(/XSS-[A-Z0-9]+/g) ?? []) problems.push(`marker ${marker} survived`);
  if (/expression\s*\(/i.test(decoded)) problems.push('a CSS expression( survived');
  return problems;
}

/** URL-valued attributes and elements of a feed document (not the HTML inside it). */
function xmlUrls(node: XmlNode): string[] {
  const own = Object.entries(node.attributes).filter(([key]) => ['href', 'url', 'src', 'uri'].includes(key)).map(([, value]) => value);
  const text = ['link', 'comments', 'docs', 'uri', 'icon', 'logo'].includes(node.name) || (node.name === 'guid' && node.attributes.isPermaLink !== 'false') ? [node.text.trim()].filter(Boolean) : [];
  return [...own, ...text, ...node.children.flatMap(xmlUrls)];
}

const JSON_URL_KEYS = new Set(['url', 'external_url', 'image', 'banner_image', 'home_page_url', 'feed_url', 'icon', 'favicon', 'avatar', 'next_url']);

function jsonUrls(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(jsonUrls);
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, v]) => (JSON_URL_KEYS.has(key) && typeof v === 'string' ? [v] : jsonUrls(v)));
}

function expectSurvivors(html: string, where: string): void {
  const { tags, text } = readTags(html);
  const names = new Set(tags.map((t) => t.name));
  for (const name of ['p', 'a', 'img', 'table', 'td', 'figure', 'figcaption']) expect(names.has(name), `${where}: <${name}> was removed`).toBe(true);
  expect(tags.some((t) => t.name === 'a' && t.attributes.href === 'https://example.com/story'), `${where}: the https link lost its href`).toBe(true);
  expect(tags.some((t) => t.name === 'img' && t.attributes.src === 'https://example.com/photo.jpg'), `${where}: the https image lost its src`).toBe(true);
  for (const marker of ['SURVIVOR-P', 'SURVIVOR-A', 'SURVIVOR-TD', 'SURVIVOR-FIGCAPTION']) expect(text, where).toContain(marker);
}

const ITEMS = {
  rssEncoded: 'http://hostile.example/rss-encoded',
  rssDescription: 'http://hostile.example/rss-description',
  atomHtml: 'http://hostile.example/atom-html',
  atomXhtml: 'http://hostile.example/atom-xhtml',
  json: 'http://hostile.example/json',
  rssCode: 'http://hostile.example/rss-code',
};

/** A post about HTML shows code as escaped text: it must stay text in every field of every format. */
const CODE_SAMPLE = `<p>Code: &lt;script&gt;alert('CODE-1')&lt;/script&gt; and &lt;img src=x onerror=alert('CODE-2')&gt;</p>`;

const escapeForXml = (html: string) => html.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

/** XHTML needs well-formed markup: the vectors that are not are left out of this one. */
const XHTML_VECTORS = [
  `<script>alert('XSS-X1')</script>`,
  `<a href="javascript:alert('XSS-X2')">x2</a>`,
  `<img src="https://example.com/ok.png" onerror="alert('XSS-X3')" alt="ok"/>`,
  `<svg xmlns="http://www.w3.org/2000/svg" onload="alert('XSS-X4')"><circle r="1"/></svg>`,
  `<iframe src="https://evil.example/XSS-X5"></iframe>`,
  `<p style="background:url(javascript:alert('XSS-X6'))">styled</p>`,
  `<base href="https://evil.example/XSS-X7/"/>`,
  `<form action="https://evil.example/XSS-X8"><input name="q"/></form>`,
].join('');
const XHTML_SURVIVORS =
  `<p>SURVIVOR-P paragraph</p><p><a href="https://example.com/story">SURVIVOR-A link</a></p><img src="https://example.com/photo.jpg" alt="SURVIVOR-IMG"/>` +
  `<table><tr><td>SURVIVOR-TD cell</td></tr></table><figure><img src="https://example.com/figure.jpg" alt="fig"/><figcaption>SURVIVOR-FIGCAPTION</figcaption></figure>`;

function hostileFeeds(): Record<string, { body: string; type?: string }> {
  return {
    '/rss.xml': {
      body: rssFeed([
        {
          title: `&lt;script&gt;alert('XSS-T1')&lt;/script&gt;Title with a script`,
          link: ITEMS.rssEncoded,
          guid: ITEMS.rssEncoded,
          pubDate: 'Mon, 02 Jun 2025 10:00:00 GMT',
          description: 'Short summary',
          extra: `      <content:encoded><![CDATA[${HOSTILE_HTML}]]></content:encoded>`,
        },
        { title: 'Escaped HTML in description', link: ITEMS.rssDescription, guid: ITEMS.rssDescription, pubDate: 'Mon, 02 Jun 2025 09:00:00 GMT', description: escapeForXml(HOSTILE_HTML) },
        { title: 'How to write &amp;lt;script&amp;gt; tags', link: ITEMS.rssCode, guid: ITEMS.rssCode, pubDate: 'Mon, 02 Jun 2025 08:30:00 GMT', description: escapeForXml(CODE_SAMPLE) },
        {
          title: 'Hostile item URLs',
          link: `javascript:alert('XSS-LINK')`,
          guid: 'urn:hostile:item-urls',
          guidIsPermaLink: false,
          pubDate: 'Mon, 02 Jun 2025 08:00:00 GMT',
          description: 'Its link, enclosure and thumbnail are not http(s).',
          extra: `      <enclosure url="javascript:alert('XSS-ENC')" type="audio/mpeg" length="1"/>\n      <media:thumbnail url="data:image/svg+xml;base64,XSS-THUMB"/>\n      <media:content url="vbscript:msgbox('XSS-MEDIA')" medium="image"/>`,
        },
      ]),
    },
    '/atom.xml': {
      type: 'application/atom+xml',
      body: atomFeed([
        `<entry><title type="html">${escapeForXml(`<b>Atom html</b><script>alert('XSS-AT')</script>`)}</title><id>${ITEMS.atomHtml}</id><link href="${ITEMS.atomHtml}"/><updated>2025-06-02T07:00:00Z</updated>` +
          `<content type="html">${escapeForXml(HOSTILE_HTML)}</content></entry>`,
        `<entry><title>Atom xhtml</title><id>${ITEMS.atomXhtml}</id><link href="${ITEMS.atomXhtml}"/><updated>2025-06-02T06:00:00Z</updated>` +
          `<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">${XHTML_SURVIVORS}${XHTML_VECTORS}</div></content></entry>`,
      ]),
    },
    '/feed.json': {
      type: 'application/feed+json',
      body: JSON.stringify({
        version: 'https://jsonfeed.org/version/1.1',
        title: 'Hostile JSON',
        items: [{ id: ITEMS.json, url: ITEMS.json, title: 'JSON html', content_html: HOSTILE_HTML, image: "javascript:alert('XSS-JIMG')", date_published: '2025-06-02T05:00:00Z' }],
      }),
    },
    '/good.xml': { body: goodFeedXml() },
  };
}

/** A seed is plain text: HTML-looking text in it must come out escaped, as text. */
const HOSTILE_SEED = [
  `Headline with <script>alert('SEEDTEXT-1')</script> in it`,
  '',
  `A paragraph that mentions <iframe src="javascript:alert('SEEDTEXT-2')"></iframe> and <img src=x onerror=alert('SEEDTEXT-3')> as text.`,
  '',
  `Another paragraph with a javascript:alert('SEEDTEXT-4') string and <a href="vbscript:x">a link-looking thing</a>.`,
  '',
].join('\n');

let server: FixtureServer;
let h: Harness;
let run: ChildResult;

interface HtmlDocs {
  rss: Record<string, string>;
  atom: Record<string, string>;
  json: Record<string, string>;
}
let docs: HtmlDocs;

async function readHtmlDocs(feedsDir: string): Promise<HtmlDocs> {
  const result: HtmlDocs = { rss: {}, atom: {}, json: {} };
  const rss = parseXml(await readFile(path.join(feedsDir, 'all/rss.xml'), 'utf8'));
  for (const item of childrenNamed(childNamed(rss, 'channel'), 'item')) {
    const key = childrenNamed(item, 'guid')[0]?.text.trim() ?? '';
    result.rss[key] = [...childrenNamed(item, 'description'), ...childrenNamed(item, 'content:encoded'), ...childrenNamed(item, 'title')].map((n) => n.text).join('\n');
  }
  const atom = parseXml(await readFile(path.join(feedsDir, 'all/atom.xml'), 'utf8'));
  for (const entry of childrenNamed(atom, 'entry')) {
    result.atom[childNamed(entry, 'id').text.trim()] = [...childrenNamed(entry, 'content'), ...childrenNamed(entry, 'summary'), ...childrenNamed(entry, 'title')].map((n) => n.text).join('\n');
  }
  const json = JSON.parse(await readFile(path.join(feedsDir, 'all/feed.json'), 'utf8')) as { items: Record<string, unknown>[] };
  // content_html only: title, summary and content_text are plain text in JSON Feed (the marker check covers them)
  for (const item of json.items) result.json[String(item.id)] = typeof item.content_html === 'string' ? item.content_html : '';
  return result;
}

describe('hostile HTML: nothing executable survives, ordinary structure does', () => {
  beforeAll(async () => {
    server = await startFixtureServer();
    const feeds = hostileFeeds();
    for (const [route, { body, type }] of Object.entries(feeds)) server.on(route, feed(body, type));
    const sources = [
      { id: 'rss', url: server.url('/rss.xml') },
      { id: 'atom', url: server.url('/atom.xml') },
      { id: 'json', url: server.url('/feed.json') },
      { id: 'good', url: server.url('/good.xml') },
    ];
    h = await createHarness({ sources });
    // plus a seeds source, for the article pages (only seed articles get one)
    await writeFile(path.join(h.dir, 'seeds', '001_5eed0000bad0.txt'), HOSTILE_SEED);
    await writeConfig(h.configPath, { ...remoteConfig({ sources }), sources: [{ id: 'seeds', seeds: 'seeds' }, ...sources.map((s) => ({ mirrors: [], ...s }))] });
    run = await runFeedmirror(['run', '--config', h.configPath, '--log-format', 'json'], { cwd: h.dir });
    docs = await readHtmlDocs(h.feedsDir);
  }, 180_000);

  afterAll(async () => {
    killLeftoverChildren();
    await server?.close();
    await h?.cleanup();
  });

  it('the run publishes every hostile source (sanitized, not refused) and the outputs are valid', async () => {
    expectExit(run, 0);
    for (const id of ['rss', 'atom', 'json', 'seeds']) expect((await h.articles([id])).length, id).toBeGreaterThan(0);
    expect(await checkOutputTree(h.feedsDir)).toEqual([]);
  });

  const cases: [keyof HtmlDocs, string, boolean][] = [
    ['rss', ITEMS.rssEncoded, true],
    ['rss', ITEMS.rssDescription, true],
    ['rss', 'urn:hostile:item-urls', false],
    ['rss', ITEMS.atomHtml, true],
    ['rss', ITEMS.atomXhtml, true],
    ['rss', ITEMS.json, true],
    ['atom', ITEMS.rssEncoded, true],
    ['atom', ITEMS.atomHtml, true],
    ['atom', ITEMS.atomXhtml, true],
    ['atom', ITEMS.json, true],
    ['json', ITEMS.rssEncoded, true],
    ['json', ITEMS.rssDescription, true],
    ['json', ITEMS.atomHtml, true],
    ['json', ITEMS.atomXhtml, true],
    ['json', ITEMS.json, true],
  ];
  const SEED_GUID = 'urn:feedmirror:seed:5eed0000bad0';
  for (const format of ['rss', 'atom', 'json'] as const) {
    it(`${format}: code shown as escaped text in an item (a post about HTML) stays text in the title, summary and content, never a live element`, () => {
      // RSS readers render <title> and <description> as HTML (feedparser: text/html)
      const html = docs[format][ITEMS.rssCode];
      expect(html, `no ${format} item ${ITEMS.rssCode}`).toBeDefined();
      expect(unsafeParts(html!)).toEqual([]);
      expect(decodeHTML(readTags(html!).text)).toContain("<script>alert('CODE-1')</script>");
    });
  }

  for (const [format, id, hasSurvivors] of cases) {
    it(`${format}: the item ${id} carries no script, handler, frame, form, style, base, meta or non-http(s) URL${hasSurvivors ? ', and keeps p/a/img/table/figure' : ''}`, () => {
      const html = docs[format][id];
      expect(html, `no ${format} item with id ${id}; have ${Object.keys(docs[format]).join(', ')}`).toBeDefined();
      expect(unsafeParts(html!)).toEqual([]);
      if (hasSurvivors) expectSurvivors(html!, `${format} ${id}`);
    });
  }

  it('no hostile marker appears anywhere in the feed files, and every URL they carry (links, enclosures, images, ids that are permalinks) is http(s)', async () => {
    for (const file of ['all/rss.xml', 'all/atom.xml', 'all/feed.json']) {
      const text = await readFile(path.join(h.feedsDir, file), 'utf8');
      expect(decodeHTML(text).match(/XSS-[A-Z0-9]+/g), file).toBeNull();
      const urls = file.endsWith('.json') ? jsonUrls(JSON.parse(text)) : xmlUrls(parseXml(text));
      expect(urls.length, file).toBeGreaterThan(3);
      expect(urls.filter((url) => !SAFE_SCHEME.test(url.replace(/[\u0000-\u0020]/g, '').toLowerCase())), file).toEqual([]);
    }
  });

  it('article pages: the seed\'s HTML-looking text is escaped text, with no element of its own; the page has no script', async () => {
    const pages = (await listTree(h.feedsDir)).filter((f) => f.startsWith('articles/') && f.endsWith('.html'));
    expect(pages).toEqual(['articles/5eed0000bad0.html']);
    const page = await readFile(path.join(h.feedsDir, pages[0]!), 'utf8');
    const article = /<article\b[^>]*>([\s\S]*)<\/article>/.exec(page)?.[1] ?? '';
    expect(article).toContain('SEEDTEXT-1');
    expect(unsafeParts(article.replace(/SEEDTEXT/g, 'seedtext'))).toEqual([]);
    const tagsInArticle = readTags(article).tags.map((t) => t.name);
    expect(tagsInArticle.filter((t) => !['h1', 'p', 'time', 'figure', 'figcaption'].includes(t))).toEqual([]);
    expect(page).toContain('&lt;script&gt;');
    expect(readTags(page).tags.filter((t) => t.name === 'script' || t.name === 'iframe' || t.name === 'img')).toEqual([]);
  });

  for (const format of ['rss', 'atom', 'json'] as const) {
    it(`${format}: the seed's HTML-looking text (headline and paragraphs) reaches the feed as text, never as a live element`, () => {
      // RSS titles and descriptions are read as HTML by readers (feedparser: text/html), so "<script>" there must be escaped
      const html = docs[format][SEED_GUID];
      expect(html, `no ${format} item ${SEED_GUID}; have ${Object.keys(docs[format]).join(', ')}`).toBeDefined();
      expect(unsafeParts(html!.replace(/SEEDTEXT/g, 'seedtext'))).toEqual([]);
    });
  }
});
