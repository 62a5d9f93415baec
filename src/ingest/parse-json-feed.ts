import { z } from 'zod';
import type { ParsedFeed, ParsedItem, ParsedMedia, ParsedPerson, TextValue } from '../model/parsed-feed.js';
import { FeedParseError } from './parse-xml-feed.js';
import { looseText } from './text-values.js';

/** Lenient where the wild is sloppy (numeric ids, missing optional fields), strict on shape. */
const author = z.object({ name: z.string().optional(), url: z.string().optional(), avatar: z.string().optional() });
const attachment = z.object({ url: z.string(), mime_type: z.string().optional(), title: z.string().optional(), size_in_bytes: z.number().optional() });
const item = z.object({
  // Required by the spec, missing in real feeds (the item's url then identifies it).
  id: z.union([z.string(), z.number()]).transform(String).optional(),
  url: z.string().optional(),
  external_url: z.string().optional(),
  title: z.string().optional(),
  content_html: z.string().optional(),
  content_text: z.string().optional(),
  summary: z.string().optional(),
  image: z.string().optional(),
  banner_image: z.string().optional(),
  date_published: z.string().optional(),
  date_modified: z.string().optional(),
  author: author.optional(),
  authors: z.array(author).optional(),
  tags: z.array(z.string()).optional(),
  language: z.string().optional(),
  attachments: z.array(attachment).optional(),
});
const feed = z.object({
  version: z.string().regex(/^https?:\/\/jsonfeed\.org\/version\/1(\.\d+)?\/?$/, 'a jsonfeed.org version URL'),
  title: z.string().optional(),
  home_page_url: z.string().optional(),
  feed_url: z.string().optional(),
  description: z.string().optional(),
  language: z.string().optional(),
  author: author.optional(),
  authors: z.array(author).optional(),
  items: z.array(z.unknown()),
});

export interface JsonFeedResult {
  feed: ParsedFeed;
  /** Items that did not validate, with why; the rest of the feed is kept. */
  skipped: string[];
}

/**
 * JSON Feed 1.0 and 1.1 (rss-parser reads only XML). The spec makes every field but content_html
 * plain text, but generators fill title, summary, authors and tags with the HTML-escaped text of
 * their RSS feeds ("It&#8217;s", WordPress's JSON Feed plugin, kottke.org): they are read as RSS
 * titles are, as HTML only when they look like HTML, so "AT&T" and "a < b" stay as they are.
 */
export function parseJsonFeed(text: string): JsonFeedResult {
  let raw: unknown;
  try {
    raw = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new FeedParseError(`invalid JSON: ${(error as Error).message}`);
  }
  const parsed = feed.safeParse(raw);
  if (!parsed.success) throw new FeedParseError(`not a JSON Feed: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'top level'}: ${i.message}`).join('; ')}`);
  const skipped: string[] = [];
  const items: ParsedItem[] = [];
  // Both spec versions: the feed's author is the author of every item that names none.
  const feedAuthors = authorsOf([...(parsed.data.authors ?? []), ...(parsed.data.author ? [parsed.data.author] : [])]);
  parsed.data.items.forEach((value, i) => {
    const result = item.safeParse(value);
    if (result.success) items.push(toParsedItem(result.data, feedAuthors));
    else skipped.push(`items[${i}]: ${result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
  });
  const version = /version\/([\d.]+)/.exec(parsed.data.version)?.[1] ?? null;
  return {
    feed: {
      format: 'json',
      version,
      title: looseText(parsed.data.title),
      link: parsed.data.home_page_url ?? null,
      selfUrl: parsed.data.feed_url ?? null,
      base: null,
      language: parsed.data.language ?? null,
      description: looseText(parsed.data.description),
      items,
    },
    skipped,
  };
}

function authorsOf(list: z.infer<typeof author>[]): ParsedPerson[] {
  return list.flatMap((a) => {
    const name = looseText(a.name);
    return name ? [{ name, email: null, url: a.url ?? null }] : [];
  });
}

function toParsedItem(data: z.infer<typeof item>, feedAuthors: ParsedPerson[]): ParsedItem {
  const own = authorsOf([...(data.authors ?? []), ...(data.author ? [data.author] : [])]);
  const authors = own.length > 0 ? own : feedAuthors;
  const media: ParsedMedia[] = [
    ...(data.image ? [image(data.image)] : []),
    ...(data.banner_image ? [image(data.banner_image)] : []),
    ...(data.attachments ?? []).map((a) => ({ url: a.url, type: a.mime_type ?? null, medium: null, length: a.size_in_bytes ?? null, isThumbnail: false, caption: a.title ?? null, credit: null })),
  ];
  const content = data.content_html !== undefined ? { value: data.content_html, type: 'html' as const } : data.content_text !== undefined ? { value: data.content_text, type: 'text' as const } : null;
  return {
    guid: data.id ?? null,
    link: data.url ?? data.external_url ?? null,
    links: data.external_url && data.url ? [{ href: data.external_url, rel: 'related', type: null }] : [],
    base: null,
    title: looseText(data.title),
    published: data.date_published ?? null,
    updated: data.date_modified ?? null,
    authors,
    content,
    summary: looseText(data.summary),
    media,
    categories: (data.tags ?? []).map(looseText).filter((tag): tag is TextValue => tag !== null),
    language: data.language ?? null,
  };
}

function image(url: string): ParsedMedia {
  return { url, type: null, medium: 'image', length: null, isThumbnail: true, caption: null, credit: null };
}
