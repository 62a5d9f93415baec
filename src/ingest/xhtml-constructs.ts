import sax from 'sax';
import { escapeXml } from '../lib/xml-escape.js';
import { FeedmirrorError } from '../model/errors.js';

/** Serialized inner markup of an entry's xhtml text constructs, by element name. */
export type XhtmlConstructs = Partial<Record<'title' | 'content' | 'summary', string>>;

const CONSTRUCTS = new Set(['title', 'content', 'summary']);

/**
 * Atom type="xhtml" title/content/summary as markup, in document order. xml2js (under
 * rss-parser) splits mixed content into text and children and loses their order, which scrambles
 * "Hello <b>World</b> again"; a SAX pass keeps it. Returns one entry per <entry>, in order.
 */
export function extractXhtmlConstructs(xml: string): XhtmlConstructs[] {
  const parser = sax.parser(true, { xmlns: false, position: false });
  const entries: XhtmlConstructs[] = [];
  let current: XhtmlConstructs | null = null;
  let capture: { name: 'title' | 'content' | 'summary'; depth: number; parts: string[] } | null = null;
  let depth = 0;
  parser.onopentag = (tag) => {
    depth++;
    const name = localName(tag.name);
    if (capture) {
      capture.parts.push(`<${localName(tag.name)}${attributes(tag.attributes as Record<string, string>)}>`);
    } else if (name === 'entry') {
      current = {};
      entries.push(current);
    } else if (current && CONSTRUCTS.has(name) && (tag.attributes as Record<string, string>).type === 'xhtml') {
      capture = { name: name as 'title' | 'content' | 'summary', depth, parts: [] };
    }
  };
  parser.onclosetag = (tagName) => {
    if (capture && depth === capture.depth) {
      current![capture.name] = unwrapDiv(capture.parts.join(''));
      capture = null;
    } else if (capture) capture.parts.push(`</${localName(tagName)}>`);
    else if (localName(tagName) === 'entry') current = null;
    depth--;
  };
  parser.ontext = (text) => capture?.parts.push(escapeXml(text));
  parser.oncdata = (text) => capture?.parts.push(escapeXml(text));
  parser.onerror = () => {
    throw new FeedmirrorError('FM_PARSE', 'xhtml pass: not well-formed');
  };
  parser.write(xml).close();
  return entries;
}

function localName(name: string): string {
  return name.includes(':') ? name.slice(name.indexOf(':') + 1) : name;
}

function attributes(attrs: Record<string, string>): string {
  return Object.entries(attrs)
    .filter(([key]) => key !== 'xmlns' && !key.startsWith('xmlns:'))
    .map(([key, value]) => ` ${localName(key)}="${escapeXml(value)}"`)
    .join('');
}

/** The required xhtml:div wrapper is not part of the content. */
function unwrapDiv(markup: string): string {
  return markup.trim().replace(/^<div>/, '').replace(/<\/div>$/, '');
}
