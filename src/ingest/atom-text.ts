import type { TextValue } from '../model/parsed-feed.js';
import { looseText } from './text-values.js';
import { attrOf, textOf, type XmlNode } from './xml2js-nodes.js';

/** How an Atom text construct or <content> carries its value. */
type Reading = 'text' | 'html' | 'markup' | 'base64';

/**
 * Atom 1.0 (RFC 4287 §3.1, §4.1.3) says by `type`: "text", "html", "xhtml", or a media type: XML
 * ones inline, text/* as text, any other base64. Atom 0.3 says by `mode` (xml, escaped, base64) with
 * a media type, text/plain by default. Element children where text was announced are markup all
 * the same (naked HTML in an Atom 0.3 title), as Python feedparser reads them.
 */
function readingOf(node: XmlNode): Reading {
  const type = (attrOf(node, 'type') ?? '').trim().toLowerCase();
  const mode = (attrOf(node, 'mode') ?? '').trim().toLowerCase();
  if (mode === 'base64') return 'base64';
  if (type === 'xhtml' || type === 'application/xhtml+xml' || hasElements(node)) return 'markup';
  if (type === 'html' || type === 'text/html' || (type === '' && mode === 'escaped')) return 'html';
  if (type === '' || type === 'text' || type.startsWith('text/')) return 'text';
  return /[/+]xml$/.test(type) ? 'markup' : 'base64';
}

/**
 * The value of an Atom text construct or <content>. `serialized` is its inner markup as xml2js
 * rebuilt it (document order lost in mixed content); `ordered` the SAX pass's, preferred when given.
 */
export function atomText(node: XmlNode | undefined, serialized: string | null, ordered?: string): TextValue | null {
  if (node === undefined) return null;
  const base = attrOf(node, 'xml:base');
  const reading = readingOf(node);
  switch (reading) {
    case 'markup': {
      const inner = ordered ?? unwrapXhtml(serialized ?? '');
      return inner.trim() ? { value: inner, type: 'html', base } : null;
    }
    case 'base64': {
      const decoded = looseText(decodeBase64Text(textOf(node)));
      return decoded ? { ...decoded, base } : null;
    }
    case 'html':
    case 'text': {
      const value = textOf(node);
      return value?.trim() ? { value, type: reading, base } : null;
    }
  }
}

function hasElements(node: XmlNode): boolean {
  return typeof node === 'object' && Object.keys(node).some((key) => key !== '_' && key !== '$');
}

/** rss-parser re-serializes xhtml content wrapped in two divs: <div type="xhtml"><div xmlns=…>…</div></div>. */
function unwrapXhtml(html: string): string {
  return html.replace(/^<div\b[^>]*>\s*(?:<div\b[^>]*>)?/, '').replace(/(?:<\/div>\s*)?<\/div>\s*$/, '');
}

const BASE64 = /^[A-Za-z0-9+/\s]*={0,2}\s*$/;
const UTF8 = new TextDecoder('utf-8', { fatal: true });
/** C0 controls but tab, LF, CR: text never has them, binary data does. */
const BINARY = /[\x00-\x08\x0B\x0C\x0E-\x1F]/;

/** Base64 that decodes to UTF-8 text; anything else (an image, a PDF, not base64 at all) is no text to show. */
function decodeBase64Text(encoded: string | null): string | null {
  if (!encoded?.trim() || !BASE64.test(encoded)) return null;
  try {
    const text = UTF8.decode(Buffer.from(encoded, 'base64'));
    return BINARY.test(text) ? null : text;
  } catch {
    return null;
  }
}
