import type { ParsedFeed, ParsedItem, ParsedLink, ParsedMedia, ParsedPerson, SkippedItems, TextValue } from '../model/parsed-feed.js';
import { attrOf, childText, firstText, markupOf, nodes, textOf, type XmlNode } from './xml2js-nodes.js';
import { extractXhtmlConstructs, type XhtmlConstructs } from './xhtml-constructs.js';
import { looseText, plainText } from './text-values.js';
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
  const xhtml = root === 'atom' && /type\s*=\s*["']xhtml["']/.test(xml) ? safeXhtml(xml) : [];
  const feedAttrs = (nodes(raw.fmAttributes)[0] ?? {}) as Record<string, string>;
  const links = feedLinks(raw);
  const isAtom = root === 'atom';
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
    description: isAtom ? (atomText(nodes(raw.fmSubtitle)[0], null) ?? atomText(nodes(raw.fmTagline)[0], null)) : textValue(nodes(raw.fmDescription)[0], 'html'),
    items: (Array.isArray(raw.items) ? (raw.items as RawRecord[]) : []).map((item, i) =>
      withFeedAuthors(toParsedItem(item, root, xhtml[i] ?? {}), isAtom ? authorsOf(raw, true) : []),
    ),
  };
}

function toParsedItem(item: RawRecord, root: 'rss' | 'atom' | 'rdf', xhtml: XhtmlConstructs): ParsedItem {
  const attrs = (nodes(item.fmAttributes)[0] ?? {}) as Record<string, string>;
  const links = itemLinks(item);
  const isAtom = root === 'atom';
  const description = textValue(nodes(item.fmDescription)[0], 'html');
  const encoded = textValue(nodes(item.fmEncoded)[0], 'html');
  const atomContent = isAtom ? preferXhtml(xhtml.content, atomText(nodes(item.fmContent)[0], stringOf(item.content))) : null;
  const atomSummary = isAtom ? preferXhtml(xhtml.summary, atomText(nodes(item.fmSummary)[0], stringOf(item.summary))) : null;
  return {
    guid: firstText(guidOf(item), attrs['rdf:about']),
    link: firstText(links.find((l) => l.rel === 'alternate')?.href, permaLinkGuid(item)),
    links,
    base: firstText(attrs['xml:base']),
    title: isAtom ? preferXhtml(xhtml.title, atomText(nodes(item.fmTitle)[0], markupOf(nodes(item.fmTitle)[0]))) : looseText(markupOf(nodes(item.fmTitle)[0])),
    published: firstText(...['fmPublished', 'fmIssued', 'fmCreated', 'fmPubDate', 'fmDcDate'].map((k) => textOf(nodes(item[k])[0]))),
    updated: firstText(...['fmUpdated', 'fmModified'].map((k) => textOf(nodes(item[k])[0]))),
    authors: authorsOf(item, isAtom),
    content: encoded ?? atomContent ?? (isAtom ? atomSummary : description),
    summary: encoded || atomContent ? (isAtom ? atomSummary : description) : null,
    media: mediaOf(item, links),
    categories: categoriesOf(item),
    language: firstText(textOf(nodes(item.fmLanguage)[0]), attrs['xml:lang']),
  };
}

function safeXhtml(xml: string): XhtmlConstructs[] {
  try {
    return extractXhtmlConstructs(xml);
  } catch {
    return []; // rss-parser accepted it leniently; keep its (unordered) reading
  }
}

/** The SAX pass's reading of an xhtml construct replaces xml2js's, which loses mixed-content order. */
function preferXhtml(markup: string | undefined, parsed: TextValue | null): TextValue | null {
  return markup !== undefined && markup.trim() ? { value: markup, type: 'html', base: parsed?.base ?? null } : parsed;
}

/** RFC 4287 §4.2.1: an Atom entry without an author has the feed's authors. */
function withFeedAuthors(item: ParsedItem, feedAuthors: ParsedItem['authors']): ParsedItem {
  return item.authors.length === 0 && feedAuthors.length > 0 ? { ...item, authors: feedAuthors } : item;
}

function guidOf(item: RawRecord): string | null {
  return firstText(textOf(nodes(item.fmGuid)[0]), textOf(nodes(item.fmId)[0]));
}

/** RSS: a guid that is a permalink (the default) stands in for a missing <link>. */
function permaLinkGuid(item: RawRecord): string | null {
  const guid = nodes(item.fmGuid)[0];
  const text = textOf(guid)?.trim();
  return text && attrOf(guid, 'isPermaLink') !== 'false' && /^https?:\/\//i.test(text) ? text : null;
}

function itemLinks(item: RawRecord): ParsedLink[] {
  const out: ParsedLink[] = [];
  for (const node of [...nodes(item.fmLinks), ...nodes(item.fmAtomLinks)]) {
    const href = attrOf(node, 'href') ?? textOf(node);
    if (!href?.trim()) continue;
    const length = Number(attrOf(node, 'length'));
    out.push({
      href: combineBases(attrOf(node, 'xml:base'), href.trim())!, rel: attrOf(node, 'rel')?.trim() || 'alternate', type: attrOf(node, 'type'),
      length: Number.isFinite(length) && length > 0 ? length : null,
    });
  }
  return out;
}

/**
 * An inner reference against an outer xml:base when the outer one is absolute; a relative
 * outer base cannot be applied here, so the inner one is kept for the normalizer to resolve.
 */
