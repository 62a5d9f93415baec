import path from 'node:path';

/** Feeds by their file names (archive pages and variants share them), everything else by extension. */
const BY_NAME: Record<string, string> = {
  'rss.xml': 'application/rss+xml; charset=utf-8',
  'atom.xml': 'application/atom+xml; charset=utf-8',
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

/**
 * RSS and Atom as a browser shows them: Chromium displays application/rss+xml and
 * application/atom+xml as plain text and never applies their XSL stylesheet, so a person who opens
 * a feed gets it as application/xml (feed readers still get the feed's own type).
 */
export const BROWSER_VIEW_TYPE = 'application/xml; charset=utf-8';

export function hasBrowserView(file: string): boolean {
  const name = path.basename(file);
  return name === 'rss.xml' || name === 'atom.xml';
}

/** Feeds are read by aggregators and web apps on other origins. */
export function isFeed(file: string): boolean {
  return path.basename(file) in BY_NAME || file.endsWith('.opml');
}
