import type { StoredArticle } from './article.js';

/** An RFC 5005 archive page of an output: sealed once, never changed. Page 1 is the oldest. */
export interface ArchivePage {
  page: number;
  articleIds: string[];
}

/** What one output shows, as decided before it is rendered (pipeline/select-outputs.ts). */
export interface OutputSelection {
  /** The subscription document's items, newest first. */
  current: StoredArticle[];
  /** Archive pages sealed by this selection (their files must be written now). */
  sealed: ArchivePage[];
  /** Every archive page, oldest first. */
  pages: ArchivePage[];
  /** True when the subscription document holds every item of the output (RFC 5005 fh:complete). */
  complete: boolean;
  /** The articles of the pages sealed now, already loaded: their files need not read them again. */
  sealedArticles: Map<string, StoredArticle>;
}
