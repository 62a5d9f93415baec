import { Feed } from 'feed';
import { FEEDMIRROR_NS, FH_NS, historyLinks, type FeedView, type ItemView } from './feed-view.js';
import { elementBlock, finishDocument, indentLines, newPlaceholder } from './feed-skeleton.js';
import { byteLengthOf, isRssEnclosureUrl, mediaTypeOf, uriOf } from './published-values.js';
import { withCssFallback } from './css-fallback.js';
import { cdataElement, xmlElement, xmlText } from './xml-text.js';
import { escapeHtmlText } from '../lib/text.js';
import { itemExtensionLines, DUPLICATE_REL } from './item-extensions.js';

const RSS_NAMESPACES =
  'version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:content="http://purl.org/rss/1.0/modules/content/" ' +
  `xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:fh="${FH_NS}" xmlns:feedmirror="${FEEDMIRROR_NS}"`;
const RSS_DOCS = 'https://www.rssboard.org/rss-specification';

export function renderRss(view: FeedView): string[] {
  const placeholder = newPlaceholder();
  const feed = new Feed({
    title: xmlText(view.title),
    description: xmlText(view.description ?? view.title),
    id: view.homeUrl,
    link: view.homeUrl,
    language: view.language ?? undefined,
    updated: new Date(view.updated),
    generator: view.generator,
    docs: placeholder,
    feedLinks: { rss: view.selfUrls.rss },
    copyright: view.copyright ? xmlText(view.copyright) : (undefined as unknown as string),
    ...(view.logo ? { image: view.logo } : {}),
    ...(view.stylesheet ? { stylesheet: view.stylesheet } : {}),
    ...(view.hub ? { hub: view.hub } : {}),
  });
  const xml = withCssFallback(feed.rss2(), view.stylesheet).replace(/<rss\b[^>]*>/, `<rss ${RSS_NAMESPACES}>`);
  return finishDocument(xml, placeholder, channelLines(view), '</channel>', view.items.map(itemXml));
}

/**
 * One <item>, laid out as `feed` lays out its own (same elements, order and indentation), plus
 * what `feed` cannot write. Items are rendered here rather than by `feed`: its serializer built
 * each document from thousands of small string pieces and was most of the publishing time.
 */
function itemXml(item: ItemView): string {
  const { article } = item;
  const link = item.link ? uriOf(item.link) : null;
  const pad = '            ';
  // Only our element lines are indented: CDATA text keeps its own line breaks untouched.
  const lines = [
    ...(article.title ? [`${pad}${cdataElement('title', rssTitle(article.title))}`] : []),
    ...(link ? [`${pad}${xmlElement('link', {}, link)}`] : []),
    indentLines(itemLines(item), pad),
    `${pad}${xmlElement('pubDate', {}, new Date(article.published).toUTCString())}`,
    // A description is HTML by the spec, so a plain-text summary is escaped to stay text.
    ...(article.summary ? [`${pad}${cdataElement('description', escapeHtmlText(article.summary))}`] : []),
    ...(item.contentHtml ? [`${pad}${cdataElement('content:encoded', item.contentHtml)}`] : []),
  ];
  return elementBlock('item', '        ', lines);
}

function channelLines(view: FeedView): string[] {
  const { author } = view;
  return [
    xmlElement('docs', {}, RSS_DOCS),
    // RSS names a person by e-mail ("email (Name)"); without one, Dublin Core carries the name.
    author.email ? xmlElement('managingEditor', {}, `${author.email} (${author.name})`) : xmlElement('dc:creator', {}, author.name),
    ...view.copies.map((copy) => xmlElement('atom:link', { rel: DUPLICATE_REL, href: copy.url.rss, type: 'application/rss+xml' })),
    ...historyLinks(view.history, 'rss').map((link) => xmlElement('atom:link', { rel: link.rel, href: link.href, type: 'application/rss+xml' })),
    ...(view.history.isArchive ? ['<fh:archive/>'] : view.history.complete ? ['<fh:complete/>'] : []),
  ];
}

function itemLines(item: ItemView): string[] {
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
