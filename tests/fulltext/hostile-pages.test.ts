/**
 * Article pages are hostile input too. Each case: a page that would hurt (deep nesting, a huge
 * DOM, a huge body, not HTML, a legacy charset, active content, control characters, a redirect to
 * an internal address, a 404) meets a bound or the sanitizer; the item keeps its feed content with
 * a clear per-item warning when the page gives nothing, and the run goes on.
 */
import { MockAgent } from 'undici';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { htmlToText } from '../../src/lib/html-text.js';
import { sanitizeHtml } from '../../src/normalize/sanitize-html.js';
import { extractArticle, MAX_PAGE_DEPTH, MAX_PAGE_ELEMENTS } from '../../src/normalize/extract-article.js';
import { feed, reply, type Handler } from '../remote/helpers/fixture-server.js';
import { logsMatching } from '../remote/helpers/harness.js';
import { testScope } from '../remote/helpers/scope.js';
import { fixture } from './helpers/publisher.js';

const scope = testScope();

const SUMMARY = 'Only the summary.';
const ARTICLE = fixture('harbour.html').replaceAll('{{BASE}}', 'http://127.0.0.1');

function oneItemFeed(link: string): string {
  return `<?xml version="1.0"?><rss version="2.0"><channel><title>Hostile</title><link>${new URL(link).origin}/</link><description>d</description><item><title>Story</title><link>${link}</link><description>${SUMMARY}</description></item></channel></rss>`;
}

/** One source with full text whose one item's page is served by `page`. */
async function withPage(page: Handler, options: { limits?: Record<string, number> } = {}) {
  const server = await scope.server();
  server.on('/feed.xml', feed(oneItemFeed(server.url('/story.html'))));
  server.on('/story.html', page);
  const h = await scope.harness({ sources: [{ id: 'news', url: server.url('/feed.xml'), fullText: true }], ...(options.limits ? { limits: options.limits } : {}) });
  const result = await h.run();
  const [article] = await h.articles();
  return { server, h, ...result, text: htmlToText(article!.contentHtml), html: article!.contentHtml };
}

function html(body: string | Buffer, contentType = 'text/html; charset=utf-8'): Handler {
  return reply({ headers: { 'content-type': contentType }, body });
}

function nested(depth: number): string {
  return `<html><body><article><p>${'A real paragraph of the article. '.repeat(30)}</p>${'<div>'.repeat(depth)}deep${'</div>'.repeat(depth)}</article></body></html>`;
}

function expectKeptWithWarning(result: Awaited<ReturnType<typeof withPage>>, code: string, message: RegExp) {
  expect(result.text).toBe(SUMMARY);
  const warnings = logsMatching(result.logs, /^full text /).filter((l) => l.level >= 40);
  expect(warnings, JSON.stringify(result.logs.map((l) => l.msg))).toHaveLength(1);
  expect(warnings[0]).toMatchObject({ code, source: 'news' });
  expect(warnings[0]!.msg).toMatch(message);
  expect(warnings[0]!.msg).toContain('the item keeps its feed content');
}

