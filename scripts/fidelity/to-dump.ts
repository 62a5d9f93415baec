/**
 * Published JSON Feed items → the dump format of feedparser-expect.py (see its header): what a
 * reader of our feed.json gets, field by field, under feedparser's entry keys.
 */
import type { JsonFeed, Republished } from './republish-corpus.js';

export interface DumpEntry {
  title: string | null;
  link: string | null;
  id: string | null;
  published: string | null;
  updated: string | null;
  author: string | null;
  summary: string | null;
  content: { value: string; type: string }[];
  enclosures: { href: string; type: string | null; length: string | null }[];
}

export interface DumpResult {
  error: string | null;
  /** A republisher writes its own feed-level fields: only entries are scored (--entries-only). */
  feed: Record<string, never>;
  entries: DumpEntry[];
}

export function toDumpResult(republished: Republished): DumpResult {
  if (!republished.feed) return { error: republished.error, feed: {}, entries: [] };
  return { error: null, feed: {}, entries: itemsOf(republished.feed).map(toDumpEntry) };
}

function itemsOf(feed: JsonFeed): Record<string, unknown>[] {
  return Array.isArray(feed.items) ? feed.items : [];
}

function toDumpEntry(item: Record<string, unknown>): DumpEntry {
  const content = stringOf(item.content_html);
  return {
    title: stringOf(item.title),
    link: stringOf(item.url),
    id: stringOf(item.id),
    published: isoSeconds(item.date_published),
    updated: isoSeconds(item.date_modified),
    // feedparser's `author` is the first author
    author: stringOf(recordsOf(item.authors)[0]?.name),
    summary: stringOf(item.summary),
    content: content ? [{ value: content, type: 'text/html' }] : [],
    enclosures: recordsOf(item.attachments).map((a) => ({
      href: stringOf(a.url) ?? '',
      type: stringOf(a.mime_type),
      length: typeof a.size_in_bytes === 'number' ? String(a.size_in_bytes) : null,
    })),
  };
}

/** "2004-01-01T19:48:21.000Z" → "2004-01-01T19:48:21Z": the scorer's own dumps write dates to the second. */
function isoSeconds(value: unknown): string | null {
  const text = stringOf(value);
  if (!text) return null;
  const time = Date.parse(text);
  return Number.isNaN(time) ? text : new Date(time).toISOString().replace(/\.000Z$/, 'Z');
}

function stringOf(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function recordsOf(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.filter((v): v is Record<string, unknown> => typeof v === 'object' && v !== null) : [];
}
