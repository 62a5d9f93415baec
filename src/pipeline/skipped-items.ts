import type { SkippedItems } from '../model/parsed-feed.js';
import { plural } from '../lib/plural.js';

/** The one line that reports what a parse left out; null when it left out nothing. */
export function describeSkipped(skipped: SkippedItems | null, maxItems: number): string | null {
  if (!skipped) return null;
  const parts: string[] = [];
  if (skipped.overLimit > 0) parts.push(`${plural(skipped.overLimit, 'item')} after the first ${maxItems} (limits.maxItemsPerSource) not read`);
  if (skipped.invalid > 0) {
    const more = skipped.invalid > skipped.examples.length ? `; ${skipped.invalid - skipped.examples.length} more` : '';
    parts.push(`${plural(skipped.invalid, 'invalid item')} skipped (${skipped.examples.join('; ')}${more})`);
  }
  if (skipped.partsNote) parts.push(skipped.partsNote);
  return parts.length > 0 ? parts.join('; ') : null;
}

/** Items over the limit are the feed's size, not a fault; invalid or dropped parts are. */
export function isWorrying(skipped: SkippedItems): boolean {
  return skipped.invalid > 0 || skipped.partsCut > 0;
}
