import { stripInvalidXmlChars } from './xml-chars.js';

const NEEDS_ESCAPE = /[&<>"]/;

/** Text or attribute value → XML, with characters XML cannot carry removed. */
export function escapeXml(text: string): string {
  const clean = stripInvalidXmlChars(text);
  return !NEEDS_ESCAPE.test(clean) ? clean : clean.replace(/[&<>"]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;'));
}
