import { escapeHtml, escapeHtmlText, truncateText } from '../lib/text.js';
import { type FeedFormat, type FeedView, type ItemView } from './feed-view.js';
import { hasTimeOfDay, humanDate } from './human-date.js';
import { hostLink, hostOf, linkTo, rootFrom } from './page-links.js';
import { xmlText } from './xml-text.js';

/** Another page of the same output: a variant, the current feed, an archive page. */
export interface PageLink {
  label: string;
  /** Folder of that page in the same site copy ("all/onion/"). */
  folder: string;
}

export interface OutputPageContext {
  siteTitle: string;
  /** This page's folder in its site copy ("all/", "all/onion/", "all/archive/3/"). */
  folder: string;
  formats: FeedFormat[];
  /** The other versions of this feed (the main one and its variants), for the page of each. */
  versions: PageLink[];
  /** On an archive page: the feed's own page, with the newest items. */
  current: PageLink | null;
  /** Older items: the archive pages, newest first. */
  archives: PageLink[];
}

const FORMAT_LABELS: Record<FeedFormat, string> = { rss: 'RSS', atom: 'Atom', json: 'JSON Feed' };
const MIME: Record<FeedFormat, string> = { rss: 'application/rss+xml', atom: 'application/atom+xml', json: 'application/feed+json' };
/** Characters of an item's summary shown; longer ones are cut at a word, with an ellipsis. */
export const PAGE_SUMMARY_CHARS = 300;

const CSS = `
body{margin:0 auto;max-width:46rem;padding:1rem;font:1rem/1.55 system-ui,sans-serif;color:#1b1b1b;background:#fdfdfb}
h1{font-size:1.6rem;margin:.5rem 0}
.site,.meta,.more,footer{color:#555;font-size:.9rem}
.subscribe{padding:.5rem 1rem;background:#eef4fb;border-radius:.4rem}
.subscribe ul{padding-left:1.2rem;margin:.25rem 0}
code{word-break:break-all}
ol.items{padding-left:1.5rem}
ol.items>li{margin:0 0 1.3rem}
.title{font-size:1.1rem;font-weight:600;margin:0}
.summary{margin:.25rem 0}
.more{margin:.15rem 0}
a{color:#0b5cad}
@media (prefers-color-scheme:dark){body{background:#161616;color:#e8e8e8}.subscribe{background:#1f2a36}.site,.meta,.more,footer{color:#aaa}a{color:#7fb6ff}}
`.trim();

/**
 * <output>/index.html: one feed as a page a browser shows without XSLT and without JavaScript,
 * rendered from the same FeedView as the feed files of its folder, so its links are those of its
 * site copy and variant. Links inside the site are relative; the feed addresses to copy into a
 * reader are absolute. Polyglot HTML: it is well-formed XML too.
 */
export function renderOutputPage(view: FeedView, context: OutputPageContext): string {
  const title = view.history.isArchive ? `${view.title}: older items` : view.title;
  const lines = [
    '<!DOCTYPE html>',
    `<html lang="${escapeHtml(view.language ?? 'en')}">`,
    '<head>',
    '<meta charset="utf-8" />',
    '<meta name="viewport" content="width=device-width, initial-scale=1" />',
    `<title>${escapeHtmlText(title)}</title>`,
    ...context.formats.map((f) => `<link rel="alternate" type="${MIME[f]}" title="${escapeHtml(`${view.title} (${FORMAT_LABELS[f]})`)}" href="${escapeHtml(subscribeUrls(view)[f])}" />`),
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    `<p class="site"><a href="${escapeHtml(rootFrom(context.folder) || './')}">${escapeHtmlText(context.siteTitle)}</a></p>`,
    `<h1>${escapeHtmlText(title)}</h1>`,
    ...(view.description ? [`<p>${escapeHtmlText(view.description)}</p>`] : []),
    ...subscribeBox(view, context),
    ...itemList(view.items),
    ...navigation(context),
    `<footer><p>${escapeHtmlText(view.generator)}</p></footer>`,
    '</body>',
    '</html>',
    '',
  ];
  return xmlText(lines.join('\n'));
}

/** An archive page is not subscribed to: its box names the current feed. */
function subscribeUrls(view: FeedView): Record<FeedFormat, string> {
  return view.history.current ?? view.selfUrls;
}

function subscribeBox(view: FeedView, context: OutputPageContext): string[] {
  const urls = subscribeUrls(view);
  const intro = view.history.isArchive
    ? 'These items have left the feed. To follow it, copy an address into your feed reader:'
    : 'Copy an address into your feed reader to follow this feed:';
  return [
    '<section class="subscribe">',
    `<p>${intro}</p>`,
    '<ul>',
    ...context.formats.map((f) => `<li>${FORMAT_LABELS[f]}: <a href="${escapeHtml(urls[f])}"><code>${escapeHtmlText(urls[f])}</code></a></li>`),
    '</ul>',
    '</section>',
  ];
}

function itemList(items: ItemView[]): string[] {
  if (items.length === 0) return ['<p>No items yet.</p>'];
  return ['<ol class="items">', ...items.flatMap(itemBlock), '</ol>'];
}

/** dir="auto": an item in Arabic or Hebrew is laid out right to left whatever the page's language. */
function itemBlock(item: ItemView): string[] {
  const { article } = item;
  const lang = article.language ? ` lang="${escapeHtml(article.language)}"` : '';
  const date = `<time datetime="${escapeHtml(article.published)}">${escapeHtmlText(humanDate(article.published, hasTimeOfDay(article.dateSource)))}</time>`;
  return [
    `<li dir="auto"${lang}>`,
    `<p class="title">${linkTo(item.link, article.title || '(untitled)')}</p>`,
    `<p class="meta">${date} · ${escapeHtmlText(item.source.title)}</p>`,
    ...(article.summary ? [`<p class="summary">${escapeHtmlText(truncateText(article.summary, PAGE_SUMMARY_CHARS))}</p>`] : []),
    ...(item.mirrors.length > 0 ? [`<p class="more">Also at: ${item.mirrors.map((m) => `${linkTo(m.url, hostOf(m.url))} (${escapeHtmlText(m.kind)})`).join(', ')}</p>`] : []),
    ...(article.publisher && article.publisher.hosts.length > 0
      ? [`<p class="more">${escapeHtmlText(article.publisher.name)}: ${article.publisher.hosts.map(hostLink).join(', ')}</p>`]
      : []),
    '</li>',
  ];
}

function navigation(context: OutputPageContext): string[] {
  const root = rootFrom(context.folder);
  const links = (pages: PageLink[]) => pages.map((p) => `<a href="${escapeHtml(`${root}${p.folder}`)}">${escapeHtmlText(p.label)}</a>`).join(' · ');
  return [
    ...(context.versions.length > 0 ? [`<p class="more">The same feed with other links: ${links(context.versions)}</p>`] : []),
    ...(context.current ? [`<p class="more">Newest items: ${links([context.current])}</p>`] : []),
    ...(context.archives.length > 0 ? [`<p class="more">Older items: ${links(context.archives)}</p>`] : []),
  ];
}

/** The page of a feed folder: what the site index and feed.xsl link to. */
export function outputPageFile(folder: string): string {
  return `${folder}index.html`;
}
