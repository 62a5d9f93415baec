import { Parser } from 'htmlparser2';

const FEED_TYPES = ['application/rss+xml', 'application/atom+xml', 'application/feed+json', 'application/json', 'application/rdf+xml', 'text/xml', 'application/xml'];

/**
 * Feed URLs an HTML page advertises with <link rel="alternate" type="application/rss+xml" href>,
 * in document order, resolved against the page URL (and its <base href>).
 */
export function discoverFeedLinks(html: string, pageUrl: string): string[] {
  const found: { href: string; rank: number }[] = [];
  let base = pageUrl;
  const parser = new Parser(
    {
      onopentag(name, attrs) {
        if (name === 'base' && attrs.href) base = resolve(attrs.href, pageUrl) ?? base;
        if (name !== 'link' || !attrs.href) return;
        const rels = (attrs.rel ?? '').toLowerCase().split(/\s+/);
        const rank = FEED_TYPES.indexOf((attrs.type ?? '').toLowerCase().trim());
        if (rels.includes('alternate') && rank >= 0 && !rels.includes('stylesheet')) found.push({ href: attrs.href, rank });
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.write(html.slice(0, 512_000)); // feed links sit in <head>; never walk a huge page
  parser.end();
  const urls = found.map((f) => resolve(f.href, base)).filter((u): u is string => u !== null);
  return [...new Set(urls)];
}

function resolve(href: string, base: string): string | null {
  try {
    const url = new URL(href.trim(), base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}
