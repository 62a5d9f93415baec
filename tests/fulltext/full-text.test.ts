/**
 * Full text (`sources[].fullText`): a summary-only feed on 127.0.0.1 whose items link to full
 * article pages. The stored and published content is the page's article (compared with the
 * fixture's body text), sanitized like feed content, with every URL on the publisher's own host
 * even when a mirror served the page; a warm run fetches no page; `maxPerRun` spreads a long feed
 * over several runs; `selector` picks the body by CSS.
 */
import { describe, expect, it } from 'vitest';
import { htmlToText } from '../../src/lib/html-text.js';
import type { StoredArticle } from '../../src/model/article.js';
import { feed, reply } from '../remote/helpers/fixture-server.js';
import { articleTitled, logsMatching } from '../remote/helpers/harness.js';
import { testScope } from '../remote/helpers/scope.js';
import { expectedBody, FEED_PATH, fixture, pageRequests, servePublisher } from './helpers/publisher.js';

const scope = testScope();

const HARBOUR = 'The harbour reopens after the storm';
const LIBRARY = 'Council approves the new library';

function text(article: StoredArticle): string {
  return htmlToText(article.contentHtml);
}

/** Every URL in an article's content (src, srcset candidates, href). */
function contentUrls(html: string): string[] {
  return [...html.matchAll(/(?:src|href|poster)="([^"]+)"|srcset="([^"]+)"/g)].flatMap((m) => (m[1] ? [m[1]] : m[2]!.split(/,\s+/).map((c) => c.split(/\s+/)[0]!)));
}

async function publisher(options: { fullText?: unknown } = {}) {
  const server = await scope.server();
  servePublisher(server);
  const h = await scope.harness({ sources: [{ id: 'news', url: server.url(FEED_PATH), fullText: options.fullText ?? true }] });
  return { server, h };
}

