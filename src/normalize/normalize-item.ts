import type { Article, ArticleImage, Enclosure, Person } from '../model/article.js';
import type { ParsedFeed, ParsedItem, ParsedMedia, TextValue } from '../model/parsed-feed.js';
import { parseFeedDate } from '../lib/parse-date.js';
import { collapseWhitespace, escapeHtmlText, truncateText } from '../lib/text.js';
import { hashArticleContent } from './content-hash.js';
import { stripInvalidXmlChars } from '../lib/xml-chars.js';
import { identifyItem } from './item-ids.js';
import { canonicalizer } from './canonical-urls.js';

export { identifyRepeat, sharedLinks } from './item-ids.js';
import { articleMirrors, type MirrorInputs } from './mirror-urls.js';
import { mirrorBase } from '../lib/mirror-hosts.js';
import { htmlToText, resolveUrl, sanitizeHtml } from './sanitize-html.js';

export interface ItemLimits {
  /** characters */
  maxTitleChars: number;
  /** bytes of raw HTML read per item; the rest is cut before sanitizing */
  maxContentBytes: number;
}

export const DEFAULT_ITEM_LIMITS: ItemLimits = { maxTitleChars: 500, maxContentBytes: 262_144 };

export interface FeedContext {
  sourceId: string;
  sourceTitle: string | null;
  /** The URL the feed was finally served from (after redirects): the last resort for relative URLs. */
  responseUrl: string;
  /** Mirrors of the publisher (config `mirrors`, hosts the response declared) and the mirror lists. */
  mirrors: MirrorInputs;
  /**
   * When the feed was fetched through a mirror: mirror base URL (with any path prefix) →
   * canonical base, so every URL in the result is stored as the publisher's own, whichever host answered.
   */
  hostAliases: Record<string, string>;
  /** Stands in for a missing date; the store keeps the first one it saw. */
  now: Date;
  limits: ItemLimits;
}

const SUMMARY_CHARS = 500;
const UNTITLED_CHARS = 80;
const MAX_AUTHORS = 20;
const MAX_CATEGORIES = 50;
const MAX_MEDIA = 20;

/** How the item stands among the other items of its feed, for its identity. */
export interface ItemPlace {
  /** Other guid-less items of the feed carry the same link (see sharedLinks). */
  linkIsShared: boolean;
}

