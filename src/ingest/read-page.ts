import { decodeBody } from './decode-body.js';

export type PageBody = { kind: 'html'; html: string; truncated: boolean } | { kind: 'not-html'; contentType: string };

const HTML_TYPES = new Set(['text/html', 'application/xhtml+xml']);

/**
 * An article page's bytes → its HTML text: only an HTML page (by its Content-Type, or one that
 * has none and starts with a tag), cut at `maxBytes` before it is decoded so that a huge page
 * never reaches a parser whole (HTML parsers take a cut document as it is). The charset comes as
 * for feeds: BOM, HTTP header, <meta charset>, then UTF-8 or windows-1252.
 */
export function readPage(bytes: Buffer, contentType: string | null, maxBytes: number): PageBody {
  const type = contentType?.split(';')[0]!.trim().toLowerCase() || null;
  if (type !== null && !HTML_TYPES.has(type)) return { kind: 'not-html', contentType: type };
  const kept = bytes.length > maxBytes ? bytes.subarray(0, maxBytes) : bytes;
  const { text } = decodeBody(kept, contentType);
  if (type === null && !/^\s*</.test(text)) return { kind: 'not-html', contentType: '(none, and the body is not markup)' };
  return { kind: 'html', html: text, truncated: kept !== bytes };
}
