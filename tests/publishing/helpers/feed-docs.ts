/**
 * Reads our RSS, Atom and JSON Feed files back into one shape, so a test can ask the same
 * question of every format: which items, which history links, which flags.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FeedFormat } from '../../../src/publish/feed-view.js';
import { childNamed, childrenNamed, parseXml, type XmlNode } from '../../helpers/xml.js';

export const FILE_OF: Record<FeedFormat, string> = { rss: 'rss.xml', atom: 'atom.xml', json: 'feed.json' };

export interface FeedItem {
  /** RSS guid, Atom id, JSON Feed id. */
  id: string;
  title: string;
  /** What the item says about where it came from: RSS <source url>, Atom <source><id>, JSON _feedmirror.source. */
  source: string | null;
  categories: string[];
}

export interface FeedDoc {
  format: FeedFormat;
  title: string;
  items: FeedItem[];
  /** Feed-level links by rel (RSS atom:link, Atom link; JSON: next_url as prev-archive, feed_url as self). */
  links: { rel: string; href: string }[];
  /** RFC 5005 fh:archive / fh:complete (XML formats only). */
  isArchive: boolean;
  isComplete: boolean;
  hubs: string[];
}

export async function readFeedDoc(file: string, format: FeedFormat): Promise<FeedDoc> {
  const text = await readFile(file, 'utf8');
  if (format === 'json') return parseJsonDoc(text);
  const root = parseXml(text);
  return format === 'rss' ? parseRssDoc(root) : parseAtomDoc(root);
}

export function linkHref(doc: FeedDoc, rel: string): string | null {
  return doc.links.find((l) => l.rel === rel)?.href ?? null;
}

function parseRssDoc(rss: XmlNode): FeedDoc {
  const channel = childNamed(rss, 'channel');
  const links = childrenNamed(channel, 'atom:link').map((l) => ({ rel: l.attributes.rel ?? '', href: l.attributes.href ?? '' }));
  return {
    format: 'rss',
    title: childNamed(channel, 'title').text,
    items: childrenNamed(channel, 'item').map((item) => ({
      id: childNamed(item, 'guid').text,
      title: childNamed(item, 'title').text,
      source: childrenNamed(item, 'source')[0]?.attributes.url ?? null,
      categories: childrenNamed(item, 'category').map((c) => c.text),
    })),
    links,
    isArchive: childrenNamed(channel, 'fh:archive').length > 0,
    isComplete: childrenNamed(channel, 'fh:complete').length > 0,
    hubs: links.filter((l) => l.rel === 'hub').map((l) => l.href),
  };
}

function parseAtomDoc(feed: XmlNode): FeedDoc {
  const links = childrenNamed(feed, 'link').map((l) => ({ rel: l.attributes.rel ?? 'alternate', href: l.attributes.href ?? '' }));
  return {
    format: 'atom',
    title: childNamed(feed, 'title').text,
    items: childrenNamed(feed, 'entry').map((entry) => {
      const source = childrenNamed(entry, 'source')[0];
      return {
        id: childNamed(entry, 'id').text,
        title: childNamed(entry, 'title').text,
        source: source ? childNamed(source, 'id').text : null,
        categories: childrenNamed(entry, 'category').map((c) => c.attributes.term ?? ''),
      };
    }),
    links,
    isArchive: childrenNamed(feed, 'fh:archive').length > 0,
    isComplete: childrenNamed(feed, 'fh:complete').length > 0,
    hubs: links.filter((l) => l.rel === 'hub').map((l) => l.href),
  };
}

interface JsonFeedFile {
  title: string;
  feed_url?: string;
  next_url?: string;
  hubs?: { type: string; url: string }[];
  items: { id: string; title?: string; tags?: string[]; _feedmirror?: { source?: string } }[];
}

function parseJsonDoc(text: string): FeedDoc {
  const json = JSON.parse(text) as JsonFeedFile;
  return {
    format: 'json',
    title: json.title,
    items: json.items.map((item) => ({ id: item.id, title: item.title ?? '', source: item._feedmirror?.source ?? null, categories: item.tags ?? [] })),
    links: [...(json.feed_url ? [{ rel: 'self', href: json.feed_url }] : []), ...(json.next_url ? [{ rel: 'prev-archive', href: json.next_url }] : [])],
    isArchive: false,
    isComplete: false,
    hubs: (json.hubs ?? []).map((h) => h.url),
  };
}

export interface ChainStep {
  /** Path of the document inside the output folder. */
  relative: string;
  doc: FeedDoc;
}

/**
 * Follows prev-archive links from a subscription document to the oldest page. Every link must
 * point into the output folder (on `siteUrl`); a loop or a dangling link fails loudly.
 */
export async function followArchiveChain(outputDir: string, siteUrl: string, start: string, format: FeedFormat): Promise<ChainStep[]> {
  const steps: ChainStep[] = [];
  const seen = new Set<string>();
  let relative: string | null = start;
  while (relative !== null) {
    if (seen.has(relative)) throw new Error(`prev-archive loop at ${relative}`);
    seen.add(relative);
    const doc = await readFeedDoc(path.join(outputDir, relative), format);
    steps.push({ relative, doc });
    const next = linkHref(doc, 'prev-archive');
    if (next !== null && !next.startsWith(siteUrl)) throw new Error(`${relative}: prev-archive ${next} is not on ${siteUrl}`);
    relative = next === null ? null : next.slice(siteUrl.length);
  }
  return steps;
}
