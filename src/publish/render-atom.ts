import { Feed } from 'feed';
import { FEEDMIRROR_NS, FH_NS, historyLinks, itemUpdated, type FeedView, type ItemView } from './feed-view.js';
import { elementBlock, finishDocument, indentLines, newPlaceholder } from './feed-skeleton.js';
import { byteLengthOf, emailOf, mediaTypeOf, uriOf } from './published-values.js';
import type { Person } from '../model/article.js';
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
  const link = item.link ? uriOf(item.link) : null;
  const pad = '        ';
  // Only our element lines are indented: CDATA text keeps its own line breaks untouched.
  const lines = [
    // Atom titles here are type="html": plain text must be escaped to mean itself.
    `${pad}${cdataElement('title', escapeXml(article.title), { type: 'html' })}`,
    indentLines(entryLines(item), pad),
    // An entry without a link gets none: Atom's <link> requires href.
    ...(link ? [`${pad}${xmlElement('link', { href: link })}`] : []),
    `${pad}${xmlElement('updated', {}, new Date(itemUpdated(article)).toISOString())}`,
    ...(article.summary ? [`${pad}${cdataElement('summary', escapeXml(article.summary), { type: 'html' })}`] : []),
    ...contentLines(item, link).map((line) => `${pad}${line}`),
    `${pad}${xmlElement('published', {}, new Date(article.published).toISOString())}`,
  ];
  return elementBlock('entry', '    ', lines);
}

/**
 * RFC 4287 §4.1.1: an entry without an alternate link must have content. One with neither gets
 * the text it has, its summary or else its title, as content.
 */
function contentLines(item: ItemView, link: string | null): string[] {
  if (item.contentHtml) return [cdataElement('content', item.contentHtml, { type: 'html' })];
  if (link) return [];
  return [cdataElement('content', escapeXml(item.article.summary ?? item.article.title), { type: 'html' })];
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
    xmlElement('id', {}, item.ids.atomId),
    ...article.authors.map(authorElement),
    ...article.categories.map((category) => xmlElement('category', { term: category })),
    ...item.enclosures.flatMap((e) => {
      const href = uriOf(e.url);
      return href ? [xmlElement('link', { rel: 'enclosure', href, type: mediaTypeOf(e.type), length: byteLengthOf(e.length) })] : [];
    }),
    ...(item.source.url ? sourceElement(item.source.url, item.source.title) : []),
    ...itemExtensionLines(item, 'link', 'feedmirror:'),
  ];
}

/** An address or link the feed gave that Atom cannot carry is left out; the name stays. */
function authorElement(author: Person): string {
  const email = emailOf(author.email);
  const uri = author.url ? uriOf(author.url) : null;
  const lines = [xmlElement('name', {}, author.name), ...(email ? [xmlElement('email', {}, email)] : []), ...(uri ? [xmlElement('uri', {}, uri)] : [])];
  return ['<author>', ...lines.map((line) => `  ${line}`), '</author>'].join('\n');
}

function sourceElement(url: string, title: string): string[] {
  const uri = uriOf(url);
  if (!uri) return [];
  return [['<source>', `  ${xmlElement('id', {}, uri)}`, `  ${xmlElement('title', {}, title)}`, `  ${xmlElement('link', { rel: 'self', href: uri })}`, '</source>'].join('\n')];
}
