import path from 'node:path';

/**
 * Feeds by their file names (archive pages and variants share them), everything else by extension.
 * rss.xml and atom.xml go out as application/xml, as static hosts send any .xml file: Chromium
 * shows application/rss+xml and application/atom+xml as plain text and never applies their XSL
 * stylesheet, and feed readers read the document whatever its XML type.
 */
const BY_NAME: Record<string, string> = {
  'rss.xml': 'application/xml; charset=utf-8',
  'atom.xml': 'application/xml; charset=utf-8',
  'feed.json': 'application/feed+json; charset=utf-8',
};
const BY_EXTENSION: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.xsl': 'text/xsl; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.opml': 'text/x-opml; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
};

export function contentTypeFor(file: string): string {
  return BY_NAME[path.basename(file)] ?? BY_EXTENSION[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** How long a published file may be cached: archive pages never change, everything else may at the next run. */
export const CACHE_SECONDS = 300;
export const ARCHIVE_CACHE_SECONDS = 86_400;

/** The Cache-Control of a published file (`relative` to the output folder): the same from `serve` and on S3. */
export function cacheControlFor(relative: string): string {
  return relative.includes('/archive/') ? `public, max-age=${ARCHIVE_CACHE_SECONDS}, immutable` : `public, max-age=${CACHE_SECONDS}`;
}

/** Feeds are read by aggregators and web apps on other origins. */
export function isFeed(file: string): boolean {
  return path.basename(file) in BY_NAME || file.endsWith('.opml');
}
