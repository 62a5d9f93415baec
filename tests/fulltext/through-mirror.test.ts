/**
 * The publisher's origin is dead (a closed port on 127.0.0.1) and its mirror is live: the feed and
 * every article page come through the mirror, and what is stored and published names the
 * publisher's own host only, as when the origin answers. A warm run asks the mirror for no page.
 */
import { describe, expect, it } from 'vitest';
import { htmlToText } from '../../src/lib/html-text.js';
import { articleTitled, logsMatching } from '../remote/helpers/harness.js';
import { closedOrigin } from '../helpers/closed-port.js';
import { testScope } from '../remote/helpers/scope.js';
import { expectedBody, FEED_PATH, pageRequests, servePublisher } from './helpers/publisher.js';

const scope = testScope();

/** Every URL in HTML: src, href, poster and each srcset candidate. */
function contentUrls(html: string): string[] {
  return [...html.matchAll(/(?:src|href|poster)="([^"]+)"|srcset="([^"]+)"/g)].flatMap((m) => (m[1] ? [m[1]] : m[2]!.split(/,\s+/).map((c) => c.split(/\s+/)[0]!)));
}

describe('full text through the publisher\'s mirror when the origin is down', () => {
  for (const prefix of ['', '/mirror']) {
    it(`pages come from the mirror${prefix ? ' (under a path prefix)' : ''}; every stored URL is on the origin; a warm run fetches no page`, async () => {
      const origin = await closedOrigin();
      const mirror = await scope.server();
      servePublisher(mirror, prefix);
      const h = await scope.harness({ sources: [{ id: 'news', url: `${origin}${FEED_PATH}`, mirrors: [`${mirror.origin}${prefix}/`], fullText: true }] });
      const { report, logs } = await h.run();
      expect(report.pages).toMatchObject({ fetched: 2, extracted: 2, deferred: 0 });
      expect(pageRequests(mirror).sort()).toEqual([`${prefix}/news/harbour.html`, `${prefix}/news/library.html`]);
      expect(logsMatching(logs, /^page .*harbour\.html failed .*; fetched it through the mirror/)).toHaveLength(1);

      const articles = await h.articles();
      for (const [title, page] of [['The harbour reopens after the storm', 'harbour'], ['Council approves the new library', 'library']] as const) {
        const article = articleTitled(articles, title);
        expect(article.url!.startsWith(`${origin}/news/`)).toBe(true);
        for (const paragraph of expectedBody(page).split(/(?<=\.) (?=[A-Z"])/).slice(0, 3)) expect(htmlToText(article.contentHtml)).toContain(paragraph);
        const urls = contentUrls(article.contentHtml);
        expect(urls.length).toBeGreaterThan(0);
        for (const url of urls) expect(url.startsWith(`${origin}/`) || url.startsWith('https://agency.example.net/'), url).toBe(true);
        if (prefix) expect(article.contentHtml).not.toContain(`${prefix}/`);
      }
      expect(articleTitled(articles, 'The harbour reopens after the storm').contentHtml).toContain(`src="${origin}/img/harbour.jpg"`);

      const warm = await h.run({ refresh: true });
      expect(warm.report.pages).toMatchObject({ fetched: 0, reused: 2 });
      expect(pageRequests(mirror)).toHaveLength(2);
    });
  }

  it('with the origin and every mirror down, the items keep their summaries and are tried again on the next run', async () => {
    const origin = await closedOrigin();
    const mirror = await scope.server();
    servePublisher(mirror);
    const h = await scope.harness({ sources: [{ id: 'news', url: `${mirror.origin}${FEED_PATH}`, fullText: true }] });
    // The feed is served by the "mirror" server itself, but its items point at a dead host with no mirror.
    mirror.on(FEED_PATH, (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(
        `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>${origin}/</link><description>d</description><item><title>Gone</title><link>${origin}/news/gone.html</link><description>Only a summary.</description></item></channel></rss>`,
      );
    });
    const first = await h.run();
    expect(first.report.pages).toMatchObject({ fetched: 1, failed: 1, deferred: 1, extracted: 0 });
    expect(htmlToText((await h.articles())[0]!.contentHtml)).toBe('Only a summary.');
    const warnings = logsMatching(first.logs, /full text .*gone\.html: .*tried again on the next run/);
    expect(warnings[0]).toMatchObject({ code: 'FM_CONNECT', source: 'news' });
    const second = await h.run();
    expect(second.report.pages).toMatchObject({ fetched: 1, deferred: 1 });
  });
});
