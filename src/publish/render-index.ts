import type { StoredArticle } from '../model/article.js';
import { escapeHtml, escapeHtmlText } from '../lib/text.js';
import { seedPagePath } from '../lib/site-paths.js';
import { EMPTY_FEED_UPDATED, FEED_FILES, type FeedFormat } from './feed-view.js';
import { hasTimeOfDay, humanDate } from './human-date.js';
import type { PublishInput, PublishOutput, SourceHealth } from './publish-types.js';
import type { SiteCopy } from './site-copies.js';
import { xmlText } from './xml-text.js';

export interface OutputSummary {
  output: PublishOutput;
  /** Items in the subscription document. */
  items: number;
  archivePages: number;
  /** Newest item date (never the clock); the epoch for an empty feed. */
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
    ...healthSection(input.health ?? [], input.checkedOn),
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
  const feeds = (folder: string) => output.formats.map((f) => `<a href="${escapeHtml(`${folder}${FEED_FILES[f]}`)}">${FORMAT_LABELS[f]}</a>`).join(' ');
  const links = (folder: string) => `${feeds(folder)} · or read the <a href="${escapeHtml(folder)}">web page</a>`;
  const variants = (output.variants ?? []).map((v) => `<div class="subscribe">Through ${escapeHtmlText(v.kind)} mirrors (${escapeHtmlText(v.id)}): ${links(`${output.id}/${v.id}/`)}</div>`);
  const newest = updated === EMPTY_FEED_UPDATED ? 'no items yet' : `newest item <time datetime="${escapeHtml(updated)}">${escapeHtmlText(humanDate(updated))}</time>`;
  return [
    '<div class="feed">',
    `<h3><a href="${escapeHtml(`${output.id}/`)}">${escapeHtmlText(output.title)}</a></h3>`,
    ...(output.description ? [`<p>${escapeHtmlText(output.description)}</p>`] : []),
    `<div class="meta">${items} item${items === 1 ? '' : 's'} · ${newest}${archivePages > 0 ? ` · ${archivePages} archive page${archivePages === 1 ? '' : 's'}` : ''}</div>`,
    `<div class="subscribe">Subscribe: ${links(`${output.id}/`)}</div>`,
    ...variants,
    '</div>',
  ];
}

/**
 * How each source is doing. Times are days (SourceHealth.checkedOn): a run that finds nothing new
 * leaves the page as it is, and at most rewrites it once a day.
 */
function healthSection(health: SourceHealth[], checkedOn: string | undefined): string[] {
  if (health.length === 0) return [];
  const rows = health.map((s) => {
    const name = s.url && s.kind === 'feed' ? `<a href="${escapeHtml(s.url)}">${escapeHtmlText(s.title)}</a>` : escapeHtmlText(s.title);
    const checked = s.kind === 'seeds' ? 'every run' : s.checkedOn ? dayTime(s.checkedOn) : 'not yet';
    return `<tr><td>${name}</td><td>${s.items}</td><td>${checked}</td><td>${healthStatus(s)}</td></tr>`;
  });
  return [
    '<section>',
    '<h2>Sources</h2>',
    ...(checkedOn ? [`<p class="meta">Last run: ${dayTime(checkedOn)} (UTC).</p>`] : []),
    '<div class="scroll"><table>',
    '<tr><th>Source</th><th>Items</th><th>Checked</th><th>Health</th></tr>',
    ...rows,
    '</table></div>',
    '</section>',
  ];
}

/** What a run does with the source: seeds folders are listed every run and read again only when a file changed. */
function healthStatus(s: SourceHealth): string {
  if (s.failures > 0) return `<span class="bad">failing (${s.failures} in a row): ${escapeHtmlText(s.lastError ?? 'error')}</span>`;
  if (s.kind === 'seeds') return 'OK: files read again when one is added, changed or removed';
  return s.lastStatus === null ? 'not fetched yet' : 'OK';
}

function dayTime(day: string): string {
  return `<time datetime="${escapeHtml(day)}">${escapeHtmlText(humanDate(`${day}T00:00:00Z`, false))}</time>`;
}

function articlesSection(articles: StoredArticle[]): string[] {
  if (articles.length === 0) return [];
  const items = articles.slice(0, MAX_LISTED_ARTICLES).map((a) => {
    const date = `<time datetime="${escapeHtml(a.published)}">${escapeHtmlText(humanDate(a.published, hasTimeOfDay(a.dateSource)))}</time>`;
    return `<li dir="auto"><a href="${escapeHtml(seedPagePath(a.id))}">${escapeHtmlText(a.title)}</a> <span class="meta">${date}</span></li>`;
  });
  return ['<section>', '<h2>Articles</h2>', '<ul>', ...items, '</ul>', '</section>'];
}

function copiesSection({ copy, copies }: IndexContext): string[] {
  const others = copies.filter((c) => c !== copy);
  if (others.length === 0) return [];
  const items = others.map((c) => `<li><a href="${escapeHtml(c.base)}">${escapeHtmlText(c.host)}</a> (${escapeHtmlText(c.kind)}${c.isCanonical ? ', main address' : ''})</li>`);
  return ['<section>', '<h2>This site is also at</h2>', '<ul>', ...items, '</ul>', '</section>'];
}
