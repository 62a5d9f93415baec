import { z } from 'zod';

/**
 * URLs, media attributes and e-mail addresses as RSS and Atom must carry them. Links come from the
 * normalize stage as WHATWG URLs and the rest as the feed gave it; what a validator (and the RFCs)
 * refuses is settled here, once, for every renderer.
 */

/** RFC 3986 characters that may stand for themselves after the host ("%" only before two hex digits). */
const URI_TAIL_CHAR = /[A-Za-z0-9\-._~:/?#@!$&'()*+,;=]|%[0-9A-Fa-f]{2}/y;

/**
 * The URL serialized by WHATWG's parser, then with what that parser leaves raw for web
 * compatibility ("|", "^", "[", "]", "{", "}", "`", a stray "%", a second "#") percent-encoded,
 * which RFC 3986 requires; host and port are as WHATWG wrote them (as `feed` writes the feed's own
 * links). null for what does not parse as an absolute URL.
 */
export function uriOf(url: string): string | null {
  if (!URL.canParse(url)) return null;
  const parsed = new URL(url);
  const tail = `${parsed.pathname}${parsed.search}${parsed.hash}`;
  // Nearly every URL needs nothing more: one test instead of a scan character by character.
  if (CLEAN_TAIL.test(tail)) return parsed.href;
  const head = parsed.href.slice(0, parsed.href.length - tail.length);
  return `${head}${encodeTail(tail)}`;
}

/** A tail with only RFC 3986 characters, every "%" before two hex digits, at most one "#". */
const CLEAN_TAIL = /^(?:[A-Za-z0-9\-._~:/?@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*(?:#(?:[A-Za-z0-9\-._~:/?@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*)?$/;

function encodeTail(tail: string): string {
  let out = '';
  let seenHash = false;
  for (let at = 0; at < tail.length; ) {
    URI_TAIL_CHAR.lastIndex = at;
    const match = URI_TAIL_CHAR.exec(tail);
    const text = match ? match[0] : tail[at]!;
    if (text === '#' && seenHash) out += '%23';
    else out += match ? text : `%${text.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`;
    seenHash ||= text === '#';
    at += text.length;
  }
  return out;
}

/**
 * RSS 2.0 enclosures are fetched by podcast clients over http: the W3C validator asks for an
 * http(s) URL whose host is a DNS name of two labels or more, or an IPv4 address.
 */
export function isRssEnclosureUrl(url: string): boolean {
  if (!URL.canParse(url)) return false;
  const parsed = new URL(url);
  return (parsed.protocol === 'http:' || parsed.protocol === 'https:') && parsed.hostname.includes('.') && !parsed.hostname.startsWith('[');
}

/** RFC 6838 type/subtype with optional parameters, as the W3C validator reads a MIME type. */
const MEDIA_TYPE = /^[^\s()<>,;:"/[\]?=]+\/[^\s()<>,;:"/[\]?=]+(?:\s*;\s*[^\s()<>,;:"/[\]?=]+=(?:"(?:\\"|[^"])*"|[^\s()<>,;:"/[\]?=]+))*$/;

/** A MIME type fit for a type attribute, else null (a feed's "mp3" or "audio" is no media type). */
export function mediaTypeOf(type: string | null): string | null {
  const trimmed = type?.trim() ?? '';
  return MEDIA_TYPE.test(trimmed) ? trimmed : null;
}

/** A byte count fit for a length attribute: a non-negative safe integer, else null. */
export function byteLengthOf(length: number | null): number | null {
  return length !== null && Number.isSafeInteger(length) && length >= 0 ? length : null;
}

const EMAIL = z.email();

/** An address fit for an Atom <email> (RFC 2822 addr-spec with a dotted domain), else null: a feed's "nobody" or "a@b". */
export function emailOf(email: string | null): string | null {
  const trimmed = email?.trim() ?? '';
  return EMAIL.safeParse(trimmed).success ? trimmed : null;
}
