import { FEEDMIRROR_NS, FH_NS, historyLinks, itemUpdated, type FeedView, type ItemView } from './feed-view.js';
import { ATOM_NS, documentParts, INDENT, layoutLines, xmlProlog, type XmlLine } from './feed-skeleton.js';
import { byteLengthOf, emailOf, mediaTypeOf, uriOf } from './published-values.js';
import type { Person } from '../model/article.js';
import { cdataElement, escapeXml, startTag, xmlElement } from './xml-text.js';
import { itemExtensionLines, DUPLICATE_REL } from './item-extensions.js';

const ATOM_TYPE = 'application/atom+xml';

/** Atom 1.0, head and entries written here (feed-skeleton.ts says why not by `feed`). */
export function renderAtom(view: FeedView): string[] {
  const root = startTag('feed', { xmlns: ATOM_NS, 'xmlns:fh': FH_NS, 'xmlns:feedmirror': FEEDMIRROR_NS, 'xml:lang': view.language || null });
  return documentParts([xmlProlog(view.stylesheet), root, ...layoutLines(feedLines(view), INDENT)], view.items.map(entryXml), ['</feed>']);
}

/** The feed's elements in `feed`'s order, ours after the id. */
function feedLines(view: FeedView): XmlLine[] {
  return [
    xmlElement('id', {}, view.feedId),
    ...view.copies.map((copy) => xmlElement('link', { rel: DUPLICATE_REL, href: copy.url.atom, type: ATOM_TYPE })),
    ...historyLinks(view.history, 'atom').map((link) => xmlElement('link', { rel: link.rel, href: link.href, type: ATOM_TYPE })),
    ...(view.history.isArchive ? ['<fh:archive/>'] : view.history.complete ? ['<fh:complete/>'] : []),
    xmlElement('title', {}, view.title),
    xmlElement('updated', {}, new Date(view.updated).toISOString()),
    xmlElement('generator', {}, view.generator),
    // RFC 4287 §4.1.1: an entry without its own author takes the feed's, so every entry has one.
    authorElement(view.author, INDENT),
    ...feedTailLines(view),
  ];
}

function feedTailLines(view: FeedView): string[] {
  const hub = view.hub ? uriOf(view.hub) : null;
  const logo = view.logo ? uriOf(view.logo) : null;
  const icon = view.icon ? uriOf(view.icon) : null;
  return [
    xmlElement('link', { rel: 'alternate', href: uriOf(view.homeUrl) }),
    xmlElement('link', { rel: 'self', href: uriOf(view.selfUrls.atom) }),
    ...(hub ? [xmlElement('link', { rel: 'hub', href: hub })] : []),
    ...(view.description ? [xmlElement('subtitle', {}, view.description)] : []),
    ...(logo ? [xmlElement('logo', {}, logo)] : []),
    ...(icon ? [xmlElement('icon', {}, icon)] : []),
    ...(view.copyright ? [xmlElement('rights', {}, view.copyright)] : []),
  ];
}

/** One <entry> in `feed`'s layout (see render-rss.ts for why entries are rendered here). */
function entryXml(item: ItemView): string {
  return layoutLines([{ tag: 'entry', indent: INDENT, children: entryLines(item) }], INDENT).join('\n');
}

function entryLines(item: ItemView): XmlLine[] {
  const { article } = item;
  const link = item.link ? uriOf(item.link) : null;
  return [
    // Atom titles here are type="html": plain text must be escaped to mean itself.
    cdataElement('title', escapeXml(article.title), { type: 'html' }),
    ...entryMetaLines(item),
    // An entry without a link gets none: Atom's <link> requires href.
    ...(link ? [xmlElement('link', { href: link })] : []),
    xmlElement('updated', {}, new Date(itemUpdated(article)).toISOString()),
    ...(article.summary ? [cdataElement('summary', escapeXml(article.summary), { type: 'html' })] : []),
    ...contentLines(item, link),
    xmlElement('published', {}, new Date(article.published).toISOString()),
  ];
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

function entryMetaLines(item: ItemView): XmlLine[] {
  const { article } = item;
  return [
    xmlElement('id', {}, item.ids.atomId),
    ...article.authors.map((author) => authorElement(author, '  ')),
    ...article.categories.map((category) => xmlElement('category', { term: category })),
    ...item.enclosures.flatMap((e) => {
      const href = uriOf(e.url);
      return href ? [xmlElement('link', { rel: 'enclosure', href, type: mediaTypeOf(e.type), length: byteLengthOf(e.length) })] : [];
    }),
    ...(item.source.url ? sourceElement(item.source.url, item.source.title) : []),
    ...itemExtensionLines(item, 'link', 'feedmirror:'),
  ];
}

/** An address or link that Atom cannot carry is left out; the name stays. */
function authorElement(person: Person, indent: string): XmlLine {
  const email = emailOf(person.email);
  const uri = person.url ? uriOf(person.url) : null;
  return { tag: 'author', indent, children: [xmlElement('name', {}, person.name), ...(email ? [xmlElement('email', {}, email)] : []), ...(uri ? [xmlElement('uri', {}, uri)] : [])] };
}

function sourceElement(url: string, title: string): XmlLine[] {
  const uri = uriOf(url);
  if (!uri) return [];
  return [{ tag: 'source', indent: '  ', children: [xmlElement('id', {}, uri), xmlElement('title', {}, title), xmlElement('link', { rel: 'self', href: uri })] }];
}
