import { z } from 'zod';
import type { ParsedFeed, ParsedItem, ParsedMedia, ParsedPerson, SkippedItems, TextValue } from '../model/parsed-feed.js';
import { FeedmirrorError } from '../model/errors.js';
import { looseText } from './text-values.js';
import { capJsonItems, MAX_JSON_CONTAINERS } from './cap-json-items.js';

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
  /** Items past the limit, and items that did not validate (counted, with the first few and why); the rest of the feed is kept. */
  skipped: SkippedItems;
}

/** Lists read from one item or feed at most (authors, tags, attachments): more would only be dropped later. */
const MAX_LIST = 100;
/** Invalid items described in the report; the others are counted. */
const MAX_EXAMPLES = 3;

/**
 * JSON Feed 1.0 and 1.1 (rss-parser reads only XML), reading at most `maxItems` items: the rest
 * are cut from the text before JSON.parse. The spec makes every field but content_html plain
 * text, but generators fill title, summary, authors and tags with the HTML-escaped text of their
 * RSS feeds ("It&#8217;s", WordPress's JSON Feed plugin, kottke.org): they are read as RSS titles
 * are, as HTML only when they look like HTML, so "AT&T" and "a < b" stay as they are.
 */
export function parseJsonFeed(text: string, maxItems = Infinity): JsonFeedResult {
  const cut = capJsonItems(text.replace(/^\uFEFF/, ''), maxItems);
  const data = validFeed(cut.text);
  const partsNote = cut.containersCut > 0 ? `JSON objects and arrays past the budget of ${MAX_JSON_CONTAINERS} dropped unread: ${cut.containersCut}` : null;
  const skipped: SkippedItems = { overLimit: cut.overLimit, invalid: 0, examples: [], partsCut: cut.containersCut, partsNote };
  const items: ParsedItem[] = [];
  // Both spec versions: the feed's author is the author of every item that names none.
  const feedAuthors = authorsOf([...(data.authors ?? []), ...(data.author ? [data.author] : [])]);
  data.items.forEach((value, i) => {
    const result = item.safeParse(shortLists(value));
    if (result.success) items.push(toParsedItem(result.data, feedAuthors));
    else if (++skipped.invalid <= MAX_EXAMPLES) skipped.examples.push(`items[${i}]: ${describeIssues(result.error.issues)}`);
  });
  const version = /version\/([\d.]+)/.exec(data.version)?.[1] ?? null;
  return {
    feed: {
      format: 'json',
      version,
      title: looseText(data.title),
      link: data.home_page_url ?? null,
      selfUrl: data.feed_url ?? null,
      base: null,
      language: data.language ?? null,
      description: looseText(data.description),
      items,
    },
    skipped,
  };
}

function validFeed(text: string): z.infer<typeof feed> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new FeedmirrorError('FM_PARSE', `invalid JSON: ${(error as Error).message}`);
  }
  const parsed = feed.safeParse(shortLists(raw));
  if (!parsed.success) throw new FeedmirrorError('FM_PARSE', `not a JSON Feed: ${describeIssues(parsed.error.issues)}`);
  return parsed.data;
}

/** The object with its lists cut to MAX_LIST: a million bad tags would otherwise be a million issues. */
function shortLists(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const copy: Record<string, unknown> = { ...value };
  for (const key of ['authors', 'tags', 'attachments']) {
    const list = copy[key];
    if (Array.isArray(list) && list.length > MAX_LIST) copy[key] = list.slice(0, MAX_LIST);
  }
  return copy;
}

function describeIssues(issues: z.core.$ZodIssue[]): string {
  const described = issues.slice(0, MAX_EXAMPLES).map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message));
  return issues.length > MAX_EXAMPLES ? `${described.join('; ')} (and ${issues.length - MAX_EXAMPLES} more)` : described.join('; ');
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
    ...(data.attachments ?? []).map((a) => ({ url: a.url, type: a.mime_type ?? null, medium: null, length: a.size_in_bytes ?? null, isThumbnail: false, isEnclosure: true, caption: a.title ?? null, credit: null })),
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
  return { url, type: null, medium: 'image', length: null, isThumbnail: true, isEnclosure: false, caption: null, credit: null };
}
