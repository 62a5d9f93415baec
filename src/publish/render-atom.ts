import { Feed } from 'feed';
import { FEEDMIRROR_NS, FH_NS, historyLinks, itemUpdated, type FeedView, type ItemView } from './feed-view.js';
import { Slots, indentLines } from './slots.js';
import { withCssFallback } from './css-fallback.js';
import { escapeXml, htmlCdata, xmlElement, xmlText } from './xml-text.js';
import { itemExtensionLines, DUPLICATE_REL } from './item-extensions.js';

export function renderAtom(view: FeedView): string {
  const slots = new Slots();
  const feed = new Feed({
    id: slots.id('feed'),
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
  view.items.forEach((item, i) => feed.addItem(toFeedItem(item, i, slots)));
  let xml = withCssFallback(feed.atom1(), view.stylesheet).replace('<feed xmlns="http://www.w3.org/2005/Atom">', feedStartTag(view));
  // feed writes <link/> for an entry without a link; Atom requires href, so it goes.
  xml = xml.replace(/^[ \t]*<link\/>\n/gm, '');
  xml = slots.fill(xml, 'id', (i, indent) =>
    indentLines(i === 'feed' ? feedLines(view) : entryLines(view.items[i]!), indent),
  );
  return `${slots.fillTexts(xml)}\n`;
}

function feedStartTag(view: FeedView): string {
  const lang = view.language ? ` xml:lang="${escapeXml(view.language)}"` : '';
  return `<feed xmlns="http://www.w3.org/2005/Atom" xmlns:fh="${FH_NS}" xmlns:feedmirror="${FEEDMIRROR_NS}"${lang}>`;
}

function toFeedItem(item: ItemView, index: number, slots: Slots) {
  const { article } = item;
  return {
    // Atom titles here are type="html": plain text must be escaped to mean itself.
    title: slots.text(htmlCdata(escapeXml(article.title))),
    id: slots.id(index),
    link: item.link ?? undefined!,
    date: new Date(itemUpdated(article)),
    published: new Date(article.published),
    description: article.summary ? slots.text(htmlCdata(escapeXml(article.summary))) : undefined,
    content: slots.text(htmlCdata(item.contentHtml)),
  };
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
