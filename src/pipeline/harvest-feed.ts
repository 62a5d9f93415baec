import type { Dispatcher } from 'undici';
import type { Config, FeedSourceConfig } from '../config/config.js';
import type { Logger } from '../log/logger.js';
import type { Article } from '../model/article.js';
import { emptySourceState, type SourceState } from '../model/source-state.js';
import { fetchFeed, type FetchResult } from '../sources/http/fetch-feed.js';
import type { MirrorDirectory } from '../lib/mirror-directory.js';
import { fetchWithMirrors } from './fetch-with-mirrors.js';
import { FetchError } from '../sources/http/fetch-errors.js';
import { FeedmirrorError } from '../model/errors.js';
import { readFollowingFeedLink, type AdvertisingPage } from './follow-feed-link.js';
import { dispatcherForSource, type HttpSettings } from '../sources/http/http-client.js';
import { nextAttemptAfterFailure, nextAttemptAfterSuccess } from './backoff.js';
import { bodyKey, itemFingerprint, normalizingKey } from './harvest-keys.js';
import type { HarvestRecord } from './run-records.js';
import type { FeedContext } from '../normalize/normalize-item.js';
import type { SkippedItems } from '../model/parsed-feed.js';
import type { InputProblem } from '../model/problem.js';
import { describeSkipped, isWorrying } from './skipped-items.js';
import { plural } from '../lib/plural.js';
import type { FullTextCounts } from './full-text-counts.js';

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
  /** What the source's last harvest stored (asked only when a body arrives). */
  lastHarvest: (sourceId: string) => Promise<HarvestRecord | null>;
}

export interface FeedHarvest {
  /** New or changed articles, to store. */
  articles: Article[];
  /** Items identical to ones the last harvest stored: neither normalized nor stored again. */
  unchanged: number;
  /** To keep for the next harvest once `articles` are stored; null when it did not change. */
  record: HarvestRecord | null;
  state: SourceState;
  error: FeedmirrorError | null;
  /** What full text did, when the source has it on and items came. */
  fullText?: FullTextCounts;
  /** Items the parse left out (over the limit, invalid): one problem for the whole source. */
  problem: InputProblem | null;
}

const NOTHING = { articles: [], unchanged: 0, record: null, problem: null };

/** One remote source: fetch → parse (following an HTML page to the feed it advertises) → normalize. Never throws. */
export async function harvestFeedSource(source: FeedSourceConfig, previous: SourceState | undefined, deps: FeedHarvestDeps): Promise<FeedHarvest> {
  // Read once, on the first body: an HTML page and the feed it advertises share one record.
  const { lastHarvest } = deps;
  let record: Promise<HarvestRecord | null> | undefined;
  // The source's own proxy, if it has one, for everything fetched for it: the feed, its mirrors, the pages it links to.
  deps = { ...deps, dispatcher: dispatcherForSource(deps.dispatcher, source.proxy), lastHarvest: (sourceId) => (record ??= lastHarvest(sourceId)) };
  const state = currentState(source, previous);
  const http = { ...deps.http, ...source.fetch };
  const log = deps.logger.child({ source: source.id });
  try {
    let url = state.url ?? source.url;
    const { fetched, mirrorBase } = await fetchWithMirrors(source, { url, etag: state.etag, lastModified: state.lastModified, signal: deps.signal }, http, { ...deps, logger: log });
    if (mirrorBase) return await harvestFromMirror({ source, state, fetched, url, mirrorBase, deps, log });
    if (fetched.movedTo) log.info({ from: url, to: fetched.movedTo }, `feed ${url} moved permanently to ${fetched.movedTo}; using the new URL from now on`);
    url = fetched.movedTo ?? url;
    if (fetched.kind === 'not-modified') return { ...NOTHING, state: stateAfterSuccess({ state, fetched, url, newItems: 0, source, deps }), error: null };
    // (a page served by a mirror is not followed: see harvestFromMirror())
    const followed = await readFollowingFeedLink(fetched, {
      read: (body) => readBody({ source, fetched: body, url: body.finalUrl, hostAliases: {}, deps, log }),
      fetch: (feedUrl) => fetchFeed({ url: feedUrl, etag: null, lastModified: null, signal: deps.signal }, http, deps.dispatcher),
      onFollow: (feedUrl) => log.info({ page: fetched.finalUrl, feed: feedUrl }, `${fetched.finalUrl} is an HTML page; using the feed it advertises: ${feedUrl}`),
    });
    if (followed.feedUrl) url = followed.fetched.movedTo ?? followed.feedUrl;
    const parsed = followed.feed;
    if (!parsed) return { ...NOTHING, state: stateAfterSuccess({ state, fetched: followed.fetched, url, newItems: 0, source, deps }), error: null };
    const { articles, unchanged, record, title } = parsed;
    const kept = articles.length + unchanged;
    const done = { ...stateAfterSuccess({ state, fetched: followed.fetched, url, newItems: kept, source, deps }), title: title ?? state.title };
    return { articles, unchanged, record, ...reportSkipped(source, done, url, parsed.skipped, deps, log), error: null };
  } catch (error) {
    const failure = harvestFailure(error);
    return { ...NOTHING, state: stateAfterFailure(state, failure, deps.now), error: failure };
  }
}

