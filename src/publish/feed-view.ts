import type { ArticleImage, Enclosure, MirrorUrl, StoredArticle } from '../model/article.js';

export type FeedFormat = 'rss' | 'atom' | 'json';

export const FEED_FILES: Record<FeedFormat, string> = { rss: 'rss.xml', atom: 'atom.xml', json: 'feed.json' };

/** Namespace of our extension elements in RSS and Atom. */
export const FEEDMIRROR_NS = 'https://feedmirror.org/ns/1.0';

/**
 * Everything a renderer needs for one feed file, already resolved for the host that serves it:
 * renderers format, they decide nothing.
 */
export interface FeedView {
  outputId: string;
  /** The feed's identity (Atom feed id): the canonical atom.xml URL, the same on every copy. */
  feedId: string;
  title: string;
  description: string | null;
  language: string | null;
  /** Home page of the feed (the site's index). */
  homeUrl: string;
  /** Where each format of this copy is served. */
  selfUrls: Record<FeedFormat, string>;
  /** The same feed on the site's other hosts, for rel="duplicate" links. */
  copies: { url: Record<FeedFormat, string>; kind: string }[];
  /** The newest item date, or a fixed epoch for an empty feed: never the clock, so unchanged input gives unchanged bytes. */
  updated: string;
  author: string;
  generator: string;
  items: ItemView[];
}

export interface ItemView {
  article: StoredArticle;
  /** The item's link for this copy or variant. */
  link: string | null;
  /** The article's other addresses (rel="duplicate"). */
  mirrors: MirrorUrl[];
  /** Content, images and enclosures with URLs re-pointed for a variant (else the article's own). */
  contentHtml: string;
  images: ArticleImage[];
  enclosures: Enclosure[];
  source: { id: string; title: string; url: string | null };
}

export const EMPTY_FEED_UPDATED = '1970-01-01T00:00:00.000Z';

export function itemUpdated(article: StoredArticle): string {
  return article.updated && article.updated > article.published ? article.updated : article.published;
}
