import { createHash } from 'node:crypto';
import type { FeedSourceConfig } from '../config/config.js';
import type { MirrorDirectory } from '../lib/mirror-directory.js';
import type { ParsedFeed, ParsedItem } from '../model/parsed-feed.js';
import { GENERATOR } from '../version.js';

/**
 * What the last harvest of a feed stored, so that what did not change is not worked on again: a
 * body identical to the last one is not parsed, and an item identical to one already stored is
 * not normalized or stored again. Most feeds that answer 200 carry mostly the items of last time,
 * and many servers answer 200 with the same bytes rather than 304.
 */
export interface HarvestMemory {
  /** Hash of the body's bytes and Content-Type, and of everything normalizing depends on. */
  body: string;
  title: string | null;
  /** The items kept (after the cap and duplicate guids), in feed order: fingerprint and article id. */
  items: [fingerprint: string, id: string][];
}

/** Kept in the store's documents, one per feed source, next to the source's state. */
export const memoryKey = (sourceId: string) => `harvest:${sourceId}`;

/** Null for a missing or unreadable record: the body is then parsed and every item normalized, as on a first harvest. */
export function readMemory(text: string | null | undefined): HarvestMemory | null {
  if (!text) return null;
  try {
    const value = JSON.parse(text) as Partial<HarvestMemory>;
    const itemsOk = Array.isArray(value.items) && value.items.every((e) => Array.isArray(e) && typeof e[0] === 'string' && typeof e[1] === 'string');
    if (typeof value.body !== 'string' || !itemsOk || (value.title !== null && typeof value.title !== 'string')) return null;
    return { body: value.body, title: value.title ?? null, items: value.items! };
  } catch {
    return null;
  }
}

export interface NormalizingInputs {
  source: Pick<FeedSourceConfig, 'id' | 'title' | 'mirrors'>;
  /** The URL the body counts as served from. */
  url: string;
  declaredMirrors: string[];
  hostAliases: Record<string, string>;
  limits: object;
  directory: MirrorDirectory | null;
}

/**
 * Everything besides the feed itself that the articles of a harvest depend on: a change to any
 * of it (a config edit, a new mirror list, another feedmirror version) makes every item new again.
 */
export function normalizingKey(inputs: NormalizingInputs): string {
  const { source, url, declaredMirrors, hostAliases, limits, directory } = inputs;
  return hash([GENERATOR, source.id, source.title ?? null, source.mirrors, url, declaredMirrors, hostAliases, limits, directoryKey(directory)]);
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
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}
