import type { Dispatcher } from 'undici';
import type { Config, FeedSourceConfig } from '../config/config.js';
import type { Logger } from '../log/logger.js';
import type { Article } from '../model/article.js';
import type { ParsedFeed } from '../model/parsed-feed.js';
import { emptySourceState, type SourceState } from '../model/source-state.js';
import { fetchFeed, type FetchResult } from '../sources/http/fetch-feed.js';
import type { MirrorDirectory } from '../lib/mirror-directory.js';
import { fetchWithMirrors } from './fetch-with-mirrors.js';
import { FetchError } from '../sources/http/fetch-errors.js';
import type { HttpSettings } from '../sources/http/http-client.js';
import { nextAttemptAfterFailure, nextAttemptAfterSuccess } from './backoff.js';

/** Parsing and normalizing are loaded on the first body: a run of 304s never needs rss-parser or the sanitizer. */
const parseFeedBody: typeof import('../ingest/parse-feed.js').parseFeedBody = async (...args) => (await import('../ingest/parse-feed.js')).parseFeedBody(...args);
const loadNormalizer = () => import('../normalize/normalize-item.js');

export interface FeedHarvestDeps {
  config: Config;
  directory: MirrorDirectory | null;
  http: HttpSettings;
  dispatcher: Dispatcher;
  logger: Logger;
  now: Date;
  signal?: AbortSignal;
}

export interface FeedHarvest {
  articles: Article[];
  state: SourceState;
  error: FetchError | null;
}

/** One remote source: fetch → parse (following an HTML page to the feed it advertises) → normalize. Never throws. */
export async function harvestFeedSource(source: FeedSourceConfig, previous: SourceState | undefined, deps: FeedHarvestDeps): Promise<FeedHarvest> {
  const state = currentState(source, previous);
  const http = { ...deps.http, ...source.fetch };
  const log = deps.logger.child({ source: source.id });
  try {
    let url = state.url ?? source.url;
    const first = await fetchWithMirrors(source, { url, etag: state.etag, lastModified: state.lastModified, signal: deps.signal }, http, { ...deps, logger: log });
    let fetched = first.result;
    if (first.mirrorBase) return await mirrored(source, state, fetched, url, first.mirrorBase, deps);
    if (fetched.movedTo) log.info({ from: url, to: fetched.movedTo }, `feed ${url} moved permanently to ${fetched.movedTo}; using the new URL from now on`);
    url = fetched.movedTo ?? url;
    if (fetched.kind === 'not-modified') return { articles: [], state: succeeded(state, fetched, url, deps.now, 0, source, deps), error: null };
    let parsed = await parseFeedBody(fetched.bytes, fetched.contentType, fetched.finalUrl);
    if (parsed.kind === 'html-page') {
      // (through a mirror this branch is not taken: see mirrored())
      const feedUrl = parsed.feedUrls[0]!;
      log.info({ page: fetched.finalUrl, feed: feedUrl }, `${fetched.finalUrl} is an HTML page; using the feed it advertises: ${feedUrl}`);
      fetched = await fetchFeed({ url: feedUrl, etag: null, lastModified: null, signal: deps.signal }, http, deps.dispatcher);
      url = fetched.movedTo ?? feedUrl;
      if (fetched.kind !== 'ok') return { articles: [], state: succeeded(state, fetched, url, deps.now, 0, source, deps), error: null };
      parsed = await parseFeedBody(fetched.bytes, fetched.contentType, fetched.finalUrl);
      if (parsed.kind !== 'feed') throw new FetchError('FM_NOT_A_FEED', `the feed ${feedUrl} advertised by the page is itself an HTML page`);
    }
    for (const warning of parsed.warnings) log.warn({ url }, `feed ${url}: ${warning}`);
    const { articles, title } = await normalizeFeed(source, parsed.feed, fetched, deps, {});
    return { articles, state: { ...succeeded(state, fetched, url, deps.now, articles.length, source, deps), title: title ?? state.title }, error: null };
  } catch (error) {
    const failure =
      error instanceof FetchError ? error
      : (error as { code?: string }).code === 'FM_NOT_A_FEED' ? new FetchError('FM_NOT_A_FEED', (error as Error).message)
      : new FetchError('FM_PARSE', `unable to parse feed: ${(error as Error).message}`);
    return { articles: [], state: failed(state, failure, deps.now), error: failure };
  }
}

