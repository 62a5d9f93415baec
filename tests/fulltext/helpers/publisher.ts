/**
 * A news publisher on 127.0.0.1 for the full-text and media tests: a summary-only feed, the full
 * article page of each item, and its images. The fixtures in tests/fixtures/fulltext/ are
 * templates: {{BASE}} becomes the serving origin (with a mirror's path prefix), so a mirror serves
 * the same site with every absolute link on its own host, as a real mirror does.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FixtureServer, Handler } from '../../remote/helpers/fixture-server.js';
import { reply } from '../../remote/helpers/fixture-server.js';

export const FULLTEXT_FIXTURES = fileURLToPath(new URL('../../fixtures/fulltext/', import.meta.url));

/** The pages of the summary feed, by path, with their fixture. */
export const PAGES = { '/news/harbour.html': 'harbour', '/news/library.html': 'library' } as const;
export const FEED_PATH = '/feed.xml';
/** Bytes of a tiny image: what the media tests expect back. */
export const IMAGE_BYTES = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
export const IMAGES = ['/img/harbour.jpg', '/img/harbour-480.jpg', '/img/harbour-960.jpg', '/img/library.png', '/img/tour-poster.jpg', '/audio/library-debate.mp3', '/media/tour.mp4'];

const MEDIA_TYPES: Record<string, string> = { jpg: 'image/jpeg', png: 'image/png', mp3: 'audio/mpeg', mp4: 'video/mp4' };

export function fixture(name: string): string {
  return readFileSync(`${FULLTEXT_FIXTURES}${name}`, 'utf8');
}

/** The text a reader should get for a page: its article body, one paragraph per line in the fixture. */
export function expectedBody(page: 'harbour' | 'library'): string {
  return fixture(`${page}.body.txt`).replace(/\s+/g, ' ').trim();
}

function html(body: string): Handler {
  return reply({ headers: { 'content-type': 'text/html; charset=utf-8' }, body });
}

/**
 * Registers the publisher's routes on `server`, rendered for `base`: the server's origin, or
 * `origin` (a name a proxy maps to this server), followed by the mirror's path prefix.
 */
export function servePublisher(server: FixtureServer, prefix = '', origin = server.origin): void {
  const base = `${origin}${prefix}`;
  const render = (name: string) => fixture(name).replaceAll('{{BASE}}', base);
  server.on(`${prefix}${FEED_PATH}`, reply({ headers: { 'content-type': 'application/rss+xml; charset=utf-8' }, body: render('summary.rss.xml') }));
  for (const [path, name] of Object.entries(PAGES)) server.on(`${prefix}${path}`, html(render(`${name}.html`)));
  for (const path of IMAGES) server.on(`${prefix}${path}`, reply({ headers: { 'content-type': MEDIA_TYPES[path.split('.').pop()!]! }, body: IMAGE_BYTES }));
}

/** Requests the server saw for article pages. */
export function pageRequests(server: FixtureServer): string[] {
  return server.requests.filter((r) => r.path.includes('/news/')).map((r) => r.path);
}