/** What a failed harvest records: our own errors as they are; anything else went wrong reading the body. */
function harvestFailure(error: unknown): FeedmirrorError {
  if (error instanceof FeedmirrorError && error.code !== 'FM_PARSE') return error;
  // The parser's words follow the stage's: "unable to parse feed: invalid JSON: …".
  return new FeedmirrorError('FM_PARSE', `unable to parse feed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
}

/**
 * The primary failed and a mirror answered: its URLs are mapped back to the primary's origin,
 * and the primary's validators and URL are left as they were (the mirror is another server).
 */
async function harvestFromMirror({ source, state, fetched, url, mirrorBase, deps, log }: MirrorHarvest): Promise<FeedHarvest> {
  const servedBy = new URL(mirrorBase).host;
  const nextFetchAt = nextAttemptAfterSuccess(source, deps.now, deps.config.schedule.timezone);
  const base = { ...state, lastFetchAt: deps.now.toISOString(), lastSuccessAt: deps.now.toISOString(), lastStatus: fetched.status, lastError: null, lastErrorCode: null, failures: 0, nextFetchAt, servedBy };
  if (fetched.kind !== 'ok') return { ...NOTHING, state: { ...base, lastOutcome: 'not-modified', lastNewItems: 0 }, error: null };
  const parsed = await readBody({ source, fetched, url, hostAliases: { [mirrorBase]: `${new URL(url).origin}/` }, deps, log });
  if (parsed.kind !== 'feed') throw new FeedmirrorError('FM_NOT_A_FEED', `the mirror ${mirrorBase} served an HTML page, not the feed`);
  const { articles, unchanged, record, title } = parsed;
  const done: SourceState = { ...base, lastOutcome: 'ok', lastNewItems: articles.length + unchanged, title: title ?? state.title };
  return { articles, unchanged, record, ...reportSkipped(source, done, url, parsed.skipped, deps, log), error: null };
}

/**
 * What the parse left out, as one log line, one problem and the state's lastWarning, however
 * many items it was. A body not parsed again (the same as last time) keeps the last warning.
 */
function reportSkipped(source: FeedSourceConfig, state: SourceState, url: string, skipped: SkippedItems | null, deps: FeedHarvestDeps, log: Logger): { state: SourceState; problem: InputProblem | null } {
  if (!skipped) return { state, problem: null };
  const message = describeSkipped(skipped, deps.config.limits.maxItemsPerSource);
  if (!message) return { state: { ...state, lastWarning: null }, problem: null };
  const { overLimit, invalid, partsCut } = skipped;
  log[isWorrying(skipped) ? 'warn' : 'info']({ url, code: ITEMS_SKIPPED, overLimit, invalid, partsCut }, `feed ${url}: ${message}`);
  return { state: { ...state, lastWarning: message }, problem: { sourceId: source.id, target: url, code: ITEMS_SKIPPED, message } };
}

const ITEMS_SKIPPED = 'FM_ITEMS_SKIPPED';

/** A changed URL in the config starts over: the old validators and moved-to URL belong to the old feed. */
function currentState(source: FeedSourceConfig, previous: SourceState | undefined): SourceState {
  if (previous && previous.configUrl === source.url) return previous;
  return { ...emptySourceState(source.id), configUrl: source.url, failures: previous?.failures ?? 0 };
}

/** One fetched body of a source, as readBody works on it. */
interface FetchedBody {
  source: FeedSourceConfig;
  fetched: FetchResult & { kind: 'ok' };
  /** Where the body counts as served from (relative URLs, HTML-page discovery). */
  url: string;
  /** Mirror base → canonical base, when a mirror served it (see FeedContext.hostAliases). */
  hostAliases: Record<string, string>;
  deps: FeedHarvestDeps;
  log: Logger;
}

interface MirrorHarvest {
  source: FeedSourceConfig;
  state: SourceState;
  fetched: FetchResult;
  /** The primary's URL. */
  url: string;
  mirrorBase: string;
  deps: FeedHarvestDeps;
  log: Logger;
}

type ReadBody =
  /** `skipped` is null when the body was not parsed (the same as last time). */
  | { kind: 'feed'; articles: Article[]; unchanged: number; record: HarvestRecord | null; title: string | null; skipped: SkippedItems | null }
  | AdvertisingPage;

/**
 * A fetched body → the articles to store. A body identical to the last one stored is not parsed;
 * in a changed one, items identical to ones stored last time are not normalized again.
 */
async function readBody({ source, fetched, url, hostAliases, deps, log }: FetchedBody): Promise<ReadBody> {
  const context: FeedContext = {
    sourceId: source.id,
    sourceTitle: source.title ?? null,
    responseUrl: url,
    mirrors: {
      publisher: [
        ...source.mirrors.map((spec) => ({ spec, origin: 'config' as const })),
        ...fetched.declaredMirrors.map((mirror) => ({ spec: new URL(mirror).origin, origin: 'feed' as const })),
      ],
      directory: deps.directory,
    },
    hostAliases,
    now: deps.now,
    limits: deps.config.limits,
  };
  const normalizing = normalizingKey(context, source.fullText);
  const body = bodyKey(normalizing, fetched.contentType, fetched.bytes);
  const last = await deps.lastHarvest(source.id);
  if (last?.body === body) {
    log.debug({ url, items: last.items.length }, `feed ${url}: the same body as at the last harvest; not parsed again`);
    return { kind: 'feed', articles: [], unchanged: last.items.length, record: null, title: last.title, skipped: null };
  }
  // Feeds list newest first: the limit keeps the head, and the rest is never parsed.
  const parsed = await parseFeedBody(fetched.bytes, fetched.contentType, url, { maxItems: deps.config.limits.maxItemsPerSource });
  if (parsed.kind === 'html-page') return parsed;
  const { feed } = parsed;
  const { normalizeItem, feedTitle, identifyRepeat, sharedLinks } = await loadNormalizer();
  const stored = new Map(last?.items.map(([fingerprint, id, link]) => [fingerprint, { id, link }]));
  /** Article ids kept so far, with their links. */
  const seen = new Map<string, string | null | undefined>();
  const articles: Article[] = [];
  const items: HarvestRecord['items'] = [];
  let unchanged = 0;
  const kept = feed.items;
  const shared = sharedLinks(kept);
  const listed = new Set<string>();
  for (const item of kept) {
    const fingerprint = itemFingerprint(normalizing, feed, item);
    // The same item listed twice is one item.
    if (listed.has(fingerprint)) continue;
    listed.add(fingerprint);
    const known = stored.get(fingerprint);
    if (known !== undefined && !seen.has(known.id)) {
      seen.set(known.id, known.link);
      items.push([fingerprint, known.id, known.link ?? null]);
      unchanged++;
      continue;
    }
    let article = normalizeItem(feed, item, context, { linkIsShared: shared.has(item.link?.trim() ?? '') });
    if (seen.has(article.id)) {
      // A key repeated inside one feed: at the same link (or one not known) it is the same story
      // again and the first is kept; at another link it is another story, kept as an item of its own.
      const firstLink = seen.get(article.id);
      if (firstLink === undefined || firstLink === article.url) continue;
      article = { ...article, ...identifyRepeat(article) };
      if (seen.has(article.id)) continue;
    }
    seen.set(article.id, article.url);
    articles.push(article);
    items.push([fingerprint, article.id, article.url]);
  }
  if (unchanged > 0) log.debug({ url, unchanged, changed: articles.length }, `feed ${url}: ${plural(unchanged, 'item')} as at the last harvest; not normalized again`);
  const title = feedTitle(feed, deps.config.limits);
  return { kind: 'feed', articles, unchanged, record: { body, title, items }, title, skipped: parsed.skipped };
}

interface SuccessfulFetch {
  state: SourceState;
  fetched: FetchResult;
  url: string;
  /** Items the feed holds (lastNewItems). */
  newItems: number;
  source: FeedSourceConfig;
  deps: FeedHarvestDeps;
}

function stateAfterSuccess({ state, fetched, url, newItems, source, deps }: SuccessfulFetch): SourceState {
  const now = deps.now;
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

function stateAfterFailure(state: SourceState, error: FeedmirrorError, now: Date): SourceState {
  const failures = state.failures + 1;
  const details = error instanceof FetchError ? error.details : {};
  return {
    ...state,
    lastFetchAt: now.toISOString(),
    lastStatus: details.status ?? null,
    lastOutcome: 'error',
    lastError: error.message,
    lastErrorCode: error.code,
    failures,
    nextFetchAt: nextAttemptAfterFailure(failures, now, details.retryAfterMs),
  };
}
