import type { Article } from '../model/article.js';
import { sha256Hex } from '../lib/text.js';

/** What an upsert needs of the record an incoming article may replace (column names as both stores have them). */
export interface ExistingRecord {
  id: string;
  published: string;
  record_hash: string;
  content_hash: string;
  updated: string | null;
}

/** One article as stored: its columns, and the JSON record the store hands back. */
export interface RecordRow extends Article {
  firstSeen: string;
  recordHash: string;
  data: string;
}

export interface RecordWrite {
  row: RecordRow;
  /** The content changed: an output that excluded it must look at it again. */
  contentChanged: boolean;
}

/**
 * The record an incoming article becomes, given the record of its source's item it replaces
 * (none for a new item) and the id it is stored under; null when the stored record is already
 * exactly this. Both stores write what this returns, so they agree on every stamp.
 */
export function planRecord(incoming: Article, existing: ExistingRecord | undefined, id: string, now: string): RecordWrite | null {
  // An undated item keeps the date it was first seen with, so it does not move on every run.
  const published = incoming.dateSource === 'first-seen' ? (existing?.published ?? now) : incoming.published;
  const article = { ...incoming, id, published };
  const record = JSON.stringify(article);
  const recordHash = sha256Hex(record);
  if (existing?.record_hash === recordHash) return null;
  const contentChanged = existing !== undefined && existing.content_hash !== article.contentHash;
  // A content change moves `updated` to now even when the source did not say so; otherwise keep what we had.
  const updated = contentChanged ? latest(article.updated, now) : (article.updated ?? existing?.updated ?? null);
  // Mostly `updated` is what the article said, and the record is already its JSON.
  const data = updated === article.updated ? record : JSON.stringify({ ...article, updated });
  return { row: { ...article, updated, firstSeen: now, recordHash, data }, contentChanged };
}

/** The id drawn from an article's own when a record of another item has that one. */
export function nextCandidateId(article: Pick<Article, 'sourceId' | 'itemKey'>, taken: string): string {
  return sha256Hex(`${article.sourceId}\n${article.itemKey}\n${taken}`).slice(0, 32);
}

function latest(a: string | null, b: string): string {
  return a !== null && a > b ? a : b;
}
