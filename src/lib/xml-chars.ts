/** XML 1.0 Char production; with the u flag a lone surrogate is one code point outside the class. */
const INVALID_XML = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** A cheap superset test (no u flag): almost all text has none of these, and skips the slow scan. */
const MAYBE_INVALID_XML = /[\x00-\x08\x0B\x0C\x0E-\x1F\uD800-\uDFFF\uFFFE\uFFFF]/;

/** Removes what XML 1.0 cannot carry at all: C0 controls (but tab, LF, CR), U+FFFE/U+FFFF, lone surrogates, NUL. */
export function stripInvalidXmlChars(text: string): string {
  return MAYBE_INVALID_XML.test(text) ? text.replace(INVALID_XML, '') : text;
}

/** Whether a code point is an XML 1.0 Char (the same set INVALID_XML excludes). */
export function isXmlChar(code: number): boolean {
  return code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
}
