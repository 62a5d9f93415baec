import type { MirrorKind } from './article.js';

/** One alternate address of a site, from a mirror list or the config. */
export interface MirrorAlternate {
  /** Base URL of the alternate ("https://d1r7q8eoq7vpim.cloudfront.net/"). */
  url: string;
  kind: MirrorKind;
  /** The list's own classification: mirror, eotk, ipfs, … */
  type: string | null;
  /** ISO 8601 UTC; drives "freshest first". */
  updatedAt: string | null;
  /** Which list (path or URL) it came from. */
  list: string;
}

export interface MirrorSite {
  mainDomain: string;
  alternates: MirrorAlternate[];
}
