/**
 * Whether a string (a publisher's guid, a link) is an absolute URI, decided by parsing it: WHATWG's
 * URL parser (Node's own) finds the scheme and, for http(s) and the other special schemes, checks
 * the host; RFC 3986 and 3987 say which characters may appear; RFC 2141 and RFC 4151 give the
 * syntax of urn: and tag:. Where the W3C Feed Validator reads RFC 4287 more strictly than the RFCs
 * (no IPv6 literal, URNs without "/" or "~", lowercase tag authorities), it is followed: a value it
 * would reject is not taken for an absolute URI.
 */

/**
 * RFC 3986 unreserved, reserved but "[" and "]" (legal only around an IPv6 host, which the
 * validator rejects), and percent-encoded octets; RFC 3987 ucschar for IRIs. Private-use
 * characters are left out: RFC 3987 allows them only in the query.
 */
const IRI_TEXT = /^(?:[A-Za-z0-9\-._~:/?#@!$&'()*+,;=]|%[0-9A-Fa-f]{2}|[\u00A0-\uD7FF\uF900-\uFDCF\uFDF0-\uFFEF\u{10000}-\u{1FFFD}\u{20000}-\u{2FFFD}\u{30000}-\u{3FFFD}\u{E1000}-\u{EFFFD}])+$/u;

/** RFC 3986 scheme, then ":". */
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;

/** URL schemes WHATWG parses with an authority ("special"); file: alone may have an empty host. */
const NEEDS_HOST = new Set(['http', 'https', 'ftp', 'ws', 'wss']);

/** RFC 2141: a 2–32 character NID, then NSS characters or %XX (no "/", "?", "#", "~", "&"). */
const URN = /^urn:[A-Za-z0-9][A-Za-z0-9-]{1,31}:(?:[A-Za-z0-9()+,\-.:=@;$_!*']|%[0-9A-Fa-f]{2})+$/i;
const UUID_URN = /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** RFC 4151: tag:authority,date:specific[#fragment] (authority a lowercase DNS name or e-mail address). */
const TAG = /^tag:(?:[a-z0-9\-._]+@)?[a-z0-9.-]+,\d{4}(?:-\d{2}(?:-\d{2})?)?:[0-9a-zA-Z;/?:@&=+$.\-_!~*'()%,]*(?:#[0-9a-zA-Z;/?:@&=+$.\-_!~*'()%,]*)?$/;

/**
 * The value as an absolute URI: itself when it is one, its RFC 3987 §3.1 URI form (UTF-8,
 * percent-encoded) when it is an absolute IRI with non-ASCII characters, else null.
 */
export function toAbsoluteUri(value: string): string | null {
  if (!IRI_TEXT.test(value)) return null;
  const uri = value.replace(/[^\x00-\x7F]+/gu, (text) => encodeURIComponent(text));
  // Without a scheme it is a relative reference; most local guids ("12345") stop here, before a
  // parse that would throw (exceptions are slow).
  if (!SCHEME.test(uri)) return null;
  let parsed: URL;
  try {
    parsed = new URL(uri);
  } catch {
    return null; // a host WHATWG cannot parse
  }
  const scheme = parsed.protocol.slice(0, -1);
  const rest = uri.slice(scheme.length + 1);
  if (NEEDS_HOST.has(scheme)) return /^\/\/[^/?#]/.test(rest) && parsed.hostname !== '' ? uri : null;
  if (scheme === 'urn') return URN.test(uri) && (!/^urn:uuid:/i.test(uri) || UUID_URN.test(uri)) ? uri : null;
  if (scheme === 'tag') return TAG.test(uri) ? uri : null;
  return rest !== '' ? uri : null;
}
