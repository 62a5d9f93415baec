import { createHash } from 'node:crypto';
import type { MirrorDirectory } from '../lib/mirror-directory.js';
import type { ParsedFeed, ParsedItem } from '../model/parsed-feed.js';
import type { FeedContext } from '../normalize/normalize-item.js';
import { sha256Hex } from '../lib/text.js';

/**
 * Keys of what a feed's harvest record remembers (see run-records.ts: a body identical to the last
 * one is not parsed, an item identical to one stored last time is not normalized again).
 *
 * Everything besides the feed itself that the articles of a harvest depend on: the context the
 * normalizer is given (the source's config, the response URL, declared mirrors, `limits`, the mirror
 * lists, the source's full-text settings). A change to any of it makes every item new again; a change of code does too, as the
 * record itself is then not read.
 */
export function normalizingKey(context: FeedContext, fullText: unknown = null): string {
  // `now` only stands in for a missing date, and the store keeps the date an item was first seen with.
  const { now: _now, mirrors, ...rest } = context;
  // Full-text settings too: turning it on, or changing the selector, looks at every item again.
  return hash([rest, mirrors.publisher, directoryKey(mirrors.directory), fullText]);
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
