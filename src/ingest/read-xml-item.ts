/**
 * One RSS item or Atom entry (rss-parser's record, with the raw fields of read-xml-tree.ts) →
 * ParsedItem. Each field is read from every element Python feedparser reads for it, in its order
 * of precedence: the format's own element first, then Dublin Core / DC Terms, then iTunes and
 * Media RSS. Of an element repeated where one is expected (two <updated>), the last counts, as in
 * feedparser.
 */
import type { ParsedItem, ParsedLink, ParsedMedia, ParsedPerson, TextValue } from '../model/parsed-feed.js';
import { atomText } from './atom-text.js';
import type { RawRecord } from './read-xml-tree.js';
import { looseText, plainText } from './text-values.js';
import type { OrderedMarkup } from './ordered-markup.js';
import { attrOf, childText, firstText, markupOf, nodes, textOf, type XmlNode } from './xml2js-nodes.js';

const PUBLISHED = ['fmPublished', 'fmIssued', 'fmPubDate', 'fmDctermsIssued', 'fmCreated', 'fmDctermsCreated', 'fmDcDate'];
// dc:date is RSS 1.0's only date: the publication date there, and feedparser's `updated`.
const UPDATED = ['fmUpdated', 'fmModified', 'fmDctermsModified', 'fmDcDate'];

export function readXmlItem(item: RawRecord, isAtom: boolean, ordered: OrderedMarkup): ParsedItem {
  const attrs = (nodes(item.fmAttributes)[0] ?? {}) as Record<string, string>;
  const links = itemLinks(item);
  const { content, summary } = isAtom ? atomBodies(item, ordered) : rssBodies(item, ordered);
  return {
    guid: firstText(guidOf(item), attrs['rdf:about']),
    link: firstText(links.find((l) => l.rel === 'alternate')?.href, permaLinkGuid(item)),
    links,
    base: firstText(attrs['xml:base']),
    title: titleOf(item, isAtom, ordered),
    published: dateOf(item, PUBLISHED),
    updated: dateOf(item, UPDATED),
    authors: authorsOf(item, isAtom),
    content,
    summary,
    media: mediaOf(item, links),
    categories: categoriesOf(item),
    language: firstText(textOf(nodes(item.fmLanguage)[0]), attrs['xml:lang']),
  };
}

function titleOf(item: RawRecord, isAtom: boolean, ordered: OrderedMarkup): TextValue | null {
  const own = nodes(item.fmTitle)[0];
  const title = isAtom ? atomText(own, markupOf(own), ordered.title) : looseText(ordered.title ?? markupOf(own));
  return title ?? looseText(markupOf(nodes(item.fmDcTitle)[0])) ?? mediaText(nodes(item.fmMediaTitle)[0]);
}

/** The first of the elements (by precedence) that has a value; of one element given twice, the last. */
function dateOf(item: RawRecord, keys: string[]): string | null {
  for (const key of keys) {
    const value = firstText(...nodes(item[key]).map(textOf).reverse());
    if (value) return value;
  }
  return null;
}

interface Bodies {
  content: TextValue | null;
  /** Only beside a content of its own: a lone description is the content, and the normalizer derives the summary. */
  summary: TextValue | null;
}

/** RSS: full content from content:encoded, xhtml:body or fullitem; the summary from description and its stand-ins. */
function rssBodies(item: RawRecord, ordered: OrderedMarkup): Bodies {
  const body = html(nodes(item.fmXhtmlBody)[0], ordered['xhtml:body']) ?? html(nodes(item.fmBody)[0], ordered.body);
  const content = html(nodes(item.fmEncoded)[0]) ?? body ?? html(nodes(item.fmFullitem)[0]);
  const summary = html(nodes(item.fmDescription)[0], ordered.description) ?? otherSummaries(item) ?? looseText(ordered.summary ?? markupOf(nodes(item.fmSummary)[0]));
  return content ? { content, summary } : { content: summary, summary: null };
}

function atomBodies(item: RawRecord, ordered: OrderedMarkup): Bodies {
  const contentNode = nodes(item.fmContent)[0];
  const summaryNode = nodes(item.fmSummary)[0];
  const content = atomText(contentNode, markupOf(contentNode), ordered.content);
  const summary = atomText(summaryNode, markupOf(summaryNode), ordered.summary) ?? otherSummaries(item);
  return content ? { content, summary } : { content: summary, summary: null };
}

/** dc:description, itunes:summary, media:description (also in media:group), whose type the format leaves open or says. */
function otherSummaries(item: RawRecord): TextValue | null {
  const groups = nodes(item.fmMediaGroup).map((group) => (typeof group === 'string' ? undefined : nodes(group['media:description'])[0]));
  return (
    looseText(markupOf(nodes(item.fmDcDescription)[0])) ??
    looseText(markupOf(nodes(item.fmItunesSummary)[0])) ??
    [nodes(item.fmMediaDescription)[0], ...groups].reduce<TextValue | null>((found, node) => found ?? mediaText(node), null)
  );
}

/** HTML source: the element's text, or its markup (in document order when the ordered pass read it). */
function html(node: XmlNode | undefined, ordered?: string): TextValue | null {
  if (node === undefined) return null;
  const value = ordered ?? markupOf(node);
  return value?.trim() ? { value, type: 'html' } : null;
}

