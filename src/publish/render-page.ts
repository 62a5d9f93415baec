import type { StoredArticle } from '../model/article.js';
import { escapeHtml } from '../lib/text.js';
import { hasTimeOfDay, humanDate } from './human-date.js';
import { hostLink, hostOf, linkTo } from './page-links.js';
import { xmlText } from './xml-text.js';

export interface PageContext {
  siteTitle: string;
  /** Link back to the site's index, relative to the page. */
  homeHref: string;
  /** Mirror URLs of this page to list, for readers whose network blocks this host. */
  mirrors: { url: string; kind: string }[];
}

const PAGE_CSS = `
body{margin:0 auto;max-width:42rem;padding:1rem;font:1.05rem/1.6 Georgia,"Times New Roman",serif;color:#1b1b1b;background:#fdfdfb}
header,footer,nav{font-family:system-ui,sans-serif;font-size:.9rem;color:#555}
h1{font-size:1.8rem;line-height:1.25;margin:.5rem 0 .25rem}
figure{margin:1.5rem 0;padding:.75rem 1rem;border-left:3px solid #ccc;background:#f3f3ef}
figcaption{font-family:system-ui,sans-serif;font-size:.9rem;color:#333}
img{max-width:100%;height:auto}
a{color:#0b5cad}
@media (prefers-color-scheme:dark){body{background:#161616;color:#e8e8e8}figure{background:#222;border-color:#555}figcaption{color:#ccc}a{color:#7fb6ff}}
`.trim();

/** A clean, readable, self-contained page for one article (seed articles link here). */
export function renderArticlePage(article: StoredArticle, context: PageContext): string {
  const date = humanDate(article.published, hasTimeOfDay(article.dateSource));
  const lang = article.language ? ` lang="${escapeHtml(article.language)}"` : ' lang="en"';
  const publisher = article.publisher;
  const lines = [
    '<!DOCTYPE html>',
    `<html${lang}>`,
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(article.title)}</title>`,
    ...(article.url ? [`<link rel="canonical" href="${escapeHtml(article.url)}">`] : []),
    ...context.mirrors.map((m) => `<link rel="alternate" href="${escapeHtml(m.url)}">`),
    `<style>${PAGE_CSS}</style>`,
    '</head>',
    '<body>',
    `<header><a href="${escapeHtml(context.homeHref)}">${escapeHtml(context.siteTitle)}</a></header>`,
    // dir="auto": an article in a right-to-left script is laid out right to left.
    '<article dir="auto">',
    `<h1>${escapeHtml(article.title)}</h1>`,
    `<p class="meta"><time datetime="${escapeHtml(article.published)}">${escapeHtml(date)}</time>${publisher ? ` · ${escapeHtml(publisher.name)}` : ''}</p>`,
    article.contentHtml,
    '</article>',
    ...footerLines(article, context),
    '</body>',
    '</html>',
    '',
  ];
  return xmlText(lines.join('\n'));
}

function footerLines(article: StoredArticle, context: PageContext): string[] {
  const items: string[] = [];
  if (context.mirrors.length > 0) {
    const links = context.mirrors.map((m) => `<li>${linkTo(m.url, hostOf(m.url))} (${escapeHtml(m.kind)})</li>`);
    items.push('<p>This page is also available at:</p>', '<ul>', ...links, '</ul>');
  }
  const hosts = article.publisher?.hosts ?? [];
  if (article.publisher && hosts.length > 0) {
    items.push(`<p>${escapeHtml(article.publisher.name)} can also be reached at: ${hosts.map(hostLink).join(', ')}</p>`);
  }
  return items.length > 0 ? ['<footer>', ...items, '</footer>'] : [];
}
