import type { ParsedFeed } from '../model/parsed-feed.js';
import { decodeBody, type DecodedBody } from './decode-body.js';
import { discoverFeedLinks } from './discover-feed.js';
import { parseJsonFeed } from './parse-json-feed.js';
import { NotAFeedError, parseXmlFeed } from './parse-xml-feed.js';
import { sniffFormat } from './sniff-format.js';

export type ParseOutcome =
  | { kind: 'feed'; feed: ParsedFeed; decoded: Omit<DecodedBody, 'text'>; warnings: string[] }
  /** An HTML page that advertises feeds: the caller may fetch the first one instead. */
  | { kind: 'html-page'; feedUrls: string[] };

/** The one entry point from bytes to a parsed feed: decode, sniff (Content-Type lies), dispatch. */
export async function parseFeedBody(bytes: Buffer, contentType: string | null, url: string): Promise<ParseOutcome> {
  const decoded = decodeBody(bytes, contentType);
  const sniffed = sniffFormat(decoded.text);
  const { text, ...encoding } = decoded;
  switch (sniffed.kind) {
    case 'xml-feed':
      return { kind: 'feed', feed: await parseXmlFeed(text, sniffed.root, sniffed.version, sniffed.base), decoded: encoding, warnings: [] };
    case 'json-feed': {
      const result = parseJsonFeed(text);
      return { kind: 'feed', feed: result.feed, decoded: encoding, warnings: result.skipped };
    }
    case 'html': {
      const feedUrls = discoverFeedLinks(text, url);
      if (feedUrls.length === 0) throw new NotAFeedError('an HTML page that advertises no feed (no <link rel="alternate" type="application/rss+xml">)');
      return { kind: 'html-page', feedUrls };
    }
    case 'unknown':
      throw new NotAFeedError(`not a feed: ${sniffed.reason}`);
  }
}
