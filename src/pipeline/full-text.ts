import type { FeedSourceConfig } from '../config/config.js';
import type { FullTextSettings } from '../config/schema.js';
import type { Logger } from '../log/logger.js';
import type { Article } from '../model/article.js';
import { sha256Hex, truncateText } from '../lib/text.js';
import { htmlToText } from '../lib/html-text.js';
import { hashArticleContent } from '../normalize/content-hash.js';
import type { ExtractedPage, ExtractedPageStore } from '../store/extracted-pages.js';
import type { FetchError } from '../sources/http/fetch-errors.js';
import type { HarvestRecord } from './run-records.js';
import { fetchPage, type PageFetchDeps } from './fetch-page.js';
import { emptyFullTextCounts, type FullTextCounts } from './full-text-counts.js';

const SUMMARY_CHARS = 500;

export interface FullTextDeps extends PageFetchDeps {
  store: ExtractedPageStore;
}

/** A harvest's new or changed articles and its record, as full text leaves them. */
export interface FullTextResult {
  articles: Article[];
  record: HarvestRecord | null;
  counts: FullTextCounts;
}

/** Fetch failures that may pass: the item is tried again on the next run rather than remembered as failed. */
const TRANSIENT = new Set(['FM_CONNECT', 'FM_DNS', 'FM_TLS', 'FM_TIMEOUT', 'FM_NETWORK', 'FM_ABORTED']);

interface SourceRun {
  source: FeedSourceConfig;
  settings: FullTextSettings;
  deps: FullTextDeps;
  log: Logger;
  counts: FullTextCounts;
  /** Requests left under maxPerRun. */
  budget: number;
  saved: ExtractedPage[];
}

/**
 * For each new or changed item whose own content is shorter than `minChars`, the article from its
 * page: remembered for the item's version (no request), else fetched (conditionally, when an older
 * version's page is remembered), at most `maxPerRun` requests per source and run. An item whose
 * page was not reached, or could not be fetched for now, is left out of the harvest record, so the
 * next run normalizes it again and tries once more.
 */
export async function addFullText(source: FeedSourceConfig, settings: FullTextSettings, articles: Article[], record: HarvestRecord | null, deps: FullTextDeps): Promise<FullTextResult> {
  const run: SourceRun = { source, settings, deps, log: deps.logger.child({ source: source.id }), counts: emptyFullTextCounts(), budget: settings.maxPerRun, saved: [] };
  const candidates = articles.filter((a) => a.url !== null && feedTextChars(a, settings.minChars) < settings.minChars);
  if (candidates.length === 0) return { articles, record, counts: run.counts };
  const remembered = await deps.store.getExtractedPages([...new Set(candidates.map((a) => a.url!))]);
  const deferred = new Set<string>();
  const replaced = new Map<string, Article>();
  await Promise.all(
    candidates.map(async (article) => {
      const page = await pageFor(run, article, remembered.get(article.url!) ?? null);
      if (page === null) {
        run.counts.deferred++;
        deferred.add(article.id);
        return;
      }
      const chosen = applyPage(article, page, run.log);
      if (chosen === article) run.counts.kept++;
      else {
        run.counts.extracted++;
        replaced.set(article.id, chosen);
      }
    }),
  );
  await deps.store.saveExtractedPages(run.saved);
  return { articles: articles.map((a) => replaced.get(a.id) ?? a), record: withoutItems(record, deferred), counts: run.counts };
}

/** The item's page as remembered for its version, or as fetched now; null when it is left for the next run. */
async function pageFor(run: SourceRun, article: Article, remembered: ExtractedPage | null): Promise<ExtractedPage | null> {
  const url = article.url!;
  const version = pageVersion(article, run.settings, run.deps.limits.maxContentBytes);
  if (remembered?.version === version) {
    run.counts.reused++;
    return remembered;
  }
  if (run.budget <= 0) return null;
  run.budget--;
  run.counts.fetched++;
  const outcome = await fetchPage({ source: run.source, url, version, remembered, selector: run.settings.selector }, run.deps);
  if (outcome.kind === 'not-modified') run.counts.notModified++;
  if (outcome.kind === 'failed') run.counts.failed++;
  if (outcome.kind === 'failed' && isTransient(outcome.error)) {
    run.log.warn({ url, code: outcome.error.code }, `full text ${url}: ${outcome.error.message}; the item keeps its feed content for now and is tried again on the next run`);
    return null;
  }
  const page = outcome.kind === 'failed' ? failedPage(url, version, outcome.error, run.deps.now) : outcome.page;
  run.saved.push(page);
  return page;
}

/** The item's version for full text: its feed content and what extraction depends on. */
function pageVersion(article: Article, settings: FullTextSettings, maxContentBytes: number): string {
  return sha256Hex(JSON.stringify([article.contentHash, settings.selector, maxContentBytes])).slice(0, 32);
}

function feedTextChars(article: Article, atLeast: number): number {
  return htmlToText(article.contentHtml, atLeast).length;
}

function isTransient(error: FetchError): boolean {
  const status = error.details.status ?? 0;
  return TRANSIENT.has(error.code) || status === 429 || status >= 500;
}

function failedPage(url: string, version: string, error: FetchError, now: Date): ExtractedPage {
  return { url, version, etag: null, lastModified: null, fetchedAt: now.toISOString(), contentHtml: null, problem: { code: error.code, message: error.message } };
}

/** The article with its page's content when that has more text than the feed gave; else as it was. */
function applyPage(article: Article, page: ExtractedPage, log: Logger): Article {
  const url = article.url!;
  if (page.contentHtml === null) {
    log.warn({ url, code: page.problem?.code }, `full text ${url}: ${page.problem?.message}; the item keeps its feed content`);
    return article;
  }
  const pageChars = htmlToText(page.contentHtml).length;
  if (pageChars <= feedTextChars(article, pageChars)) {
    log.info({ url, code: 'FM_NO_ARTICLE' }, `full text ${url}: the article in the page is no longer than the feed's own content; the item keeps it`);
    return article;
  }
  return withContent(article, page.contentHtml);
}

function withContent(article: Article, contentHtml: string): Article {
  const summary = article.summary ?? (truncateText(htmlToText(contentHtml, SUMMARY_CHARS), SUMMARY_CHARS) || null);
  const next = { ...article, contentHtml, summary };
  return { ...next, contentHash: hashArticleContent(next) };
}

/** The record without the deferred items, and with a body key no body has: the next run reads the feed again. */
function withoutItems(record: HarvestRecord | null, ids: Set<string>): HarvestRecord | null {
  if (!record || ids.size === 0) return record;
  return { ...record, body: `${record.body}:incomplete`, items: record.items.filter(([, id]) => !ids.has(id)) };
}
