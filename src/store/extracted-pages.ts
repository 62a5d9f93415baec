import type { ErrorCode } from '../model/errors.js';

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
