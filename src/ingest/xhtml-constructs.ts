import sax from 'sax';
import { escapeXml } from '../lib/xml-escape.js';
import { mapC1Controls } from './c1-controls.js';

/** Serialized inner markup of an entry's title/content/summary that hold elements, by element name. */
export type XhtmlConstructs = Partial<Record<'title' | 'content' | 'summary', string>>;

type ConstructName = keyof XhtmlConstructs;
const CONSTRUCTS = new Set<string>(['title', 'content', 'summary']);

interface Capture {
  name: ConstructName;
  depth: number;
  parts: string[];
  /** type="html": its text is HTML source already, written as it is; any other type's is escaped. */
  rawText: boolean;
  hasElements: boolean;
}

/**
 * The entries' title/content/summary that hold elements (type="xhtml", or markup where text or
 * escaped HTML was announced), as markup in document order. xml2js (under rss-parser) splits mixed
 * content into text and children and loses their order, which scrambles "Hello <b>World</b> again";
 * a SAX pass keeps it. Only an entry's own constructs count (not those of its <source>). Returns
 * one record per <entry>, in order.
 */
export function extractXhtmlConstructs(xml: string): XhtmlConstructs[] {
  const parser = sax.parser(true, { xmlns: false, position: false });
  const entries: XhtmlConstructs[] = [];
  const state: { entry: { record: XhtmlConstructs; depth: number } | null; capture: Capture | null; depth: number } = { entry: null, capture: null, depth: 0 };
  parser.onopentag = (tag) => {
    state.depth++;
    const name = localName(tag.name);
    const attributes = tag.attributes as Record<string, string>;
    const { capture, entry } = state;
    if (capture) {
      capture.hasElements = true;
      capture.parts.push(`<${name}${serializeAttributes(attributes)}>`);
    } else if (name === 'entry') {
      state.entry = { record: {}, depth: state.depth };
      entries.push(state.entry.record);
    } else if (entry && state.depth === entry.depth + 1 && CONSTRUCTS.has(name)) {
      const type = (attributes.type ?? '').trim().toLowerCase();
      state.capture = { name: name as ConstructName, depth: state.depth, parts: [], rawText: type === 'html' || type === 'text/html', hasElements: type === 'xhtml' };
    }
  };
  parser.onclosetag = (tagName) => {
    const { capture, entry } = state;
    if (capture && state.depth === capture.depth) {
      if (capture.hasElements) entry!.record[capture.name] = unwrapDiv(capture.parts.join(''));
      state.capture = null;
    } else if (capture) capture.parts.push(`</${localName(tagName)}>`);
    else if (entry && state.depth === entry.depth) state.entry = null;
    state.depth--;
  };
  const onText = (text: string) => state.capture?.parts.push(state.capture.rawText ? mapC1Controls(text) : escapeXml(mapC1Controls(text)));
  parser.ontext = onText;
  parser.oncdata = onText;
  parser.onerror = () => {
    throw new Error('xhtml pass: not well-formed');
  };
  parser.write(xml).close();
  return entries;
}

function localName(name: string): string {
  return name.includes(':') ? name.slice(name.indexOf(':') + 1) : name;
}

function serializeAttributes(attrs: Record<string, string>): string {
  return Object.entries(attrs)
    .filter(([key]) => key !== 'xmlns' && !key.startsWith('xmlns:'))
    .map(([key, value]) => ` ${localName(key)}="${escapeXml(mapC1Controls(value))}"`)
    .join('');
}

/** The xhtml:div wrapper Atom requires (and escaped HTML sometimes copies) is not part of the content. */
function unwrapDiv(markup: string): string {
  return markup.trim().replace(/^<div>/, '').replace(/<\/div>$/, '');
}
