import { FEEDMIRROR_NS, FH_NS, historyLinks, type FeedView, type ItemView } from './feed-view.js';
import { ATOM_NS, documentParts, INDENT, layoutLines, xmlProlog, type XmlLine } from './feed-skeleton.js';
import { byteLengthOf, isRssEnclosureUrl, mediaTypeOf, uriOf } from './published-values.js';
import { cdataElement, startTag, xmlElement } from './xml-text.js';
import { escapeHtmlText } from '../lib/text.js';
import { itemExtensionLines, DUPLICATE_REL } from './item-extensions.js';

const RSS_ROOT = {
  version: '2.0',
  'xmlns:atom': ATOM_NS,
  'xmlns:content': 'http://purl.org/rss/1.0/modules/content/',
  'xmlns:dc': 'http://purl.org/dc/elements/1.1/',
  'xmlns:fh': FH_NS,
  'xmlns:feedmirror': FEEDMIRROR_NS,
};
const RSS_DOCS = 'https://www.rssboard.org/rss-specification';
const RSS_TYPE = 'application/rss+xml';

/** RSS 2.0, head and items written here (feed-skeleton.ts says why not by `feed`). */
export function renderRss(view: FeedView): string[] {
  const opening = [xmlProlog(view.stylesheet), startTag('rss', RSS_ROOT), `${INDENT}<channel>`, ...layoutLines(channelLines(view), INDENT.repeat(2))];
  return documentParts(opening, view.items.map(itemXml), [`${INDENT}</channel>`, '</rss>']);
}

/** The channel's elements in `feed`'s order, ours after its <docs>. */
function channelLines(view: FeedView): XmlLine[] {
  const { author } = view;
  return [
    xmlElement('title', {}, view.title),
    xmlElement('link', {}, uriOf(view.homeUrl)),
    xmlElement('description', {}, view.description ?? view.title),
    xmlElement('lastBuildDate', {}, new Date(view.updated).toUTCString()),
    xmlElement('docs', {}, RSS_DOCS),
    // RSS names a person by e-mail ("email (Name)"); without one, Dublin Core carries the name.
    author.email ? xmlElement('managingEditor', {}, `${author.email} (${author.name})`) : xmlElement('dc:creator', {}, author.name),
    ...view.copies.map((copy) => xmlElement('atom:link', { rel: DUPLICATE_REL, href: copy.url.rss, type: RSS_TYPE })),
    ...historyLinks(view.history, 'rss').map((link) => xmlElement('atom:link', { rel: link.rel, href: link.href, type: RSS_TYPE })),
    ...(view.history.isArchive ? ['<fh:archive/>'] : view.history.complete ? ['<fh:complete/>'] : []),
    ...channelTailLines(view),
  ];
}

function channelTailLines(view: FeedView): XmlLine[] {
  const logo = view.logo ? uriOf(view.logo) : null;
  const hub = view.hub ? uriOf(view.hub) : null;
  return [
    xmlElement('generator', {}, view.generator),
    ...(view.language ? [xmlElement('language', {}, view.language)] : []),
    ...(logo ? [{ tag: 'image', indent: INDENT, children: [xmlElement('title', {}, view.title), xmlElement('url', {}, logo), xmlElement('link', {}, uriOf(view.homeUrl))] }] : []),
    ...(view.copyright ? [xmlElement('copyright', {}, view.copyright)] : []),
    xmlElement('atom:link', { href: uriOf(view.selfUrls.rss), rel: 'self', type: RSS_TYPE }),
    ...(hub ? [xmlElement('atom:link', { href: hub, rel: 'hub' })] : []),
  ];
}

/**
 * One <item> in `feed`'s layout (same elements, order and indentation) plus our extension
 * elements. Written here for the reasons in feed-skeleton.ts, and because `feed`'s serializer
 * builds a document from thousands of small string pieces: most of the publishing time.
 */
function itemXml(item: ItemView): string {
  return layoutLines([{ tag: 'item', indent: INDENT, children: itemLines(item) }], INDENT.repeat(2)).join('\n');
}

function itemLines(item: ItemView): XmlLine[] {
  const { article } = item;
  const link = item.link ? uriOf(item.link) : null;
  return [
    ...(article.title ? [cdataElement('title', rssTitle(article.title))] : []),
    ...(link ? [xmlElement('link', {}, link)] : []),
    ...itemMetaLines(item),
    xmlElement('pubDate', {}, new Date(article.published).toUTCString()),
    // A description is HTML by the spec, so a plain-text summary is escaped to stay text.
    ...(article.summary ? [cdataElement('description', escapeHtmlText(article.summary))] : []),
    ...(item.contentHtml ? [cdataElement('content:encoded', item.contentHtml)] : []),
  ];
}

function itemMetaLines(item: ItemView): string[] {
  const { article } = item;
  // RSS carries one enclosure: the first a podcast client can fetch (Atom and JSON Feed keep them all).
  const enclosure = item.enclosures.find((e) => isRssEnclosureUrl(e.url));
  const sourceUrl = item.source.url ? uriOf(item.source.url) : null;
  return [
    xmlElement('guid', { isPermaLink: String(item.ids.isPermaLink) }, item.ids.guid),
    ...article.authors.map((author) => xmlElement('dc:creator', {}, author.name)),
    ...article.categories.map((category) => xmlElement('category', {}, category)),
    ...(enclosure ? [xmlElement('enclosure', { url: uriOf(enclosure.url), length: byteLengthOf(enclosure.length) ?? 0, type: mediaTypeOf(enclosure.type) ?? 'application/octet-stream' })] : []),
    ...(sourceUrl ? [xmlElement('source', { url: sourceUrl }, item.source.title)] : []),
    ...itemExtensionLines(item, 'atom:link', 'feedmirror:'),
  ];
}

/**
 * RSS leaves a title's type undefined: feedparser and newsboat read it as text, many web readers as
 * HTML. A title that is plain text either way ("AT&T", "a < b") stays raw; one holding something a
 * reader could take for a tag ("<script>") or a character reference ("&eacute;", "&#36;") is
 * escaped, so every reader shows the text itself and none renders a live element (text-only
 * readers then show the entities, the lesser harm).
 */
export function rssTitle(title: string): string {
  return /<[a-zA-Z!/?]|&(?:#\d+|#x[\da-f]+|[a-z][\da-z]*);/i.test(title) ? escapeHtmlText(title) : title;
}
