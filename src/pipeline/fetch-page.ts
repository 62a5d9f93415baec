import type { Dispatcher } from 'undici';
import type { FeedSourceConfig } from '../config/config.js';
import type { Logger } from '../log/logger.js';
import type { MirrorDirectory } from '../lib/mirror-directory.js';
import { readPage } from '../ingest/read-page.js';
import { canonicalizer } from '../normalize/canonical-urls.js';
import { extractArticle } from '../normalize/extract-article.js';
import type { ExtractedPage } from '../store/extracted-pages.js';
import { FetchError } from '../sources/http/fetch-errors.js';
import type { FetchResult } from '../sources/http/fetch-feed.js';
import type { HttpSettings } from '../sources/http/http-client.js';
import { fetchWithMirrors } from './fetch-with-mirrors.js';

const HTML_ACCEPT = 'text/html, application/xhtml+xml;q=0.9, */*;q=0.1';

export interface PageFetchDeps {
  http: HttpSettings;
  dispatcher: Dispatcher;
  directory: MirrorDirectory | null;
  logger: Logger;
  now: Date;
  signal?: AbortSignal;
  limits: { maxContentBytes: number; maxPageBytes: number };
  /** Runs a request within the run's limits: fetches at once, and at once per host. */
  schedule: <T>(host: string, task: () => Promise<T>) => Promise<T>;
}

export interface PageRequest {
  source: FeedSourceConfig;
  /** The item's canonical URL. */
  url: string;
  version: string;
  /** What an older version of the item got from this page: its validators make the request conditional. */
  remembered: ExtractedPage | null;
  selector: string | null;
}

export type PageOutcome = { kind: 'fetched' | 'not-modified'; page: ExtractedPage } | { kind: 'failed'; error: FetchError };

/**
 * One item's page, through the feed fetch client (SSRF policy, limits, redirects, conditional GET)
 * and the publisher's mirrors when the origin is blocked or down; read (HTML only, capped, charset)
 * and its article extracted, with every URL mapped back to the publisher's own host.
 */
export async function fetchPage(request: PageRequest, deps: PageFetchDeps): Promise<PageOutcome> {
  const { source, url, remembered } = request;
  const get = { url, etag: remembered?.etag ?? null, lastModified: remembered?.lastModified ?? null, signal: deps.signal, accept: HTML_ACCEPT };
  let fetched: FetchResult;
  let mirrorBase: string | null;
  try {
    ({ fetched, mirrorBase } = await deps.schedule(new URL(url).host, () => fetchWithMirrors(source, get, deps.http, deps, 'page')));
  } catch (error) {
    if (error instanceof FetchError) return { kind: 'failed', error };
    throw error;
  }
  // A mirror's validators mean nothing to the origin, which the next request goes to first.
  const validators = mirrorBase ? { etag: null, lastModified: null } : { etag: fetched.etag, lastModified: fetched.lastModified };
  const stamp = { url, version: request.version, fetchedAt: deps.now.toISOString(), ...validators };
  if (fetched.kind === 'not-modified') {
    if (!remembered) return { kind: 'failed', error: new FetchError('FM_HTTP_STATUS', 'HTTP 304 to a request that was not conditional', { status: 304 }) };
    return { kind: 'not-modified', page: { ...remembered, ...stamp } };
  }
  return { kind: 'fetched', page: { ...stamp, ...articleOf(fetched, mirrorBase, request, deps) } };
}

function articleOf(fetched: FetchResult & { kind: 'ok' }, mirrorBase: string | null, request: PageRequest, deps: PageFetchDeps): Pick<ExtractedPage, 'contentHtml' | 'problem'> {
  const body = readPage(fetched.bytes, fetched.contentType, deps.limits.maxPageBytes);
  if (body.kind === 'not-html') return { contentHtml: null, problem: { code: 'FM_PAGE_NOT_HTML', message: `the page is ${body.contentType}, not HTML` } };
  if (body.truncated) deps.logger.debug({ url: request.url, maxPageBytes: deps.limits.maxPageBytes }, `full text ${request.url}: the page is cut at limits.maxPageBytes before it is parsed`);
  const mapUrl = canonicalizer(mirrorBase ? { [mirrorBase]: `${new URL(request.url).origin}/` } : {});
  // Relative URLs resolve against the page's canonical address: a mirror under a path prefix serves
  // the publisher's paths below it, and "/img/a.jpg" in its page means the publisher's /img/a.jpg.
  const extraction = extractArticle({ html: body.html, url: mapUrl(fetched.finalUrl), mapUrl }, { selector: request.selector, maxContentBytes: deps.limits.maxContentBytes });
  if (extraction.kind === 'none') return { contentHtml: null, problem: { code: extraction.code, message: extraction.message } };
  return { contentHtml: extraction.contentHtml, problem: null };
}
