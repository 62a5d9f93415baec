import { createHash } from 'node:crypto';
import { toAbsoluteUri } from '../lib/absolute-uri.js';

/**
 * The ids an item is published under, from what its source served (article.sourceId and
 * article.guid; article.id is the store's key and never decides them).
 *
 * Atom (RFC 4287 §4.2.6) needs an absolute IRI: a guid that is one is kept (non-ASCII characters
 * percent-encoded, RFC 3987 §3.1, as the W3C validator wants a URI); any other ("1600-2823",
 * "urn:isbn", "http://") becomes urn:feedmirror:guid:<source id>:<the guid, percent-encoded>, the
 * same on every run and one to one: source ids hold no ":" and the guid is escaped as a URI
 * component ("%" included). A guid too long for a sensible id, or not well-formed
 * Unicode, is named by its SHA-256 instead, under another prefix so the two never meet.
 *
 * RSS guid and JSON Feed id accept any string and keep the original, except in an output that
 * draws on several sources: there a guid that is not an absolute IRI is unique only inside its own
 * feed ("1" from two sources would read as one item), so it is written as the Atom id is.
 */
export interface PublishedIds {
  atomId: string;
  /** RSS guid and JSON Feed id. */
  guid: string;
  /** RSS: the guid is the item's own http(s) address. */
  isPermaLink: boolean;
}

const DERIVED_PREFIX = 'urn:feedmirror:guid:';
const HASHED_PREFIX = 'urn:feedmirror:guid-sha256:';
/** Escaped guids longer than this are hashed: an id is compared, never read, and some readers store it in a short column. */
const MAX_ESCAPED_CHARS = 1024;
/** With the u flag a paired surrogate is one astral code point: only a lone one is Cs. */
const LONE_SURROGATE = /\p{Cs}/u;

export function publishedIds(sourceId: string, guid: string, link: string | null, merged: boolean): PublishedIds {
  const uri = toAbsoluteUri(guid);
  const atomId = uri ?? derivedId(sourceId, guid);
  const rssGuid = !merged || uri !== null ? guid : atomId;
  // An http(s) guid written exactly as a URI, and the item's own link.
  const isPermaLink = rssGuid === link && uri === guid && /^https?:/i.test(guid);
  return { atomId, guid: rssGuid, isPermaLink };
}

/** The Atom id of a guid served by a source. */
export function atomEntryId(sourceId: string, guid: string): string {
  return toAbsoluteUri(guid) ?? derivedId(sourceId, guid);
}

function derivedId(sourceId: string, guid: string): string {
  const escaped = LONE_SURROGATE.test(guid) ? null : escapeNss(guid);
  if (escaped !== null && escaped.length <= MAX_ESCAPED_CHARS) return `${DERIVED_PREFIX}${sourceId}:${escaped}`;
  // UTF-16 code units, so guids that differ only in a lone surrogate keep different ids.
  return `${HASHED_PREFIX}${sourceId}:${createHash('sha256').update(guid, 'utf16le').digest('hex')}`;
}

/**
 * encodeURIComponent leaves A–Z a–z 0–9 - _ . ! ~ * ' ( ) as they are, all RFC 2141 NSS characters
 * but "~", which the W3C validator refuses in a URN: it is escaped too.
 */
function escapeNss(text: string): string {
  return encodeURIComponent(text).replaceAll('~', '%7E');
}
