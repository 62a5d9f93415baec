import type { ParsedFeed, ParsedItem, SkippedItems, TextValue } from '../model/parsed-feed.js';
import { firstText, markupOf, nodes, textOf, type XmlNode } from './xml2js-nodes.js';
import { extractOrderedMarkup, type OrderedMarkup } from './ordered-markup.js';
import { looseText } from './text-values.js';
import { atomText } from './atom-text.js';
import { authorsOf, combineBases, itemLinks, readXmlItem } from './read-xml-item.js';
import { capXmlItems, MAX_XML_ATTRIBUTES, MAX_XML_NODES } from './cap-xml-items.js';
import { readXmlTree, type RawRecord } from './read-xml-tree.js';

export interface XmlFeedResult {
  feed: ParsedFeed;
  skipped: SkippedItems;
}

/**
 * RSS 0.9x/1.0/2.0 and Atom 0.3/1.0 text → ParsedFeed, reading at most `maxItems` items (the
 * rest is cut before any tree is built).
 */
export async function parseXmlFeed(text: string, root: 'rss' | 'atom' | 'rdf', version: string | null, rootBase: string | null = null, maxItems = Infinity): Promise<XmlFeedResult> {
  const { xml, overLimit, elementsCut } = capXmlItems(text, root, maxItems);
  const partsNote = elementsCut > 0 ? `XML elements past the budget of ${MAX_XML_NODES} elements and attributes (${MAX_XML_ATTRIBUTES} on one element) dropped unread: ${elementsCut}` : null;
  const skipped = { overLimit, invalid: 0, examples: [], partsCut: elementsCut, partsNote };
  return { feed: await parseCapped(xml, root, version, rootBase), skipped };
}

async function parseCapped(xml: string, root: 'rss' | 'atom' | 'rdf', version: string | null, rootBase: string | null): Promise<ParsedFeed> {
  const raw = await readXmlTree(xml);
  const isAtom = root === 'atom';
  const items = Array.isArray(raw.items) ? (raw.items as RawRecord[]) : [];
  const ordered = items.some(holdsMarkup) ? orderedMarkup(xml, root) : [];
  const feedAttrs = (nodes(raw.fmAttributes)[0] ?? {}) as Record<string, string>;
  const links = itemLinks(raw);
  const feedAuthors = isAtom ? authorsOf(raw, true) : [];
  return {
    format: root,
    version,
    title: isAtom ? atomText(nodes(raw.fmTitle)[0], markupOf(nodes(raw.fmTitle)[0])) : looseText(markupOf(nodes(raw.fmTitle)[0]) ?? stringOf(raw.title)),
    link: firstText(links.find((l) => l.rel === 'alternate')?.href, stringOf(raw.link)),
    selfUrl: firstText(links.find((l) => l.rel === 'self')?.href, stringOf(raw.feedUrl)),
    // rss-parser's attributes are <channel>'s for RSS; the <rss> root's xml:base comes from the sniffer
    base: combineBases(rootBase, firstText(feedAttrs['xml:base'])),
    language: firstText(stringOf(raw.language), textOf(nodes(raw.fmLanguage)[0]), feedAttrs['xml:lang']),
    // RSS has its channel description be HTML, as its item descriptions
    description: isAtom ? (atomText(nodes(raw.fmSubtitle)[0], null) ?? atomText(nodes(raw.fmTagline)[0], null)) : textValue(nodes(raw.fmDescription)[0]),
    items: items.map((item, i) => withFeedAuthors(readXmlItem(item, isAtom, ordered[i] ?? {}), feedAuthors)),
  };
}

/** Whether one of an item's fields holds elements, whose order xml2js loses (see ordered-markup.ts). */
function holdsMarkup(item: RawRecord): boolean {
  return ['fmTitle', 'fmContent', 'fmSummary', 'fmDescription', 'fmBody', 'fmXhtmlBody'].some((key) => {
    const node = nodes(item[key])[0];
    return typeof node === 'object' && Object.keys(node).some((k) => k !== '_' && k !== '$');
  });
}

function orderedMarkup(xml: string, root: 'rss' | 'atom' | 'rdf'): OrderedMarkup[] {
  try {
    return extractOrderedMarkup(xml, root);
  } catch {
    return []; // rss-parser accepted it leniently; keep its (unordered) reading
  }
}

/** RFC 4287 §4.2.1: an Atom entry without an author has the feed's authors. */
function withFeedAuthors(item: ParsedItem, feedAuthors: ParsedItem['authors']): ParsedItem {
  return item.authors.length === 0 && feedAuthors.length > 0 ? { ...item, authors: feedAuthors } : item;
}

function textValue(node: XmlNode | undefined): TextValue | null {
  const value = markupOf(node);
  return value?.trim() ? { value, type: 'html' } : null;
}

function stringOf(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}
