/**
 * `media: "mirror"`: the publisher's origin is dead, its mirror live. In every published format
 * and site copy, media URLs on the publisher's host (img src and srcset, video src and poster,
 * audio src, images, enclosures) point at the same path on its mirror, links stay canonical, and
 * media on other hosts are left alone. Without `media` nothing moves.
 */
import { describe, expect, it } from 'vitest';
import type { StoredArticle } from '../../src/model/article.js';
import { moveMedia } from '../../src/publish/media-policy.js';
import { makeArticle } from '../helpers/builders.js';
import { closedOrigin } from '../helpers/closed-port.js';
import { testScope } from '../remote/helpers/scope.js';
import { FEED_PATH, servePublisher } from './helpers/publisher.js';

const scope = testScope();

async function mirroredPublisher(media: { source?: string; output?: string }, site: Record<string, unknown> = {}) {
  const origin = await closedOrigin();
  const mirror = await scope.server();
  servePublisher(mirror);
  const h = await scope.harness({
    sources: [{ id: 'news', url: `${origin}${FEED_PATH}`, mirrors: [`${mirror.origin}/`], fullText: true, ...(media.source ? { media: media.source } : {}) }],
    outputs: [{ id: 'all', title: 'Everything', sources: ['*'], limit: 100, ...(media.output ? { media: media.output } : {}) }],
  });
  if (Object.keys(site).length > 0) {
    const { readFile, writeFile } = await import('node:fs/promises');
    const config = JSON.parse(await readFile(h.configPath, 'utf8')) as { site: Record<string, unknown> };
    config.site = { ...config.site, ...site };
    await writeFile(h.configPath, JSON.stringify(config));
  }
  const { report } = await h.run();
  expect(report.pages).toMatchObject({ extracted: 2 });
  return { origin, mirror, h };
}

const MEDIA_PATHS = ['/img/harbour.jpg', '/img/harbour-480.jpg', '/img/harbour-960.jpg', '/img/library.png', '/img/tour-poster.jpg', '/media/tour.mp4', '/audio/library-debate.mp3'];

describe('media: "mirror"', () => {
  for (const where of ['source', 'output'] as const) {
    it(`set on the ${where}: every media URL on the publisher's host points at its mirror in RSS, Atom and JSON Feed; links stay canonical`, async () => {
      const { origin, mirror, h } = await mirroredPublisher({ [where]: 'mirror' });
      for (const file of ['all/rss.xml', 'all/atom.xml', 'all/feed.json']) {
        const text = (await h.output(file)).replaceAll('\\/', '/');
        for (const path of MEDIA_PATHS) {
          expect(text, `${file} ${path}`).toContain(`${mirror.origin}${path}`);
          expect(text, `${file} ${path}`).not.toContain(`${origin}${path}`);
        }
        // srcset candidates and poster each moved
        if (file !== 'all/feed.json') expect(text).toMatch(new RegExp(`srcset=(?:&quot;|")${mirror.origin}/img/harbour-480\\.jpg 480w, ${mirror.origin}/img/harbour-960\\.jpg 960w`));
        // links and ids stay on the publisher's own host
        expect(text).toContain(`${origin}/news/harbour.html`);
        expect(text).toContain(`${origin}/news/sea-wall.html`);
        expect(text).not.toContain(`${mirror.origin}/news/sea-wall.html`);
        // another host's media is not the publisher's to move
        expect(text).toContain('https://agency.example.net/photo/library-site.jpg');
      }
      expect(await h.output('all/rss.xml')).toContain(`<enclosure url="${mirror.origin}/audio/library-debate.mp3" length="4096" type="audio/mpeg"/>`);
    });
  }

  it('without media, nothing moves: media stay on the publisher\'s host', async () => {
    const { origin, mirror, h } = await mirroredPublisher({});
    const rss = await h.output('all/rss.xml');
    for (const path of MEDIA_PATHS) expect(rss).toContain(`${origin}${path}`);
    expect(rss).not.toMatch(new RegExp(`(?:src|poster|url)=(?:&quot;|")${mirror.origin}`));
  });

  it('in every site copy, media point at the publisher\'s mirror too', async () => {
    const { mirror, h } = await mirroredPublisher({ source: 'mirror' }, { mirrors: ['https://copy.feeds.example.net/'] });
    const copy = await h.output('mirrors/copy.feeds.example.net/all/atom.xml');
    expect(copy).toContain('https://copy.feeds.example.net/all/atom.xml');
    for (const path of MEDIA_PATHS) expect(copy).toContain(`${mirror.origin}${path}`);
  });

  it('the stored articles keep the canonical URLs: only the published documents move', async () => {
    const { origin, h } = await mirroredPublisher({ source: 'mirror' });
    const stored = (await h.articles()).map((a) => a.contentHtml).join('\n');
    expect(stored).toContain(`${origin}/img/harbour.jpg`);
  });
});

