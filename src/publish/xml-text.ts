import { stripInvalidXmlChars } from '../lib/xml-chars.js';
import { escapeXml } from '../lib/xml-escape.js';

/**
 * Making arbitrary strings safe for XML 1.0: every string that reaches our markup goes through
 * here, with the characters XML forbids removed and "]]>" kept from ending a CDATA section.
 */

export function xmlText(text: string): string {
  return stripInvalidXmlChars(text);
}

/** For CDATA fields that carry HTML: "]]&gt;" reads the same in HTML and cannot end the section. */
export function htmlCdata(html: string): string {
  return xmlText(html).replaceAll(']]>', ']]&gt;');
}

export { escapeXml };

type Attributes = Record<string, string | number | null | undefined>;

/** One element with escaped attributes and optional escaped text; attributes with null values are left out. */
export function xmlElement(name: string, attributes: Attributes, text?: string | null): string {
  const attrs = attributeText(attributes);
  return text === undefined || text === null ? `<${name}${attrs}/>` : `<${name}${attrs}>${escapeXml(text)}</${name}>`;
}

/** A start tag with escaped attributes, for an element whose children are written line by line. */
export function startTag(name: string, attributes: Attributes): string {
  return `<${name}${attributeText(attributes)}>`;
}

/** One element whose HTML (or HTML-escaped text) is carried in a CDATA section. */
export function cdataElement(name: string, html: string, attributes: Attributes = {}): string {
  return `<${name}${attributeText(attributes)}><![CDATA[${htmlCdata(html)}]]></${name}>`;
}

function attributeText(attributes: Attributes): string {
  // A plain loop: this runs for nearly every element of every item.
  let text = '';
  for (const key in attributes) {
    const value = attributes[key];
    if (value !== null && value !== undefined) text += ` ${key}="${escapeXml(String(value))}"`;
  }
  return text;
}
