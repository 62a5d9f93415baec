import type { ParsedFeed, SkippedItems } from '../model/parsed-feed.js';
import { decodeBody, type DecodedBody } from './decode-body.js';
import { discoverFeedLinks } from './discover-feed.js';
import { parseJsonFeed } from './parse-json-feed.js';
import { parseXmlFeed } from './parse-xml-feed.js';
import { FeedmirrorError } from '../model/errors.js';
import { sniffFormat } from './sniff-format.js';

export type ParseOutcome =
  | { kind: 'feed'; feed: ParsedFeed; decoded: Omit<DecodedBody, 'text'>; skipped: SkippedItems }
  /** An HTML page that advertises feeds: the caller may fetch the first one instead. */
  | { kind: 'html-page'; feedUrls: string[] };

export interface ParseOptions {
  /** Items read at most (limits.maxItemsPerSource): the rest are counted, never parsed. */
  maxItems?: number;
}

/** The one entry point from bytes to a parsed feed: decode, sniff (Content-Type lies), dispatch. */
export async function parseFeedBody(bytes: Buffer, contentType: string | null, url: string, options: ParseOptions = {}): Promise<ParseOutcome> {
  const decoded = decodeBody(bytes, contentType);
  const sniffed = sniffFormat(decoded.text);
  const { text, ...encoding } = decoded;
  switch (sniffed.kind) {
    case 'xml-feed':
      return { kind: 'feed', ...(await parseXmlFeed(text, sniffed.root, sniffed.version, sniffed.base, options.maxItems)), decoded: encoding };
    case 'json-feed':
      return { kind: 'feed', ...parseJsonFeed(text, options.maxItems), decoded: encoding };
    case 'html': {
      const feedUrls = discoverFeedLinks(text, url);
      if (feedUrls.length === 0) throw new FeedmirrorError('FM_NOT_A_FEED', 'an HTML page that advertises no feed (no <link rel="alternate" type="application/rss+xml">)');
      return { kind: 'html-page', feedUrls };
    }
    case 'unknown':
      throw new FeedmirrorError('FM_NOT_A_FEED', `not a feed: ${sniffed.reason}`);
  }
}
