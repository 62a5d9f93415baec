/**
 * A remote feed as read from its bytes, format differences already mapped away but nothing
 * resolved or cleaned yet: URLs may be relative, HTML is raw, dates are the feed's own text.
 */
export type FeedFormat = 'rss' | 'atom' | 'rdf' | 'json';

export interface TextValue {
  value: string;
  /**
   * How `value` is to be read: plain text, or HTML source. Set by the format where it says
   * (Atom's type attribute, RSS description, JSON Feed content_html); where it leaves the type
   * open (RSS titles, authors, categories), by whether the text looks like HTML.
   */
  type: 'text' | 'html';
  /** xml:base on the element itself (Atom content/summary), relative to the item's base. */
  base?: string | null;
}

export interface ParsedLink {
  href: string;
  rel: string;
  type: string | null;
  /** bytes (Atom enclosures) */
  length?: number | null;
}

export interface ParsedMedia {
  url: string;
  type: string | null;
  medium: string | null;
  length: number | null;
  /** media:thumbnail, itunes:image, JSON Feed image / banner_image */
  isThumbnail: boolean;
  /**
   * Declared an enclosure (RSS <enclosure>, Atom rel="enclosure", a JSON Feed attachment): published
   * as one whatever its type, as feedparser lists it; an image one is the item's picture too.
   */
  isEnclosure: boolean;
  caption: string | null;
  credit: string | null;
}

export interface ParsedItem {
  guid: string | null;
  /** The main link (alternate) as written in the feed. */
  link: string | null;
  links: ParsedLink[];
  /** xml:base in effect for the item, already combined with outer ones but not with the document URL. */
  base: string | null;
  title: TextValue | null;
  published: string | null;
  updated: string | null;
  authors: ParsedPerson[];
  content: TextValue | null;
  summary: TextValue | null;
  media: ParsedMedia[];
  categories: TextValue[];
  language: string | null;
}

export interface ParsedPerson {
  name: TextValue;
  email: string | null;
  url: string | null;
}

export interface ParsedFeed {
  format: FeedFormat;
  /** e.g. "2.0", "1.0", "0.91", "1.1" */
  version: string | null;
  title: TextValue | null;
  link: string | null;
  /** The feed's own URL as it declares it (rel=self). */
  selfUrl: string | null;
  base: string | null;
  language: string | null;
  description: TextValue | null;
  items: ParsedItem[];
}

/** What parsing a feed left out, reported once per source (never once per item). */
export interface SkippedItems {
  /** Items after the first `limits.maxItemsPerSource`: cut before parsing, never read. */
  overLimit: number;
  /** Items read but unusable (JSON Feed items that do not validate). */
  invalid: number;
  /** The first few invalid items, each with where it is and why. */
  examples: string[];
  /** Other parts past the parser's budget (XML elements, JSON objects and arrays), dropped unread. */
  partsCut: number;
  /** What `partsCut` counts and which budget they passed, for the report; null when none. */
  partsNote: string | null;
}
