/**
 * Reads our own RSS, Atom and JSON Feed output back into one shape, so a test can ask the same
 * questions of every format: which id, which link, which duplicates, which media and content URLs.
 */
import { decodeHTML } from 'entities';
import { childNamed, childrenNamed, linkHrefs, parseXml, type XmlNode } from '../../helpers/xml.js';

export type Format = 'rss' | 'atom' | 'json';

export const FORMAT_FILES: Record<Format, string> = { rss: 'rss.xml', atom: 'atom.xml', json: 'feed.json' };
export const FORMATS: Format[] = ['rss', 'atom', 'json'];

export interface ItemLinks {
  /** RSS guid, Atom id, JSON Feed id. */
  id: string;
  link: string | null;
  /** rel="duplicate" links (RSS/Atom) or _feedmirror.mirrors[].url (JSON). */
  duplicates: string[];
  enclosures: string[];
  /** JSON Feed `image` (the other formats have no image field). */
  image: string | null;
  /** Every href/src/srcset URL in the item's HTML content. */
  contentUrls: string[];
  /** The sha256 content hash the item carries. */
  hash: string | null;
  hashAlgorithm: string | null;
}

export interface FeedLinks {
  /** Atom feed id (null in RSS and JSON Feed, which have none). */
  feedId: string | null;
  self: string | null;
  home: string | null;
  /** The feed's other copies: rel="duplicate" (RSS/Atom), _feedmirror.mirrors (JSON). */
  duplicates: string[];
  items: ItemLinks[];
}

export function readFeed(format: Format, text: string): FeedLinks {
  if (format === 'rss') return readRss(text);
  if (format === 'atom') return readAtom(text);
  return readJson(text);
}

function readRss(text: string): FeedLinks {
  const channel = childNamed(parseXml(text), 'channel');
  return {
    feedId: null,
    self: linkHrefs(channel, 'atom:link', 'self')[0] ?? null,
    home: childrenNamed(channel, 'link')[0]?.text.trim() ?? null,
    duplicates: linkHrefs(channel, 'atom:link', 'duplicate'),
    items: childrenNamed(channel, 'item').map((item) => {
      const hash = childrenNamed(item, 'feedmirror:hash')[0];
      return {
        id: childNamed(item, 'guid').text.trim(),
        link: childrenNamed(item, 'link')[0]?.text.trim() ?? null,
        duplicates: linkHrefs(item, 'atom:link', 'duplicate'),
        enclosures: childrenNamed(item, 'enclosure').map((e) => e.attributes.url ?? ''),
        image: null,
        contentUrls: htmlUrls(childrenNamed(item, 'content:encoded')[0]?.text ?? ''),
        hash: hash?.text.trim() ?? null,
        hashAlgorithm: hash?.attributes.algorithm ?? null,
      };
    }),
  };
}

function readAtom(text: string): FeedLinks {
  const feed = parseXml(text);
  return {
    feedId: childNamed(feed, 'id').text.trim(),
    self: linkHrefs(feed, 'link', 'self')[0] ?? null,
    home: alternateHref(feed),
    duplicates: linkHrefs(feed, 'link', 'duplicate'),
    items: childrenNamed(feed, 'entry').map((entry) => {
      const hash = childrenNamed(entry, 'feedmirror:hash')[0];
      return {
        id: childNamed(entry, 'id').text.trim(),
        link: alternateHref(entry),
        duplicates: linkHrefs(entry, 'link', 'duplicate'),
        enclosures: linkHrefs(entry, 'link', 'enclosure'),
        image: null,
        contentUrls: htmlUrls(childrenNamed(entry, 'content')[0]?.text ?? ''),
        hash: hash?.text.trim() ?? null,
        hashAlgorithm: hash?.attributes.algorithm ?? null,
      };
    }),
  };
}

/** rel="alternate", or a link without rel (which means alternate in Atom). */
function alternateHref(node: XmlNode): string | null {
  const link = childrenNamed(node, 'link').find((l) => (l.attributes.rel ?? 'alternate') === 'alternate');
  return link?.attributes.href ?? null;
}

interface JsonFeed {
  home_page_url?: string;
  feed_url?: string;
  _feedmirror?: { mirrors?: string[] };
  items: {
    id: string;
    url?: string;
    image?: string;
    content_html?: string;
    attachments?: { url: string }[];
    _feedmirror?: { mirrors?: { url: string; kind: string; source: string }[]; content_hash?: { algorithm: string; value: string } };
  }[];
}

function readJson(text: string): FeedLinks {
  const feed = JSON.parse(text) as JsonFeed;
  return {
    feedId: null,
    self: feed.feed_url ?? null,
    home: feed.home_page_url ?? null,
    duplicates: feed._feedmirror?.mirrors ?? [],
    items: feed.items.map((item) => ({
      id: item.id,
      link: item.url ?? null,
      duplicates: (item._feedmirror?.mirrors ?? []).map((m) => m.url),
      enclosures: (item.attachments ?? []).map((a) => a.url),
      image: item.image ?? null,
      contentUrls: htmlUrls(item.content_html ?? ''),
      hash: item._feedmirror?.content_hash?.value ?? null,
      hashAlgorithm: item._feedmirror?.content_hash?.algorithm ?? null,
    })),
  };
}

/** href, src and every srcset candidate in an HTML fragment, entities decoded, in document order. */
export function htmlUrls(html: string): string[] {
  const urls: string[] = [];
  for (const match of html.matchAll(/\s(href|src|srcset)="([^"]*)"/g)) {
    const value = decodeHTML(match[2]!);
    if (match[1] === 'srcset') urls.push(...value.split(/,\s+/).map((part) => part.trim().split(/\s+/)[0]!));
    else urls.push(value);
  }
  return urls;
}
