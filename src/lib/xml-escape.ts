import { stripInvalidXmlChars } from './xml-chars.js';

/** Text or attribute value → XML, with characters XML cannot carry removed. */
export function escapeXml(text: string): string {
  return stripInvalidXmlChars(text).replace(/[&<>"]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;'));
}
