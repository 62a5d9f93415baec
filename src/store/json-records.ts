import type { CachedDocument } from './store.js';

/**
 * What a run leaves for the next one (what a harvest or a publish last saw) is kept as JSON in the
 * store's documents, beside fetched documents but without HTTP validators. Such a record only ever
 * saves work: one that is missing or damaged reads as null, and the work is done again.
 */
export async function readRecord(store: { getDocument(key: string): Promise<{ body: string } | null> }, key: string): Promise<unknown> {
  const document = await store.getDocument(key);
  if (!document) return null;
  try {
    return JSON.parse(document.body) as unknown;
  } catch {
    return null;
  }
}

export function recordDocument(value: unknown, now: Date): CachedDocument & { etag: null; lastModified: null } {
  return { body: JSON.stringify(value), etag: null, lastModified: null, fetchedAt: now.toISOString() };
}
