/** Where an article's published date came from, so operators can tell a real date from a guess. */
export type DateSource =
  | 'feed' // the feed item declared it
  | 'feed-updated' // only an updated/modified date was declared
  | 'text' // found in the seed text ("December 15, 2016")
  | 'text-weekday' // a weekday in the text, anchored on the file's mtime
  | 'mtime' // the seed file's modification time
  | 'first-seen'; // no date at all: when we first stored it

/** What kind of host a mirror URL points at; `tor` is an onion service. */
export type MirrorKind = 'https' | 'http' | 'tor' | 'ipfs' | 'i2p' | string;

/** Where we learned about a mirror. */
/** Where we learned about a mirror; 'canonical' marks the original address listed among a mirror copy's duplicates. */
export type MirrorOrigin = 'site' | 'seed-footer' | 'config' | 'mirror-list' | 'feed' | 'canonical';

export interface MirrorUrl {
  url: string;
  kind: MirrorKind;
  origin: MirrorOrigin;
}

/**
 * Other hosts serving what one host serves (same paths). Kept per article for every host its
 * links, images and enclosures live on, so mirror variants of a feed can re-point each URL
 * without computing anything outside the normalize stage.
 */
export interface HostMirrors {
  host: string;
  /** Base URLs (scheme, host, optional path prefix), best first. */
  bases: { base: string; kind: MirrorKind; origin: MirrorOrigin }[];
}

export interface Person {
  name: string;
  email: string | null;
  url: string | null;
}

/** A picture that belongs to the article; seed captions carry no URL, only text. */
export interface ArticleImage {
  url: string | null;
  caption: string | null;
  credit: string | null;
}

export interface Enclosure {
  url: string;
  type: string | null;
  length: number | null;
}

export interface Publisher {
  name: string;
  /** Hosts the publisher itself is reachable on, primary first. */
  hosts: string[];
}

/** The one article model every input is normalized into and every output is rendered from. */
export interface Article {
  /** Stable internal key, unique in the store: never changes across runs (seed pages are named by it). */
  id: string;
  /** The id published to readers (RSS guid, JSON Feed id; Atom gets an IRI derived from it). */
  guid: string;
  sourceId: string;
  /**
   * What identifies the item inside its source: the store keeps one record per (sourceId, itemKey),
   * so nothing one source serves can change another source's record.
   */
  itemKey: string;
  kind: 'seed' | 'feed';
  title: string;
  /** Canonical URL of the article (for seeds: its page on our site). */
  url: string | null;
  mirrors: MirrorUrl[];
  /** Mirrors of each host the article's URLs point at (article, images, enclosures). */
  hostMirrors: HostMirrors[];
  published: string; // ISO 8601, UTC
  dateSource: DateSource;
  /** Set by the source when it declares one; the store bumps it when content changes. */
  updated: string | null;
  authors: Person[];
  summary: string | null; // plain text
  contentHtml: string; // sanitized HTML
  images: ArticleImage[];
  enclosures: Enclosure[];
  categories: string[];
  language: string | null;
  publisher: Publisher | null;
  /** sha256 of the normalized content (title, summary, content), hex. */
  contentHash: string;
}

/** An article as the store hands it back: with what only the store knows. */
export interface StoredArticle extends Article {
  firstSeen: string;
  /** No other article of the same source has this `url`: only then can the url say two sources carry one article. */
  urlIsUnique: boolean;
  /** Changes whenever the stored record does (with `updated` and `firstSeen`): what publishing keys on. */
  recordHash: string;
}