describe('moveMedia (unit)', () => {
  const article = (hostMirrors: StoredArticle['hostMirrors']): StoredArticle => ({
    ...makeArticle({
      url: 'https://news.example/a.html',
      hostMirrors,
      contentHtml: '<p><a href="https://news.example/b.html">b</a><img src="https://news.example/i.jpg" srcset="https://news.example/i-1.jpg 1x, https://news.example/i-2.jpg 2x"><video src="https://news.example/v.mp4" poster="https://news.example/p.jpg" controls></video><audio src="https://news.example/a.mp3" controls></audio><picture><source src="https://news.example/s.webp" srcset="https://news.example/s.webp"></picture><img src="https://other.example/o.jpg"></p>',
      images: [{ url: 'https://news.example/i.jpg', caption: null, credit: null }],
      enclosures: [{ url: 'https://news.example/e.mp3', type: 'audio/mpeg', length: 1 }],
    }),
    firstSeen: '2024-01-01T00:00:00.000Z', urlIsUnique: true, recordHash: 'x',
  });
  const bases = [
    { base: 'http://abcdefghijklmnop.onion/', kind: 'tor', origin: 'config' as const },
    { base: 'http://plain.example/', kind: 'http', origin: 'config' as const },
    { base: 'https://secure.example/prefix/', kind: 'https', origin: 'config' as const },
  ];

  it('prefers the first https mirror (with its path prefix) over http and never picks an onion', () => {
    const a = article([{ host: 'news.example', bases }]);
    const moved = moveMedia(a, a, { mode: 'mirror' });
    expect(moved.contentHtml).toContain('src="https://secure.example/prefix/i.jpg"');
    expect(moved.contentHtml).toContain('srcset="https://secure.example/prefix/i-1.jpg 1x, https://secure.example/prefix/i-2.jpg 2x"');
    expect(moved.contentHtml).toContain('src="https://secure.example/prefix/v.mp4" poster="https://secure.example/prefix/p.jpg"');
    expect(moved.contentHtml).toContain('<audio src="https://secure.example/prefix/a.mp3"');
    expect(moved.contentHtml).toContain('<source src="https://secure.example/prefix/s.webp" srcset="https://secure.example/prefix/s.webp"');
    expect(moved.contentHtml).toContain('href="https://news.example/b.html"');
    expect(moved.contentHtml).toContain('src="https://other.example/o.jpg"');
    expect(moved.images[0]!.url).toBe('https://secure.example/prefix/i.jpg');
    expect(moved.enclosures[0]!.url).toBe('https://secure.example/prefix/e.mp3');
  });

  it('falls back to an http mirror; a host with only an onion mirror keeps its URLs', () => {
    const httpOnly = article([{ host: 'news.example', bases: bases.slice(0, 2) }]);
    expect(moveMedia(httpOnly, httpOnly, { mode: 'mirror' }).images[0]!.url).toBe('http://plain.example/i.jpg');
    const onionOnly = article([{ host: 'news.example', bases: bases.slice(0, 1) }]);
    expect(moveMedia(onionOnly, onionOnly, { mode: 'mirror' }).images[0]!.url).toBe('https://news.example/i.jpg');
  });
});
