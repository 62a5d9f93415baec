/**
 * What must not reach a terminal or a line-based log raw: C0 and C1 controls (a newline forges a
 * line, ESC starts a colour or cursor sequence, U+009B is a one-byte CSI), DEL, the Unicode line
 * and paragraph separators, and the bidi embeddings, overrides and isolates that reorder how a
 * line reads. Tab is harmless and kept.
 */
const UNSAFE = /[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r' };

/** Each such character as a visible escape: a newline as `\n`, ESC as `\x1b`, U+2028 as `\u2028`. */
export function escapeControls(text: string): string {
  return text.replace(UNSAFE, (c) => NAMED[c] ?? codeEscape(c.charCodeAt(0)));
}

function codeEscape(code: number): string {
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** `text` in double quotes with its controls escaped, for naming an offending value in a one-line message. */
export function quoteValue(text: string): string {
  return `"${escapeControls(text)}"`;
}
