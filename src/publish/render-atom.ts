import { Feed } from 'feed';
import { FEEDMIRROR_NS, FH_NS, historyLinks, itemUpdated, type FeedView, type ItemView } from './feed-view.js';
import { elementBlock, finishDocument, indentLines, newPlaceholder, normalizedUrl } from './feed-skeleton.js';
import { withCssFallback } from './css-fallback.js';
import { cdataElement, escapeXml, xmlElement, xmlText } from './xml-text.js';
import { itemExtensionLines, DUPLICATE_REL } from './item-extensions.js';

export function renderAtom(view: FeedView): string[] {
  const placeholder = newPlaceholder();
  const feed = new Feed({
    id: placeholder,
    title: xmlText(view.title),
    description: view.description ? xmlText(view.description) : undefined,
    link: view.homeUrl,
    language: view.language ?? undefined,
    updated: new Date(view.updated),
    generator: view.generator,
    feedLinks: { atom: view.selfUrls.atom },
    // RFC 4287 §4.1.1: an entry without its own author takes the feed's, so every entry has one.
    author: { name: xmlText(view.author.name), ...(view.author.email ? { email: xmlText(view.author.email) } : {}), ...(view.author.url ? { link: view.author.url } : {}) },
    copyright: view.copyright ? xmlText(view.copyright) : (undefined as unknown as string),
    ...(view.icon ? { favicon: view.icon } : {}),
    ...(view.logo ? { image: view.logo } : {}),
    ...(view.stylesheet ? { stylesheet: view.stylesheet } : {}),
    ...(view.hub ? { hub: view.hub } : {}),
  });
  const xml = withCssFallback(feed.atom1(), view.stylesheet).replace('<feed xmlns="http://www.w3.org/2005/Atom">', feedStartTag(view));
  return finishDocument(xml, placeholder, feedLines(view), '</feed>', view.items.map(entryXml));
}

/** One <entry> as `feed` lays out its own (see render-rss.ts for why entries are rendered here). */
function entryXml(item: ItemView): string {
  const { article } = item;
  const pad = '        ';
  // Only our element lines are indented: CDATA text keeps its own line breaks untouched.
  const lines = [
    // Atom titles here are type="html": plain text must be escaped to mean itself.
    `${pad}${cdataElement('title', escapeXml(article.title), { type: 'html' })}`,
    indentLines(entryLines(item), pad),
    // An entry without a link gets none: Atom's <link> requires href.
    ...(item.link ? [`${pad}${xmlElement('link', { href: normalizedUrl(item.link) })}`] : []),
    `${pad}${xmlElement('updated', {}, new Date(itemUpdated(article)).toISOString())}`,
    ...(article.summary ? [`${pad}${cdataElement('summary', escapeXml(article.summary), { type: 'html' })}`] : []),
    ...(item.contentHtml ? [`${pad}${cdataElement('content', item.contentHtml, { type: 'html' })}`] : []),
    `${pad}${xmlElement('published', {}, new Date(article.published).toISOString())}`,
  ];
  return elementBlock('entry', '    ', lines);
}

function feedStartTag(view: FeedView): string {
  const lang = view.language ? ` xml:lang="${escapeXml(view.language)}"` : '';
  return `<feed xmlns="http://www.w3.org/2005/Atom" xmlns:fh="${FH_NS}" xmlns:feedmirror="${FEEDMIRROR_NS}"${lang}>`;
}

function feedLines(view: FeedView): string[] {
  return [
    xmlElement('id', {}, view.feedId),
    ...view.copies.map((copy) => xmlElement('link', { rel: DUPLICATE_REL, href: copy.url.atom, type: 'application/atom+xml' })),
    ...historyLinks(view.history, 'atom').map((link) => xmlElement('link', { rel: link.rel, href: link.href, type: 'application/atom+xml' })),
    ...(view.history.isArchive ? ['<fh:archive/>'] : view.history.complete ? ['<fh:complete/>'] : []),
  ];
}

function entryLines(item: ItemView): string[] {
  const { article } = item;
  return [
    xmlElement('id', {}, article.guid),
    ...article.authors.map((author) =>
      [`<author>`, `  ${xmlElement('name', {}, author.name)}`, ...(author.email ? [`  ${xmlElement('email', {}, author.email)}`] : []), ...(author.url ? [`  ${xmlElement('uri', {}, author.url)}`] : []), `</author>`].join('\n'),
    ),
    ...article.categories.map((category) => xmlElement('category', { term: category })),
    ...item.enclosures.map((e) => xmlElement('link', { rel: 'enclosure', href: e.url, type: e.type, length: e.length })),
    ...(item.source.url ? [sourceElement(item)] : []),
    ...itemExtensionLines(item, 'link', 'feedmirror:'),
  ];
}

function sourceElement(item: ItemView): string {
  return [
    '<source>',
    `  ${xmlElement('id', {}, item.source.url!)}`,
    `  ${xmlElement('title', {}, item.source.title)}`,
    `  ${xmlElement('link', { rel: 'self', href: item.source.url })}`,
    '</source>',
  ].join('\n');
}