function combineBases(outer: string | null, inner: string | null): string | null {
  if (!outer) return inner;
  if (!inner) return outer;
  try {
    return new URL(inner, outer).href;
  } catch {
    return inner;
  }
}

function feedLinks(raw: RawRecord): ParsedLink[] {
  return itemLinks(raw);
}

/** Atom text constructs: type="text" is plain, "html" is escaped HTML, "xhtml" is inline markup. */
function atomText(node: XmlNode | undefined, serialized: string | null): TextValue | null {
  if (node === undefined) return null;
  const type = (attrOf(node, 'type') ?? attrOf(node, 'mode') ?? 'text').toLowerCase();
  if (type === 'xhtml' || (typeof node === 'object' && textOf(node) === null)) {
    const inner = unwrapXhtml(serialized ?? '');
    return inner.trim() ? { value: inner, type: 'html', base: attrOf(node, 'xml:base') } : null;
  }
  const value = textOf(node);
  if (!value?.trim()) return null;
  return { value, type: type === 'text' || type === 'text/plain' ? 'text' : 'html', base: attrOf(node, 'xml:base') };
}

/** rss-parser re-serializes xhtml content wrapped in two divs: <div type="xhtml"><div xmlns=…>…</div></div>. */
function unwrapXhtml(html: string): string {
  return html.replace(/^<div\b[^>]*>\s*(?:<div\b[^>]*>)?/, '').replace(/(?:<\/div>\s*)?<\/div>\s*$/, '');
}

function textValue(node: XmlNode | undefined, type: 'text' | 'html'): TextValue | null {
  const value = type === 'html' ? markupOf(node) : textOf(node);
  return value?.trim() ? { value, type } : null;
}

/** Atom person names are plain text by RFC 4287; RSS and Dublin Core leave the type open. */
function authorsOf(item: RawRecord, isAtom: boolean): ParsedPerson[] {
  const out: ParsedPerson[] = [];
  for (const node of nodes(item.fmAuthors)) {
    const personName = childText(node, 'name');
    const { name, email } = personName?.trim() ? { name: personName, email: childText(node, 'email') } : splitRssAuthor(textOf(node) ?? '');
    const value = isAtom && personName?.trim() ? plainText(name) : looseText(name);
    if (value) out.push({ name: value, email: email?.trim() || null, url: childText(node, 'uri')?.trim() || null });
  }
  for (const node of [...nodes(item.fmCreators), ...nodes(item.fmItunesAuthor)]) {
    const name = looseText(textOf(node));
    if (name) out.push({ name, email: null, url: null });
  }
  return out;
}

/** RSS <author> is "email (Name)" by spec, "Name" in practice. */
function splitRssAuthor(text: string): { name: string; email: string | null } {
  const m = /^\s*([^\s()]+@[^\s()]+)\s*\(([^)]+)\)\s*$/.exec(text);
  return m ? { name: m[2]!, email: m[1]! } : { name: text, email: null };
}

function mediaOf(item: RawRecord, links: ParsedLink[]): ParsedMedia[] {
  const media: ParsedMedia[] = [];
  const add = (node: XmlNode | undefined, urlAttr: string, isThumbnail: boolean) => {
    const url = attrOf(node, urlAttr)?.trim();
    if (!url) return;
    const length = Number(attrOf(node, 'length') ?? attrOf(node, 'fileSize'));
    media.push({
      url, type: attrOf(node, 'type'), medium: attrOf(node, 'medium'), length: Number.isFinite(length) && length > 0 ? length : null, isThumbnail,
      caption: firstText(childText(node, 'media:description'), childText(node, 'media:title')), credit: firstText(childText(node, 'media:credit')),
    });
  };
  nodes(item.fmEnclosures).forEach((n) => add(n, 'url', false));
  for (const group of [item, ...nodes(item.fmMediaGroup).filter((g): g is Exclude<XmlNode, string> => typeof g !== 'string')]) {
    const contentKey = group === item ? 'fmMediaContent' : 'media:content';
    const thumbKey = group === item ? 'fmMediaThumbnail' : 'media:thumbnail';
    for (const content of nodes((group as RawRecord)[contentKey])) {
      add(content, 'url', false);
      // Vimeo and others nest the thumbnail inside media:content (which may itself have no url)
      if (typeof content !== 'string') nodes(content['media:thumbnail']).forEach((n) => add(n, 'url', true));
    }
    nodes((group as RawRecord)[thumbKey]).forEach((n) => add(n, 'url', true));
  }
  nodes(item.fmItunesImage).forEach((n) => add(n, 'href', true));
  for (const link of links.filter((l) => l.rel === 'enclosure')) {
    media.push({ url: link.href, type: link.type, medium: null, length: link.length ?? null, isThumbnail: false, caption: null, credit: null });
  }
  return media;
}

/** Atom's label and term are plain text; RSS <category> and dc:subject text leave the type open. */
function categoriesOf(item: RawRecord): TextValue[] {
  const out: TextValue[] = [];
  for (const node of [...nodes(item.fmCategories), ...nodes(item.fmSubjects)]) {
    const value = plainText(firstText(attrOf(node, 'label'), attrOf(node, 'term'))) ?? looseText(textOf(node));
    if (value) out.push(value);
  }
  return out;
}

function stringOf(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}
