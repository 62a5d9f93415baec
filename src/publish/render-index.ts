import type { StoredArticle } from '../model/article.js';
import { escapeHtml, escapeHtmlText } from '../lib/text.js';
import { seedPagePath } from '../lib/site-paths.js';
import { FEED_FILES, type FeedFormat } from './feed-view.js';
import type { PublishInput, PublishOutput, SourceHealth } from './publish-types.js';
import type { SiteCopy } from './site-copies.js';
import { xmlText } from './xml-text.js';

export interface OutputSummary {
  output: PublishOutput;
  /** Items in the subscription document. */
  items: number;
  archivePages: number;
  /** Newest item date (never the clock). */
  updated: string;
}

interface IndexContext {
  input: PublishInput;
  copy: SiteCopy;
  copies: SiteCopy[];
  outputs: OutputSummary[];
  seedArticles: StoredArticle[];
}

const FORMAT_LABELS: Record<FeedFormat, string> = { rss: 'RSS', atom: 'Atom', json: 'JSON Feed' };
const MAX_LISTED_ARTICLES = 200;

const CSS = `
body{margin:0 auto;max-width:52rem;padding:1rem;font:1rem/1.5 system-ui,sans-serif;color:#1b1b1b;background:#fdfdfb}
h1{font-size:1.6rem;margin:.5rem 0}
section{margin:1.5rem 0}
.feed{padding:.75rem 0;border-bottom:1px solid #ddd}
.feed h3{margin:0 0 .25rem}
.meta{color:#555;font-size:.9rem}
.subscribe a{display:inline-block;margin:.25rem .5rem .25rem 0;padding:.2rem .6rem;border:1px solid #0b5cad;border-radius:1rem;text-decoration:none}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{text-align:left;padding:.3rem;border-bottom:1px solid #eee;vertical-align:top}
.bad{color:#a40000}
a{color:#0b5cad}
.scroll{overflow-x:auto}
@media (prefers-color-scheme:dark){body{background:#161616;color:#e8e8e8}.meta{color:#aaa}a{color:#7fb6ff}.subscribe a{border-color:#7fb6ff}th,td{border-color:#333}.feed{border-color:#333}}
`.trim();

/**
 * index.html: every output with its subscribe links, freshness and size, how each source is
 * doing, the seed article pages and the site's other addresses. Links are relative, so the same
 * page works on every copy; it is well-formed XML too (polyglot HTML) so any XML tool can read it.
 */
export function renderIndexPage(context: IndexContext): string {
  const { input } = context;
  const lines = [
    '<!DOCTYPE html>',
    `<html lang="${escapeHtml(input.site.language ?? 'en')}">`,
    '<head>',
    '<meta charset="utf-8" />',
    '<meta name="viewport" content="width=device-width, initial-scale=1" />',
    `<title>${escapeHtmlText(input.site.title)}</title>`,
    ...context.outputs.flatMap(({ output }) =>
      output.formats.map((f) => `<link rel="alternate" type="${MIME[f]}" title="${escapeHtml(`${output.title} (${FORMAT_LABELS[f]})`)}" href="${escapeHtml(`${output.id}/${FEED_FILES[f]}`)}" />`),
    ),
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    `<h1>${escapeHtmlText(input.site.title)}</h1>`,
    ...(input.site.description ? [`<p>${escapeHtmlText(input.site.description)}</p>`] : []),
    '<section>',
    '<h2>Feeds</h2>',
    ...context.outputs.flatMap(outputBlock),
    '</section>',
    ...healthSection(input.health ?? []),
    ...articlesSection(context.seedArticles),
    ...copiesSection(context),
    `<p class="meta">Sources as <a href="sources.opml">OPML</a> · mirror map: <a href="mirrors.json">mirrors.json</a> · ${escapeHtmlText(input.generator)}</p>`,
    '</body>',
    '</html>',
    '',
  ];
  return xmlText(lines.join('\n'));
}

const MIME: Record<FeedFormat, string> = { rss: 'application/rss+xml', atom: 'application/atom+xml', json: 'application/feed+json' };

function outputBlock({ output, items, archivePages, updated }: OutputSummary): string[] {
  const links = (folder: string) => output.formats.map((f) => `<a href="${escapeHtml(`${folder}${FEED_FILES[f]}`)}">${FORMAT_LABELS[f]}</a>`).join(' ');
  const variants = (output.variants ?? []).map((v) => `<div class="subscribe">Through ${escapeHtmlText(v.kind)} mirrors (${escapeHtmlText(v.id)}): ${links(`${output.id}/${v.id}/`)}</div>`);
  const when = updated.startsWith('1970') ? 'no items yet' : `updated <time datetime="${escapeHtml(updated)}">${escapeHtmlText(updated.slice(0, 16).replace('T', ' '))} UTC</time>`;
  return [
    '<div class="feed">',
    `<h3>${escapeHtmlText(output.title)}</h3>`,
    ...(output.description ? [`<p>${escapeHtmlText(output.description)}</p>`] : []),
    `<div class="meta">${items} item${items === 1 ? '' : 's'} · ${when}${archivePages > 0 ? ` · ${archivePages} archive page${archivePages === 1 ? '' : 's'}` : ''}</div>`,
    `<div class="subscribe">Subscribe: ${links(`${output.id}/`)}</div>`,
    ...variants,
    '</div>',
  ];
}

/** Only what changes when a source's health changes (no "last fetched" clock), so a quiet run rewrites nothing. */
function healthSection(health: SourceHealth[]): string[] {
  if (health.length === 0) return [];
  const rows = health.map((s) => {
    const status = s.failures > 0 ? `<span class="bad">failing (${s.failures} in a row): ${escapeHtmlText(s.lastError ?? 'error')}</span>` : s.kind === 'seeds' ? 'read every run' : s.lastStatus === null ? 'not fetched yet' : 'OK';
    const name = s.url && s.kind === 'feed' ? `<a href="${escapeHtml(s.url)}">${escapeHtmlText(s.title)}</a>` : escapeHtmlText(s.title);
    return `<tr><td>${name}</td><td>${s.items}</td><td>${status}</td></tr>`;
  });
  return ['<section>', '<h2>Sources</h2>', '<div class="scroll"><table>', '<tr><th>Source</th><th>Items</th><th>Health</th></tr>', ...rows, '</table></div>', '</section>'];
}

function articlesSection(articles: StoredArticle[]): string[] {
  if (articles.length === 0) return [];
  const items = articles.slice(0, MAX_LISTED_ARTICLES).map((a) => `<li><a href="${escapeHtml(seedPagePath(a.id))}">${escapeHtmlText(a.title)}</a> <span class="meta">${a.published.slice(0, 10)}</span></li>`);
  return ['<section>', '<h2>Articles</h2>', '<ul>', ...items, '</ul>', '</section>'];
}

function copiesSection({ copy, copies }: IndexContext): string[] {
  const others = copies.filter((c) => c !== copy);
  if (others.length === 0) return [];
  const items = others.map((c) => `<li><a href="${escapeHtml(c.base)}">${escapeHtmlText(c.host)}</a> (${escapeHtmlText(c.kind)}${c.isCanonical ? ', main address' : ''})</li>`);
  return ['<section>', '<h2>This site is also at</h2>', '<ul>', ...items, '</ul>', '</section>'];
}
