/** XML 1.0 Char production; with the u flag a lone surrogate is one code point outside the class. */
const INVALID_XML = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Removes what XML 1.0 cannot carry at all: C0 controls (but tab, LF, CR), U+FFFE/U+FFFF, lone surrogates, NUL. */
export function stripInvalidXmlChars(text: string): string {
  return text.replace(INVALID_XML, '');
}