/** ParsedItem → Article: absolute URLs, plain-text title and summary, sanitized content, UTC dates, ids and mirrors. */
export function normalizeItem(feed: ParsedFeed, item: ParsedItem, context: FeedContext, place: ItemPlace = { linkIsShared: false }): Article {
  const canonical = canonicalizer(context.hostAliases);
  const base = itemBase(feed, item, context.responseUrl);
  const resolve = (value: string) => {
    const url = resolveHttp(value, base);
    return url ? canonical(url) : null;
  };
  const link = item.link ? resolve(item.link) : null;
  const contentUrls = new Set<string>();
  const contentHtml = renderContent(item.content ?? item.summary, base, context.limits, (url) => {
    const mapped = canonical(url);
    contentUrls.add(mapped);
    return mapped;
  });
  // Only the start of a long text is read: the summary keeps SUMMARY_CHARS of it.
  const summaryText = item.summary && item.content ? plainText(item.summary, SUMMARY_CHARS) : htmlToText(contentHtml, SUMMARY_CHARS);
  const title = titleOf(item, summaryText, link, context.limits);
  const dates = datesOf(item, context.now);
  const guid = item.guid?.trim() || null;
  const identityInput = { sourceId: context.sourceId, guid: guid && /^https?:\/\//i.test(guid) ? canonical(guid) : guid, link, linkIsShared: place.linkIsShared, title, date: dates.declared };
  const identity = identifyItem(identityInput);
  const { images, enclosures } = splitMedia(item.media, resolve);
  const mirrorData = link
    ? articleMirrors(link, [...images.map((i) => i.url!), ...enclosures.map((e) => e.url), ...contentUrls], context.mirrors, declaredDuplicates(item, resolve, link))
    : { mirrors: [], hostMirrors: [] };
  // Control characters are dropped here, at the source, not only when a feed file is written.
  const body = {
    title: stripInvalidXmlChars(title),
    summary: summaryText ? stripInvalidXmlChars(truncateText(summaryText, SUMMARY_CHARS)) : null,
    contentHtml: stripInvalidXmlChars(contentHtml),
    images,
    enclosures,
  };
  return {
    ...identity,
    sourceId: context.sourceId,
    kind: 'feed',
    url: link,
    ...mirrorData,
    published: dates.published,
    dateSource: dates.source,
    updated: dates.updated,
    authors: authorsOf(item, context.limits),
    // (a hostile item lists thousands: only the head is converted, with room for duplicates)
    categories: [...new Set(item.categories.slice(0, MAX_CATEGORIES * 2).map((c) => cleanText(c, context.limits.maxTitleChars)).filter(Boolean))].slice(0, MAX_CATEGORIES),
    language: item.language?.trim() || feed.language?.trim() || null,
    publisher: publisherOf(feed, link, context),
    contentHash: hashArticleContent(body),
    ...body,
  };
}

/** xml:base of the item, inside xml:base of the feed, inside the response URL. */
function itemBase(feed: ParsedFeed, item: ParsedItem, responseUrl: string): string {
  let base = responseUrl;
  for (const next of [feed.base, item.base]) {
    if (next) base = resolveHttp(next, base) ?? base;
  }
  return base;
}

function resolveHttp(value: string, base: string): string | null {
  const url = resolveUrl(value, base);
  return url && !url.startsWith('mailto:') ? url : null;
}

function renderContent(value: TextValue | null, base: string, limits: ItemLimits, canonical: (url: string) => string): string {
  if (!value) return '';
  const raw = capBytes(value.value, limits.maxContentBytes);
  if (value.base) base = resolveHttp(value.base, base) ?? base;
  if (value.type === 'text') return raw.split(/\n\s*\n/).map((p) => p.trim()).filter(Boolean).map((p) => `<p>${escapeHtmlText(p)}</p>`).join('\n');
  return sanitizeHtml(raw, base, canonical);
}

function capBytes(text: string, maxBytes: number): string {
  if (text.length <= maxBytes / 4 || Buffer.byteLength(text) <= maxBytes) return text;
  return Buffer.from(text).subarray(0, maxBytes).toString('utf8').replace(/\uFFFD$/, '');
}

/** The text of `value`, complete up to `maxChars` at least (longer text is cut by the caller). */
function plainText(value: TextValue, maxChars: number): string {
  return value.type === 'text' ? value.value.replace(/\s+/g, ' ').trim() : htmlToText(value.value, maxChars);
}

/**
 * A short plain-text field (a name, a category, the feed's title): its text, one line, at most
 * `maxChars`. Controls go before reading (a raw \v is no word break) and after (HTML may decode to one).
 */
function cleanText(value: TextValue, maxChars: number): string {
  const text = plainText({ ...value, value: stripInvalidXmlChars(value.value) }, maxChars);
  return truncateText(collapseWhitespace(stripInvalidXmlChars(text)), maxChars);
}

function titleOf(item: ParsedItem, summary: string, link: string | null, limits: ItemLimits): string {
  const title = item.title ? plainText(item.title, limits.maxTitleChars) : '';
  if (title) return truncateText(title, limits.maxTitleChars);
  if (summary) return truncateText(summary, UNTITLED_CHARS);
  return link ?? 'Untitled';
}

function datesOf(item: ParsedItem, now: Date): { published: string; source: Article['dateSource']; updated: string | null; declared: string | null } {
  const published = parseFeedDate(item.published);
  const updated = parseFeedDate(item.updated);
  if (published) return { published, source: 'feed', updated: updated && updated > published ? updated : null, declared: published };
  if (updated) return { published: updated, source: 'feed-updated', updated: null, declared: updated };
  return { published: now.toISOString(), source: 'first-seen', updated: null, declared: null };
}

function authorsOf(item: ParsedItem, limits: ItemLimits): Person[] {
  const seen = new Set<string>();
  const out: Person[] = [];
  for (const author of item.authors.slice(0, MAX_AUTHORS * 2)) {
    const name = cleanText(author.name, limits.maxTitleChars);
    if (!name || seen.has(name.toLowerCase())) continue;
    seen.add(name.toLowerCase());
    out.push({ name, email: author.email, url: author.url ? resolveUrl(author.url, 'http://invalid/') : null });
  }
  return out.slice(0, MAX_AUTHORS);
}

const IMAGE_TYPE = /^image\//i;

function splitMedia(media: ParsedMedia[], resolve: (value: string) => string | null): { images: ArticleImage[]; enclosures: Enclosure[] } {
  const images: ArticleImage[] = [];
  const enclosures: Enclosure[] = [];
  const seen = new Set<string>();
  for (const m of media) {
    const url = resolve(m.url);
    if (!url || seen.has(url)) continue;
    seen.add(url);
    const isImage = m.isThumbnail || m.medium === 'image' || IMAGE_TYPE.test(m.type ?? '');
    if (isImage) images.push({ url, caption: m.caption, credit: m.credit });
    // What the feed declared an enclosure stays one, an image too: feedparser and podcast clients list it.
    if (m.isEnclosure || !isImage) enclosures.push({ url, type: m.type?.trim() || null, length: m.length });
  }
  return { images: images.slice(0, MAX_MEDIA), enclosures: enclosures.slice(0, MAX_MEDIA) };
}

/** Copies of the article the feed itself links as rel="duplicate". */
function declaredDuplicates(item: ParsedItem, resolve: (value: string) => string | null, link: string): string[] {
  return item.links
    .filter((l) => l.rel === 'duplicate' || l.rel === 'http://www.iana.org/assignments/relation/duplicate')
    .map((l) => resolve(l.href))
    .filter((u): u is string => u !== null && u !== link);
}

/** The feed's own title, cleaned and capped like item titles: it is repeated in every item and page. */
export function feedTitle(feed: ParsedFeed, limits: ItemLimits): string | null {
  const title = feed.title ? cleanText(feed.title, limits.maxTitleChars) : '';
  return title || null;
}

function publisherOf(feed: ParsedFeed, link: string | null, context: FeedContext): Article['publisher'] {
  const name = feedTitle(feed, context.limits) || context.sourceTitle || context.sourceId;
  const primary = link ? new URL(link).host : null;
  const mirrorHosts = context.mirrors.publisher.map((m) => mirrorBase(m.spec)?.host).filter((h): h is string => !!h);
  const hosts = [...new Set([...(primary ? [primary] : []), ...mirrorHosts])];
  return { name, hosts };
}

