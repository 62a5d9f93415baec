import type { ArticleImage, Enclosure, MirrorUrl, StoredArticle } from '../model/article.js';
import type { PublishedIds } from './published-ids.js';

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
  author: { name: string; email: string | null; url: string | null };
  generator: string;
  icon: string | null;
  logo: string | null;
  copyright: string | null;
  /** XSL stylesheet that makes the feed readable in a browser. */
  stylesheet: string | null;
  /** WebSub hub. */
  hub: string | null;
  history: FeedHistory;
  items: ItemView[];
}

/** RFC 5005: where this document sits among the archive pages. */
export interface FeedHistory {
  /** fh:archive: this document is an archive page that never changes. */
  isArchive: boolean;
  /** fh:complete: this subscription document holds every item. */
  complete: boolean;
  /** The next older archive page. */
  prevArchive: Record<FeedFormat, string> | null;
  /** The subscription document (on archive pages). */
  current: Record<FeedFormat, string> | null;
}

export const FH_NS = 'http://purl.org/syndication/history/1.0';

export function historyLinks(history: FeedHistory, format: FeedFormat): { rel: string; href: string }[] {
  return [
    ...(history.current ? [{ rel: 'current', href: history.current[format] }] : []),
    ...(history.prevArchive ? [{ rel: 'prev-archive', href: history.prevArchive[format] }] : []),
  ];
}

export interface ItemView {
  article: StoredArticle;
  /** Atom id, RSS guid / JSON Feed id, permalink flag: computed once for every format. */
  ids: PublishedIds;
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

/** A feed's `updated`: its newest item's date, or the epoch when it has none (never the clock). */
export function newestItemDate(articles: StoredArticle[]): string {
  return articles.reduce((max, a) => (itemUpdated(a) > max ? itemUpdated(a) : max), EMPTY_FEED_UPDATED);
}
