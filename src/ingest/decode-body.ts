import { isAscii, isUtf8 as isValidUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';

/** How the text was decoded and why, for logs and tests. */
export interface DecodedBody {
  text: string;
  charset: string;
  from: 'bom' | 'http' | 'xml-declaration' | 'html-meta' | 'utf-8-sniffed' | 'default' | 'fallback';
}

const BOMS: { bytes: number[]; charset: string }[] = [
  { bytes: [0xef, 0xbb, 0xbf], charset: 'utf-8' },
  { bytes: [0xff, 0xfe], charset: 'utf-16le' },
  { bytes: [0xfe, 0xff], charset: 'utf-16be' },
];

/**
 * Browsers read "ISO-8859-1" and "US-ASCII" as windows-1252, and real feeds labelled so
 * contain cp1252 smart quotes. TextDecoder on Node 20 gets windows-1252 wrong (nodejs/node#60888),
 * so iconv-lite decodes everything that is not UTF-8.
 */
const LABEL_ALIASES: Record<string, string> = {
  'iso-8859-1': 'windows-1252', iso8859_1: 'windows-1252', 'iso8859-1': 'windows-1252', latin1: 'windows-1252',
  'l1': 'windows-1252', 'us-ascii': 'windows-1252', ascii: 'windows-1252', 'x-sjis': 'shift_jis', gb2312: 'gbk',
  'x-gbk': 'gbk', 'utf8': 'utf-8',
};
const UTF8 = new Set(['utf-8', 'unicode-1-1-utf-8']);
const HEAD_BYTES = 1024; // where the XML declaration and an HTML meta charset must appear

/**
 * Bytes → text. Precedence: a byte-order mark, then the HTTP charset, then the XML declaration
 * (or an HTML meta charset), then UTF-8 if the bytes are valid UTF-8, else windows-1252.
 * One correction on top: a document labelled with a legacy single-byte charset whose bytes are
 * valid UTF-8 with multi-byte sequences is UTF-8 — a mislabel that real servers make often, and
 * a coincidence that real legacy text practically never produces.
 */
export function decodeBody(bytes: Buffer, contentType: string | null): DecodedBody {
  for (const bom of BOMS) {
    if (bom.bytes.every((b, i) => bytes[i] === b)) return { text: iconv.decode(bytes.subarray(bom.bytes.length), bom.charset), charset: bom.charset, from: 'bom' };
  }
  const declared = labelFromHttp(contentType) ?? labelFromDocument(bytes);
  const isUtf8 = isValidUtf8(bytes);
  if (declared && !UTF8.has(declared.charset)) {
    if (isUtf8 && hasMultibyte(bytes) && isSingleByte(declared.charset)) return { text: bytes.toString('utf8'), charset: 'utf-8', from: 'utf-8-sniffed' };
    return { text: iconv.decode(bytes, declared.charset), ...declared };
  }
  if (isUtf8) return { text: bytes.toString('utf8'), charset: 'utf-8', from: declared?.from ?? 'default' };
  // UTF-8 with a few stray bad bytes stays UTF-8 (they become U+FFFD); Latin-1 text is almost never valid UTF-8 anywhere.
  const asUtf8 = bytes.toString('utf8');
  if (isMostlyUtf8(asUtf8)) return { text: asUtf8, charset: 'utf-8', from: declared?.from ?? 'default' };
  return { text: iconv.decode(bytes, 'windows-1252'), charset: 'windows-1252', from: 'fallback' };
}

function labelFromHttp(contentType: string | null): { charset: string; from: 'http' } | null {
  const label = /charset\s*=\s*["']?([^"';\s]+)/i.exec(contentType ?? '')?.[1];
  const charset = label ? canonicalCharset(label) : null;
  return charset ? { charset, from: 'http' } : null;
}

function labelFromDocument(bytes: Buffer): { charset: string; from: 'xml-declaration' | 'html-meta' } | null {
  const head = bytes.subarray(0, HEAD_BYTES).toString('latin1');
  const xml = /^\s*<\?xml[^>]*\bencoding\s*=\s*["']([^"']+)["']/i.exec(head)?.[1];
  if (xml) {
    const charset = canonicalCharset(xml);
    return charset ? { charset, from: 'xml-declaration' } : null;
  }
  const meta = /<meta[^>]+charset\s*=\s*["']?([a-z0-9_.:-]+)/i.exec(head)?.[1];
  const charset = meta ? canonicalCharset(meta) : null;
  return charset ? { charset, from: 'html-meta' } : null;
}

/** A label iconv-lite knows, in its canonical spelling; null for unknown labels ("invalid"). */
export function canonicalCharset(label: string): string | null {
  const lower = label.trim().toLowerCase();
  const aliased = LABEL_ALIASES[lower] ?? lower;
  if (UTF8.has(aliased)) return 'utf-8';
  return iconv.encodingExists(aliased) ? aliased : null;
}

/** More than 90% of the non-ASCII characters of the UTF-8 decoding are real characters, not U+FFFD. */
function isMostlyUtf8(text: string): boolean {
  let nonAscii = 0;
  let replaced = 0;
  for (const char of text) {
    if (char.charCodeAt(0) < 0x80) continue;
    nonAscii++;
    if (char === '\uFFFD') replaced++;
  }
  return nonAscii > 0 && replaced / nonAscii < 0.1;
}

function hasMultibyte(bytes: Buffer): boolean {
  return !isAscii(bytes);
}

function isSingleByte(charset: string): boolean {
  return /^(?:windows-125\d|iso-?8859-\d+|koi8-?[ru]|cp\d+|mac\w*|ibm\d+)$/.test(charset);
}
