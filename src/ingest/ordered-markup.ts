import sax from 'sax';
import { escapeXml } from '../lib/xml-escape.js';
import { mapC1Controls } from './c1-controls.js';
import { canonicalName, scopeWith, type Scope } from './canonical-names.js';
import { FeedmirrorError } from '../model/errors.js';

/** Serialized inner markup of an item's fields that hold elements, by canonical element name. */
export type OrderedMarkup = Partial<Record<string, string>>;

interface Format {
  item: string;
  isAtom: boolean;
  /** The fields that may hold markup; true where their text is HTML source already (written as it is), false where it is text. */
  fields: Map<string, (type: string) => boolean>;
}

const isHtmlType = (type: string) => type === 'html' || type === 'text/html';
const ATOM: Format = { item: 'entry', isAtom: true, fields: new Map([['title', isHtmlType], ['content', isHtmlType], ['summary', isHtmlType]]) };
// RSS leaves the type of titles open and makes descriptions HTML: their text is HTML source; xhtml:body's is text.
const RSS: Format = {
  item: 'item', isAtom: false,
  fields: new Map<string, (type: string) => boolean>([['title', () => true], ['description', () => true], ['summary', () => true], ['body', () => false], ['xhtml:body', () => false]]),
};

interface Capture {
  name: string;
  depth: number;
  parts: string[];
  rawText: boolean;
  hasElements: boolean;
}

/**
 * The items' fields that hold elements (Atom type="xhtml", markup where text or escaped HTML was
 * announced, RSS descriptions with raw HTML, xhtml:body), as markup in document order. xml2js
 * (under rss-parser) splits mixed content into text and children and loses their order, which
 * scrambles "Hello <b>World</b> again"; a SAX pass keeps it. Elements are matched by canonical
 * name (canonical-names.ts), and only an item's own fields count (not those of an Atom <source>).
 * Returns one record per item where rss-parser finds items, in order.
 */
export function extractOrderedMarkup(xml: string, root: 'rss' | 'atom' | 'rdf'): OrderedMarkup[] {
  const format = root === 'atom' ? ATOM : RSS;
  const parser = sax.parser(true, { xmlns: false, position: false });
  const items: OrderedMarkup[] = [];
  const scopes: Scope[] = [new Map()];
  const names: string[] = [];
  const state: { item: { record: OrderedMarkup; depth: number } | null; capture: Capture | null } = { item: null, capture: null };
  parser.onopentag = (tag) => {
    const attributes = tag.attributes as Record<string, string>;
    const scope = scopeWith(attributes, scopes[scopes.length - 1]!);
    scopes.push(scope);
    const depth = scopes.length - 1;
    const { capture, item } = state;
    const name = canonicalName(tag.name, scope, format.isAtom);
    names.push(name);
    if (capture) {
      capture.hasElements = true;
      capture.parts.push(`<${localName(tag.name)}${serializeAttributes(attributes)}>`);
    } else if (name === format.item && isItemPlace(names)) {
      state.item = { record: {}, depth };
      items.push(state.item.record);
    } else if (item && depth === item.depth + 1 && format.fields.has(name)) {
      const type = (attributes.type ?? '').trim().toLowerCase();
      state.capture = { name, depth, parts: [], rawText: format.fields.get(name)!(type), hasElements: type === 'xhtml' };
    }
  };
  parser.onclosetag = (tagName) => {
    const depth = scopes.length - 1;
    const { capture, item } = state;
    if (capture && depth === capture.depth) {
      if (capture.hasElements) item!.record[capture.name] = unwrapDiv(capture.parts.join(''));
      state.capture = null;
    } else if (capture) capture.parts.push(`</${localName(tagName)}>`);
    else if (item && depth === item.depth) state.item = null;
    scopes.pop();
    names.pop();
  };
  const onText = (text: string) => state.capture?.parts.push(state.capture.rawText ? mapC1Controls(text) : escapeXml(mapC1Controls(text)));
  parser.ontext = onText;
  parser.oncdata = onText;
  parser.onerror = () => {
    throw new FeedmirrorError('FM_PARSE', 'ordered markup pass: not well-formed');
  };
  parser.write(xml).close();
  return items;
}

/** Where rss-parser finds items: children of the root (Atom, RDF, RSS without a channel) or of <channel>. */
function isItemPlace(names: string[]): boolean {
  return names.length === 2 || (names.length === 3 && names[1] === 'channel');
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
