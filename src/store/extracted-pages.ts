import { ERROR_CODES, type ErrorCode } from '../model/errors.js';

/**
 * What full-text extraction remembers, so that a page is fetched once per item version: the
 * article taken from each page, with the validators it was served with (for a conditional GET
 * when the item changes) and the version of the item it was taken for.
 */
export interface ExtractedPage {
  /** The item's canonical URL (never a mirror's). */
  url: string;
  /** The item's feed content and the extraction settings it was taken for (a hash). */
  version: string;
  etag: string | null;
  lastModified: string | null;
  fetchedAt: string;
  /** The sanitized article, or null when the page gave none: the item keeps its feed content. */
  contentHtml: string | null;
  /** Why the page gave no article, when contentHtml is null. */
  problem: { code: ErrorCode; message: string } | null;
}

/** The store's part for full text; a store engine implements it next to `Store`. */
export interface ExtractedPageStore {
  /** The pages remembered for these URLs (those with none are absent). */
  getExtractedPages(urls: string[]): Promise<Map<string, ExtractedPage>>;
  /** Inserts or replaces pages by URL, in one transaction. */
  saveExtractedPages(pages: ExtractedPage[]): Promise<void>;
}

/** A row of the `extracted_pages` table, the same on both engines. */
export interface ExtractedPageRow {
  url: string;
  version: string;
  etag: string | null;
  modified: string | null;
  fetched_at: string;
  content: string | null;
  problem_code: string | null;
  problem: string | null;
}

export function pageFromRow(row: ExtractedPageRow): ExtractedPage {
  // A code this build does not know (written by a newer one) reads as the general "no article".
  const code = row.problem_code !== null && row.problem_code in ERROR_CODES ? (row.problem_code as ErrorCode) : 'FM_NO_ARTICLE';
  return {
    url: row.url, version: row.version, etag: row.etag, lastModified: row.modified, fetchedAt: row.fetched_at, contentHtml: row.content,
    problem: row.content === null ? { code, message: row.problem ?? '' } : null,
  };
}