/**
 * The primary failed and a mirror answered: its URLs are mapped back to the primary's origin,
 * and the primary's validators and URL are left as they were (the mirror is another server).
 */
async function mirrored(source: FeedSourceConfig, state: SourceState, fetched: FetchResult, url: string, mirrorBase: string, deps: FeedHarvestDeps): Promise<FeedHarvest> {
  const servedBy = new URL(mirrorBase).host;
  const nextFetchAt = nextAttemptAfterSuccess(source, deps.now, deps.config.schedule.timezone);
  const base = { ...state, lastFetchAt: deps.now.toISOString(), lastSuccessAt: deps.now.toISOString(), lastStatus: fetched.status, lastError: null, lastErrorCode: null, failures: 0, nextFetchAt, servedBy };
  if (fetched.kind !== 'ok') return { articles: [], state: { ...base, lastOutcome: 'not-modified', lastNewItems: 0 }, error: null };
  const parsed = await parseFeedBody(fetched.bytes, fetched.contentType, url);
  if (parsed.kind !== 'feed') throw new FetchError('FM_NOT_A_FEED', `the mirror ${mirrorBase} served an HTML page, not the feed`);
  const { articles, title } = await normalizeFeed(source, parsed.feed, { ...fetched, finalUrl: url }, deps, { [mirrorBase]: `${new URL(url).origin}/` });
  return { articles, state: { ...base, lastOutcome: 'ok', lastNewItems: articles.length, title: title ?? state.title }, error: null };
}

/** A changed URL in the config starts over: the old validators and moved-to URL belong to the old feed. */
function currentState(source: FeedSourceConfig, previous: SourceState | undefined): SourceState {
  if (previous && previous.configUrl === source.url) return previous;
  return { ...emptySourceState(source.id), configUrl: source.url, failures: previous?.failures ?? 0 };
}

async function normalizeFeed(source: FeedSourceConfig, feed: ParsedFeed, fetched: FetchResult & { kind: 'ok' }, deps: FeedHarvestDeps, hostAliases: Record<string, string>): Promise<{ articles: Article[]; title: string | null }> {
  const { normalizeItem, feedTitle } = await loadNormalizer();
  const context = {
    sourceId: source.id,
    sourceTitle: source.title ?? null,
    responseUrl: fetched.finalUrl,
    mirrors: {
      publisher: [
        ...source.mirrors.map((spec) => ({ spec, origin: 'config' as const })),
        ...fetched.declaredMirrors.map((url) => ({ spec: new URL(url).origin, origin: 'feed' as const })),
      ],
      directory: deps.directory,
    },
    hostAliases,
    now: deps.now,
    limits: deps.config.limits,
  };
  const seen = new Set<string>();
  const articles: Article[] = [];
  // Feeds list newest first; the cap keeps the head. A guid repeated inside one feed keeps its first item.
  for (const item of feed.items.slice(0, deps.config.limits.maxItemsPerSource)) {
    const article = normalizeItem(feed, item, context);
    if (seen.has(article.id)) continue;
    seen.add(article.id);
    articles.push(article);
  }
  return { articles, title: feedTitle(feed, deps.config.limits) };
}

function succeeded(state: SourceState, fetched: FetchResult, url: string, now: Date, newItems: number, source: FeedSourceConfig, deps: FeedHarvestDeps): SourceState {
  return {
    ...state,
    url,
    etag: fetched.etag ?? (fetched.kind === 'not-modified' ? state.etag : null),
    lastModified: fetched.lastModified ?? (fetched.kind === 'not-modified' ? state.lastModified : null),
    lastFetchAt: now.toISOString(),
    lastSuccessAt: now.toISOString(),
    lastStatus: fetched.status,
    lastOutcome: fetched.kind === 'ok' ? 'ok' : 'not-modified',
    lastError: null,
    lastErrorCode: null,
    failures: 0,
    nextFetchAt: nextAttemptAfterSuccess(source, now, deps.config.schedule.timezone),
    lastNewItems: newItems,
    servedBy: new URL(fetched.finalUrl).host,
  };
}

function failed(state: SourceState, error: FetchError, now: Date): SourceState {
  const failures = state.failures + 1;
  return {
    ...state,
    lastFetchAt: now.toISOString(),
    lastStatus: error.details.status ?? null,
    lastOutcome: 'error',
    lastError: error.message,
    lastErrorCode: error.code,
    failures,
    nextFetchAt: nextAttemptAfterFailure(failures, now, error.details.retryAfterMs),
  };
}