describe('hostile article pages', () => {
  it(`100,000 nested divs: refused before any DOM is built (FM_PAGE_TOO_COMPLEX), the summary kept`, async () => {
    const result = await withPage(html(nested(100_000)));
    expectKeptWithWarning(result, 'FM_PAGE_TOO_COMPLEX', new RegExp(`more than ${MAX_PAGE_DEPTH} levels deep`));
    expect(result.report.pages).toMatchObject({ fetched: 1, kept: 1, extracted: 0 });
  });

  for (const depth of [MAX_PAGE_DEPTH + 1, 10_000, 100_000]) {
    it(`extractArticle refuses ${depth} levels of nesting without overflowing the stack (Readability would at 10,000)`, () => {
      const result = extractArticle({ html: nested(depth), url: 'http://127.0.0.1/a.html', mapUrl: (u) => u }, { selector: null, maxContentBytes: 262_144 });
      expect(result).toMatchObject({ kind: 'none', code: 'FM_PAGE_TOO_COMPLEX' });
    });
  }

  it(`${MAX_PAGE_DEPTH} levels is still read`, () => {
    const result = extractArticle({ html: nested(MAX_PAGE_DEPTH - 4), url: 'http://127.0.0.1/a.html', mapUrl: (u) => u }, { selector: null, maxContentBytes: 262_144 });
    expect(result.kind).toBe('article');
  });

  it(`more than ${MAX_PAGE_ELEMENTS} elements, shallow: refused (FM_PAGE_TOO_COMPLEX)`, async () => {
    const result = await withPage(html(`<html><body><article>${'<p>x</p>'.repeat(MAX_PAGE_ELEMENTS + 10)}</article></body></html>`));
    expectKeptWithWarning(result, 'FM_PAGE_TOO_COMPLEX', new RegExp(`more than ${MAX_PAGE_ELEMENTS} elements`));
  });

  it('a page over limits.maxPageBytes is cut before parsing: the article at its start is still found', async () => {
    const filler = `<div>${'<span>filler</span>'.repeat(200_000)}</div>`;
    const result = await withPage(html(ARTICLE.replace('</main>', `</main>${filler}`)), { limits: { maxPageBytes: 20_000 } });
    // whole, its 200,000 spans would be over the element bound; cut, at most 20,000 bytes of them are read
    expect(result.text).toContain('sank eleven boats');
    expect((result.text.match(/filler/g) ?? []).length).toBeLessThan(20_000 / '<span>filler</span>'.length);
  });

  it('a page over fetch.maxBodyBytes is not read (FM_TOO_BIG) and not asked for again on a warm run', async () => {
    const result = await withPage(html(ARTICLE + ' '.repeat(11_000_000)));
    expectKeptWithWarning(result, 'FM_TOO_BIG', /more than the 10000000-byte limit/);
    await result.h.run({ refresh: true });
    expect(result.server.hits('/story.html')).toHaveLength(1);
  });

  for (const type of ['image/jpeg', 'application/pdf', 'application/json', 'text/plain']) {
    it(`a page served as ${type} is not parsed (FM_PAGE_NOT_HTML)`, async () => {
      const result = await withPage(html(ARTICLE, type));
      expectKeptWithWarning(result, 'FM_PAGE_NOT_HTML', new RegExp(`the page is ${type.replace('+', '\\+')}, not HTML`));
    });
  }

  it('a page with no Content-Type that is not markup is not parsed; one that is markup is', async () => {
    const binary = await withPage(reply({ body: Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]) }));
    expectKeptWithWarning(binary, 'FM_PAGE_NOT_HTML', /not HTML/);
    const markup = await withPage(reply({ body: ARTICLE }));
    expect(markup.text).toContain('sank eleven boats');
  });

  for (const [name, contentType, meta] of [
    ['the HTTP header', 'text/html; charset=windows-1252', ''],
    ['a <meta charset>', 'text/html', '<meta charset="windows-1252">'],
  ] as const) {
    it(`a windows-1252 page labelled in ${name} is decoded as such`, async () => {
      const page = `<html><head>${meta}<title>t</title></head><body><article><p>${'Caf\u00e9 cr\u00e8me \u2013 \u201cquoted\u201d words of the story. '.repeat(20)}</p></article></body></html>`;
      const result = await withPage(html(iconv.encode(page, 'windows-1252'), contentType));
      expect(result.text).toContain('Caf\u00e9 cr\u00e8me \u2013 \u201cquoted\u201d');
      expect(result.text).not.toContain('\ufffd');
    });
  }

  it('active content never survives: scripts, frames, objects, forms, handlers, javascript: and data: URLs, styles', async () => {
    const evil = [
      '<script>alert(1)</script>', '<iframe src="https://evil.example/"></iframe>', '<object data="x.swf"></object>', '<embed src="x.swf">',
      '<form action="https://evil.example/"><input name="p"></form>', '<svg onload="alert(1)"><circle/></svg>', '<style>body{display:none}</style>',
      '<a href="javascript:alert(1)">click</a>', '<img src="data:image/png;base64,AAAA">', '<p onmouseover="alert(1)" style="color:red">hover</p>',
      '<meta http-equiv="refresh" content="0;url=https://evil.example/">', '<link rel="stylesheet" href="https://evil.example/x.css">',
    ].join('');
    const page = ARTICLE.replace('<div class="article-body">', `<div class="article-body">${evil}`);
    const result = await withPage(html(page));
    expect(result.text).toContain('sank eleven boats');
    expect(result.html).not.toMatch(/<script|<iframe|<object|<embed|<form|<input|<svg|<style|<meta|<link|javascript:|data:|on\w+=|style=/i);
  });

  it('video and audio are kept with http(s) sources and controls only: javascript:/data: sources and posters, autoplay and handlers go', () => {
    const html = '<video src="javascript:alert(1)" poster="data:image/png;base64,AAAA" autoplay onplay="x()" controls></video><video src="/v.mp4" poster="javascript:alert(2)"></video><audio src="vbscript:x" autoplay></audio><audio src="a.mp3" controls></audio><video><source src="javascript:x"><source src="/s.mp4" type="video/mp4"></video>';
    const clean = sanitizeHtml(html, 'https://news.example/story.html');
    expect(clean).not.toMatch(/javascript:|data:|vbscript:|autoplay|onplay/);
    expect(clean).toContain('<video src="https://news.example/v.mp4"></video>');
    expect(clean).toContain('<audio src="https://news.example/a.mp3" controls></audio>');
    expect(clean).toContain('<source src="https://news.example/s.mp4" type="video/mp4">');
  });

  it('control characters in the page are dropped, as in feed content', async () => {
    const page = ARTICLE.replace('sank eleven boats', 'sank\u0001 eleven\u000b boats\u0000');
    const result = await withPage(html(page));
    expect(result.html).toContain('sank eleven boats');
    expect(result.html).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
  });

  it('a 404 page keeps the summary (FM_HTTP_STATUS) and is not asked for again until the item changes', async () => {
    const result = await withPage(reply({ status: 404, body: 'gone' }));
    expectKeptWithWarning(result, 'FM_HTTP_STATUS', /HTTP 404/);
    await result.h.run({ refresh: true });
    expect(result.server.hits('/story.html')).toHaveLength(1);
  });

  it('a page that redirects to an internal address is refused before any connection (FM_BLOCKED_ADDRESS; MockAgent, no network)', async () => {
    const agent = new MockAgent();
    agent.disableNetConnect();
    const site = agent.get('https://news.public.example');
    site.intercept({ path: '/feed.xml', method: 'GET' }).reply(200, oneItemFeed('https://news.public.example/story.html'), { headers: { 'content-type': 'application/rss+xml' } });
    site.intercept({ path: '/story.html', method: 'GET' }).reply(302, '', { headers: { location: 'http://169.254.169.254/latest/meta-data/' } });
    // a trap: used up if feedmirror asked the internal address
    agent.get('http://169.254.169.254').intercept({ path: '/latest/meta-data/', method: 'GET' }).reply(200, ARTICLE, { headers: { 'content-type': 'text/html' } });
    const h = await scope.harness({ sources: [{ id: 'news', url: 'https://news.public.example/feed.xml', fullText: true }], fetch: { allowPrivateNetworks: false } });
    const { logs } = await h.run({ dispatcher: agent });
    expect(htmlToText((await h.articles())[0]!.contentHtml)).toBe(SUMMARY);
    const warning = logsMatching(logs, /^full text /).find((l) => l.level >= 40)!;
    expect(warning).toMatchObject({ code: 'FM_BLOCKED_ADDRESS' });
    expect(agent.pendingInterceptors().map((i) => i.origin)).toEqual(['http://169.254.169.254']);
  });

  it('a page whose article is shorter than the feed content keeps the feed content', async () => {
    const server = await scope.server();
    const long = 'The feed itself carries a long text here. '.repeat(8);
    server.on('/feed.xml', feed(oneItemFeed(server.url('/story.html')).replace(SUMMARY, long)));
    server.on('/story.html', html('<html><body><article><p>Short page.</p></article></body></html>'));
    const h = await scope.harness({ sources: [{ id: 'news', url: server.url('/feed.xml'), fullText: { minChars: 1000 } }] });
    const { report } = await h.run();
    expect(report.pages).toMatchObject({ fetched: 1, kept: 1, extracted: 0 });
    expect(htmlToText((await h.articles())[0]!.contentHtml)).toBe(long.trim());
  });
});
