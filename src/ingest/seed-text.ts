/** Decoding a seed's bytes into text, with the reasons a file is refused. */
import { stripInvalidXmlChars } from '../lib/xml-chars.js';
import { FeedmirrorError } from '../model/errors.js';

/** Binary formats show themselves at the start, so only a prefix decides "binary"; cleaning covers the whole text. */
const SNIFF_BYTES = 8192;
/** Share of control bytes in the first 8 KB above which a file is taken for binary. */
const MAX_CONTROL_RATIO = 0.05;

export function decodeSeedText(bytes: Buffer): string {
  if (bytes.length === 0) throw new FeedmirrorError('FM_SEED_EMPTY', 'is empty (0 bytes)');
  if (looksBinary(bytes)) throw new FeedmirrorError('FM_SEED_BINARY', 'looks binary (NUL or control bytes), not a text article');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new FeedmirrorError('FM_SEED_NOT_UTF8', `is not valid UTF-8 (first bad byte at offset ${firstInvalidUtf8Offset(bytes)}); save it as UTF-8`);
  }
  const normalized = cleanSeedText(text);
  if (normalized.trim() === '') throw new FeedmirrorError('FM_SEED_EMPTY', 'has no text (only whitespace)');
  return normalized;
}

/**
 * Line ends to LF, and what feed text loses at normalization lost here too, wherever it stands:
 * C0 controls, U+FFFE/U+FFFF. Vertical tab and form feed separate words (a page break), so they
 * become spaces rather than gluing the words around them together.
 */
function cleanSeedText(text: string): string {
  return stripInvalidXmlChars(text.replace(/\r\n?/g, '\n').replace(/[\v\f]/g, ' '));
}

function looksBinary(bytes: Buffer): boolean {
  const sample = bytes.subarray(0, SNIFF_BYTES);
  let control = 0;
  for (const byte of sample) {
    if (byte === 0) return true;
    if (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d && byte !== 0x0c) control++;
  }
  return control / sample.length > MAX_CONTROL_RATIO;
}

/** Where strict decoding fails, so the message can point at it. */
function firstInvalidUtf8Offset(bytes: Buffer): number {
  let low = 0;
  let high = bytes.length;
  // The longest valid prefix, found by bisection: decoding is all-or-nothing.
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    try {
      // stream mode accepts a prefix that ends inside a character, so only a real error throws
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, mid), { stream: true });
      low = mid;
    } catch {
      high = mid - 1;
    }
  }
  // The prefix may end inside a character whose next byte is the bad one: that character is where the error starts.
  return low - incompleteTailLength(bytes.subarray(0, low));
}

/** Bytes of a character cut off at the end of a prefix that is otherwise valid UTF-8 (0 when it ends cleanly). */
function incompleteTailLength(prefix: Buffer): number {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(prefix);
    return 0;
  } catch {
    let start = prefix.length - 1;
    while (start > 0 && (prefix[start]! & 0xc0) === 0x80) start--; // back over continuation bytes to the lead byte
    return prefix.length - start;
  }
}