describe('full text from the article pages', () => {
  it('replaces each summary with the article of its page: the fixture body, no page chrome, nothing active', async () => {
    const { server, h } = await publisher();
    const { report } = await h.run();
    expect(report.pages).toMatchObject({ fetched: 2, extracted: 2, kept: 0, deferred: 0 });
    const articles = await h.articles();
    for (const [title, page] of [[HARBOUR, 'harbour'], [LIBRARY, 'library']] as const) {
      const article = articleTitled(articles, title);
      expect(text(article)).toContain(expectedBody(page).slice(0, 200));
      for (const paragraph of fixture(`${page}.body.txt`).trim().split('\n')) expect(text(article)).toContain(paragraph.replace(/\s+/g, ' '));
      // chrome, scripts and handlers stay out
      expect(text(article)).not.toMatch(/Privacy|Related|Storm warning|comments|injected by a script|All rights reserved/);
      expect(article.contentHtml).not.toMatch(/<script|<iframe|onerror|onclick|alert\(|steal\(/i);
      // every URL absolute; the page's own ones on the publisher's host
      for (const url of contentUrls(article.contentHtml)) expect(url.startsWith(`${server.origin}/`) || url.startsWith('https://agency.example.net/'), url).toBe(true);
      // the feed's summary stays the summary
      expect(article.summary).toMatch(/^The (harbour reopened|council voted)/);
    }
    const harbour = articleTitled(articles, HARBOUR);
    expect(harbour.contentHtml).toContain(`src="${server.origin}/img/harbour.jpg"`);
    expect(harbour.contentHtml).toContain(`srcset="${server.origin}/img/harbour-480.jpg 480w, ${server.origin}/img/harbour-960.jpg 960w"`);
    const rss = await h.output('all/rss.xml');
    expect(rss).toContain('sank eleven boats');
  });

  it('a warm run fetches no page, and neither does a run that trusts no record (--refresh): the store remembers each page', async () => {
    const { server, h } = await publisher();
    await h.run();
    expect(pageRequests(server)).toHaveLength(2);
    const before = await h.articles();
    const warm = await h.run();
    expect(pageRequests(server)).toHaveLength(2);
    expect(warm.report.pages).toMatchObject({ fetched: 0 });
    const refreshed = await h.run({ refresh: true });
    expect(pageRequests(server)).toHaveLength(2);
    expect(refreshed.report.pages).toMatchObject({ fetched: 0, reused: 2, extracted: 2 });
    expect(refreshed.report.stored).toMatchObject({ inserted: 0, updated: 0 });
    expect((await h.articles()).map((a) => a.contentHash)).toEqual(before.map((a) => a.contentHash));
  });

  it('a changed item fetches its page again, conditionally; a 304 keeps the article remembered', async () => {
    const server = await scope.server();
    servePublisher(server);
    let summary = 'The harbour reopened on Wednesday.';
    const page = fixture('harbour.html').replaceAll('{{BASE}}', server.origin);
    server.on('/feed.xml', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(fixture('summary.rss.xml').replaceAll('{{BASE}}', server.origin).replace('The harbour reopened on Wednesday.', summary));
    });
    server.on('/news/harbour.html', (req, res) => {
      if (req.headers['if-none-match'] === '"v1"') return void res.writeHead(304, { etag: '"v1"' }).end();
      res.writeHead(200, { 'content-type': 'text/html', etag: '"v1"' }).end(page);
    });
    const h = await scope.harness({ sources: [{ id: 'news', url: server.url(FEED_PATH), fullText: true }] });
    await h.run();
    summary = 'The harbour reopened on Wednesday morning.';
    const { report } = await h.run();
    expect(report.pages).toMatchObject({ fetched: 1, notModified: 1, extracted: 1 });
    expect(server.hits('/news/harbour.html').at(-1)!.headers['if-none-match']).toBe('"v1"');
    expect(text(articleTitled(await h.articles(), HARBOUR))).toContain('sank eleven boats');
  });

  it('items whose feed content is long enough (minChars) are left alone', async () => {
    const { server, h } = await publisher({ fullText: { minChars: 10 } });
    const { report } = await h.run();
    expect(pageRequests(server)).toEqual([]);
    expect(report.pages).toMatchObject({ fetched: 0, extracted: 0 });
    expect(text(articleTitled(await h.articles(), HARBOUR))).toBe('The harbour reopened on Wednesday.');
  });

  it('without fullText no page is fetched', async () => {
    const server = await scope.server();
    servePublisher(server);
    const h = await scope.harness({ sources: [{ id: 'news', url: server.url(FEED_PATH) }] });
    await h.run();
    expect(pageRequests(server)).toEqual([]);
  });

  it('selector mode: the elements the CSS selector matches, and nothing else of the page', async () => {
    const { h } = await publisher({ fullText: { selector: '.entry' } });
    await h.run();
    const library = articleTitled(await h.articles(), LIBRARY);
    expect(text(library)).toBe(expectedBody('library'));
    expect(text(library)).not.toContain('Ada Ferreira');
  });

  it('selector mode: a page where nothing matches keeps the feed content, with a warning', async () => {
    const { h } = await publisher({ fullText: { selector: '.no-such-class' } });
    const { report, logs } = await h.run();
    expect(report.pages).toMatchObject({ fetched: 2, extracted: 0, kept: 2 });
    expect(text(articleTitled(await h.articles(), HARBOUR))).toBe('The harbour reopened on Wednesday.');
    const warnings = logsMatching(logs, /full text .*harbour\.html: nothing in the page matches the selector/);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ code: 'FM_NO_ARTICLE', source: 'news' });
  });

  it('maxPerRun: a first run of a long feed fetches that many pages; the rest follow on the next runs, newest first', async () => {
    const server = await scope.server();
    const items = Array.from({ length: 7 }, (_, i) => i);
    const body = fixture('harbour.html');
    const rss = `<?xml version="1.0"?><rss version="2.0"><channel><title>Long</title><link>${server.origin}/</link><description>d</description>${items
      .map((i) => `<item><title>Story ${i}</title><link>${server.origin}/news/${i}.html</link><pubDate>${new Date(Date.UTC(2024, 4, 20 - i)).toUTCString()}</pubDate><description>Short ${i}.</description></item>`)
      .join('')}</channel></rss>`;
    server.on('/feed.xml', feed(rss));
    for (const i of items) server.on(`/news/${i}.html`, reply({ headers: { 'content-type': 'text/html' }, body: body.replaceAll('{{BASE}}', server.origin) }));
    const h = await scope.harness({ sources: [{ id: 'news', url: server.url(FEED_PATH), fullText: { maxPerRun: 3 } }] });
    const first = await h.run();
    expect(first.report.pages).toMatchObject({ fetched: 3, extracted: 3, deferred: 4 });
    expect(pageRequests(server).sort()).toEqual(['/news/0.html', '/news/1.html', '/news/2.html']);
    const second = await h.run();
    expect(second.report.pages).toMatchObject({ fetched: 3, extracted: 3, deferred: 1 });
    const third = await h.run();
    expect(third.report.pages).toMatchObject({ fetched: 1, deferred: 0 });
    const fourth = await h.run();
    expect(fourth.report.pages).toMatchObject({ fetched: 0, deferred: 0 });
    expect(pageRequests(server)).toHaveLength(7);
    for (const article of await h.articles()) expect(text(article), article.title).toContain('sank eleven boats');
  });

  it('page fetches keep to fetch.perHostConcurrency like feeds', async () => {
    const server = await scope.server();
    const items = Array.from({ length: 6 }, (_, i) => i);
    const rss = `<?xml version="1.0"?><rss version="2.0"><channel><title>Many</title><link>${server.origin}/</link><description>d</description>${items
      .map((i) => `<item><title>Story ${i}</title><link>${server.origin}/news/${i}.html</link><description>Short ${i}.</description></item>`)
      .join('')}</channel></rss>`;
    server.on('/feed.xml', feed(rss));
    let active = 0;
    let most = 0;
    const page = fixture('harbour.html').replaceAll('{{BASE}}', server.origin);
    for (const i of items) {
      server.on(`/news/${i}.html`, async (_req, res) => {
        most = Math.max(most, ++active);
        // held open until the others had their chance to start, so overlapping requests would show
        await new Promise((resolve) => setImmediate(resolve));
        await new Promise((resolve) => setTimeout(resolve, 20));
        active--;
        res.writeHead(200, { 'content-type': 'text/html' }).end(page);
      });
    }
    const h = await scope.harness({ sources: [{ id: 'news', url: server.url(FEED_PATH), fullText: true }], fetch: { perHostConcurrency: 1 } });
    const { report } = await h.run();
    expect(report.pages).toMatchObject({ fetched: 6, extracted: 6 });
    expect(most).toBe(1);
  });

  it('the run summary line and the stored run record count the page fetches', async () => {
    const { h } = await publisher();
    const result = await h.cli();
    expect(result.code, result.stderr).toBe(0);
    const summary = result.logs.find((l) => l.event === 'run')!;
    expect(summary.msg).toContain('2 article pages fetched (2 full texts added');
    expect(summary.pages).toMatchObject({ fetched: 2, extracted: 2 });
  });
});