/** Media RSS text (media:title, media:description): plain unless type="html". */
function mediaText(node: XmlNode | undefined): TextValue | null {
  return attrOf(node, 'type')?.trim().toLowerCase() === 'html' ? html(node) : plainText(textOf(node));
}

function guidOf(item: RawRecord): string | null {
  return firstText(textOf(nodes(item.fmGuid)[0]), textOf(nodes(item.fmId)[0]));
}

/** RSS: a guid that is a permalink (the default) stands in for a missing <link>. */
function permaLinkGuid(item: RawRecord): string | null {
  const guid = nodes(item.fmGuid)[0];
  const text = textOf(guid)?.trim();
  return text && attrOf(guid, 'isPermaLink')?.trim().toLowerCase() !== 'false' && /^https?:\/\//i.test(text) ? text : null;
}

export function itemLinks(item: RawRecord): ParsedLink[] {
  const out: ParsedLink[] = [];
  for (const node of [...nodes(item.fmLinks), ...nodes(item.fmAtomLinks)]) {
    const href = attrOf(node, 'href') ?? textOf(node);
    if (!href?.trim()) continue;
    out.push({ href: combineBases(attrOf(node, 'xml:base'), href.trim())!, rel: attrOf(node, 'rel')?.trim() || 'alternate', type: attrOf(node, 'type'), length: lengthOf(attrOf(node, 'length')) });
  }
  return out;
}

/**
 * An inner reference against an outer xml:base when the outer one is absolute; a relative
 * outer base cannot be applied here, so the inner one is kept for the normalizer to resolve.
 */
export function combineBases(outer: string | null, inner: string | null): string | null {
  if (!outer) return inner;
  if (!inner) return outer;
  try {
    return new URL(inner, outer).href;
  } catch {
    return inner;
  }
}

/** Atom person names are plain text by RFC 4287; RSS and Dublin Core leave the type open. */
export function authorsOf(item: RawRecord, isAtom: boolean): ParsedPerson[] {
  const out: ParsedPerson[] = [];
  for (const node of nodes(item.fmAuthors)) {
    const personName = childText(node, 'name');
    const { name, email } = personName?.trim() ? { name: personName, email: childText(node, 'email') } : splitRssAuthor(textOf(node) ?? '');
    const value = isAtom && personName?.trim() ? plainText(name) : looseText(name);
    if (value) out.push({ name: value, email: email?.trim() || null, url: childText(node, 'uri')?.trim() || null });
  }
  for (const node of [...nodes(item.fmCreators), ...nodes(item.fmDcAuthors), ...nodes(item.fmItunesAuthor)]) {
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

function lengthOf(value: string | null): number | null {
  const length = Number(value);
  return Number.isFinite(length) && length > 0 ? length : null;
}

function mediaOf(item: RawRecord, links: ParsedLink[]): ParsedMedia[] {
  const media: ParsedMedia[] = [];
  const add = (node: XmlNode | undefined, url: string | null | undefined, role: Pick<ParsedMedia, 'isThumbnail' | 'isEnclosure'>) => {
    if (!url?.trim()) return;
    media.push({
      url: url.trim(), type: attrOf(node, 'type'), medium: attrOf(node, 'medium'), length: lengthOf(attrOf(node, 'length') ?? attrOf(node, 'fileSize')), ...role,
      caption: firstText(childText(node, 'media:description'), childText(node, 'media:title')), credit: firstText(childText(node, 'media:credit')),
    });
  };
  const ENCLOSURE = { isThumbnail: false, isEnclosure: true };
  const CONTENT = { isThumbnail: false, isEnclosure: false };
  const THUMBNAIL = { isThumbnail: true, isEnclosure: false };
  // An enclosure is kept with whatever attributes it has; some feeds write href for url.
  nodes(item.fmEnclosures).forEach((n) => add(n, attrOf(n, 'url') ?? attrOf(n, 'href'), ENCLOSURE));
  for (const group of [item, ...nodes(item.fmMediaGroup).filter((g): g is Exclude<XmlNode, string> => typeof g !== 'string')]) {
    const contentKey = group === item ? 'fmMediaContent' : 'media:content';
    const thumbKey = group === item ? 'fmMediaThumbnail' : 'media:thumbnail';
    for (const content of nodes((group as RawRecord)[contentKey])) {
      add(content, attrOf(content, 'url'), CONTENT);
      // Vimeo and others nest the thumbnail inside media:content (which may itself have no url)
      if (typeof content !== 'string') nodes(content['media:thumbnail']).forEach((n) => add(n, attrOf(n, 'url'), THUMBNAIL));
    }
    nodes((group as RawRecord)[thumbKey]).forEach((n) => add(n, attrOf(n, 'url'), THUMBNAIL));
  }
  nodes(item.fmItunesImage).forEach((n) => add(n, attrOf(n, 'href'), THUMBNAIL));
  for (const link of links.filter((l) => l.rel === 'enclosure')) {
    media.push({ url: link.href, type: link.type, medium: null, length: link.length ?? null, ...ENCLOSURE, caption: null, credit: null });
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
