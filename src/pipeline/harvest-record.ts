import { createHash } from 'node:crypto';
import type { MirrorDirectory } from '../lib/mirror-directory.js';
import type { ParsedFeed, ParsedItem } from '../model/parsed-feed.js';
import type { FeedContext } from '../normalize/normalize-item.js';
import { readRecord, recordDocument } from '../store/json-records.js';
import type { CachedDocument } from '../store/store.js';
import { sha256Hex } from '../lib/text.js';
import { buildId } from '../version.js';

/**
 * What the last harvest of a feed stored, so that what did not change is not worked on again: a
 * body identical to the last one is not parsed, and an item identical to one already stored is
 * not normalized or stored again. Most feeds that answer 200 carry mostly the items of last time,
 * and many servers answer 200 with the same bytes rather than 304.
 */
export interface HarvestRecord {
  /** Hash of the body's bytes and Content-Type, and of everything normalizing depends on. */
  body: string;
  title: string | null;
  /**
   * The items kept (after the cap and repeats), in feed order: fingerprint, article id and link
   * (a record written before links were kept has none: undefined).
   */
  items: [fingerprint: string, id: string, url?: string | null][];
}

/** One per feed source, in the store's documents beside the source's state. */
const recordKey = (sourceId: string) => `harvest:${sourceId}`;

/** Null for a missing record or one of another shape: the body is then parsed and every item normalized, as on a first harvest. */
export async function lastFeedHarvest(store: { getDocument(key: string): Promise<{ body: string } | null> }, sourceId: string): Promise<HarvestRecord | null> {
  const value = (await readRecord(store, recordKey(sourceId))) as Partial<HarvestRecord> | null;
  if (!value || typeof value.body !== 'string' || (value.title !== null && typeof value.title !== 'string')) return null;
  const items = value.items;
  if (!Array.isArray(items) || !items.every((e) => Array.isArray(e) && typeof e[0] === 'string' && typeof e[1] === 'string')) return null;
  return { body: value.body, title: value.title, items };
}

/** The record as a document to save, once the articles it describes are stored. */
export function feedHarvestDocument(sourceId: string, record: HarvestRecord, now: Date): { key: string; document: CachedDocument } {
  return { key: recordKey(sourceId), document: recordDocument(record, now) };
}

/**
 * Everything besides the feed itself that the articles of a harvest depend on: the context the
 * normalizer is given (the source's config, the response URL, declared mirrors, `limits`, the mirror
 * lists) and the version. A change to any of it makes every item new again.
 */
export function normalizingKey(context: FeedContext): string {
  // `now` only stands in for a missing date, and the store keeps the date an item was first seen with.
  const { now: _now, mirrors, ...rest } = context;
  return hash([buildId(), rest, mirrors.publisher, directoryKey(mirrors.directory)]);
}

export function bodyKey(normalizing: string, contentType: string | null, bytes: Uint8Array): string {
  return createHash('sha256').update(normalizing).update('\0').update(contentType ?? '').update('\0').update(bytes).digest('hex');
}

/** An item as parsed, with the feed-level fields normalizing reads (title, xml:base, language). */
export function itemFingerprint(normalizing: string, feed: ParsedFeed, item: ParsedItem): string {
  return hash([normalizing, feed.title, feed.base, feed.language, item]).slice(0, 32);
}

const directoryKeys = new WeakMap<MirrorDirectory, string>();

/** Mirror lists can hold thousands of hosts: hashed once per directory, not once per feed. */
function directoryKey(directory: MirrorDirectory | null): string | null {
  if (!directory) return null;
  let key = directoryKeys.get(directory);
  if (key === undefined) {
    key = hash(directory.entries());
    directoryKeys.set(directory, key);
  }
  return key;
}

function hash(value: unknown): string {
  return sha256Hex(JSON.stringify(value));
}
