import type { Dispatcher } from 'undici';
import type { FeedSourceConfig } from '../config/config.js';
import type { Logger } from '../log/logger.js';
import type { MirrorDirectory } from '../lib/mirror-directory.js';
import { isOnionHost, mirrorBase, rehost } from '../lib/mirror-hosts.js';
import { fetchFeed, type FetchRequest, type FetchResult } from '../sources/http/fetch-feed.js';
import { FetchError } from '../sources/http/fetch-errors.js';
import type { HttpSettings } from '../sources/http/http-client.js';

/** Failures that look like the primary host being blocked or down (or the proxy in front of it: an onion mirror goes through another), rather than the feed being broken. */
const MIRROR_WORTHY = new Set<FetchError['code']>(['FM_CONNECT', 'FM_DNS', 'FM_TLS', 'FM_TIMEOUT', 'FM_PROXY']);
const BLOCKED_STATUSES = new Set([403, 451]);

export interface MirroredFetch {
  fetched: FetchResult;
  /** Base URL of the mirror that answered (with its path prefix, if any), or null for the primary. */
  mirrorBase: string | null;
}

/**
 * Fetches the primary URL; when it fails the way a blocked or unreachable host fails, tries the
 * publisher's mirrors: configured ones first, then mirror lists freshest first; https, then http,
 * then onion services, which are tried only with `fetch.torProxy` (the only way to reach them).
 */
export async function fetchWithMirrors(
  source: FeedSourceConfig,
  request: FetchRequest,
  http: HttpSettings,
  deps: { dispatcher: Dispatcher; directory: MirrorDirectory | null; logger: Logger },
  /** What is fetched, for the log: "feed" or "page". */
  what = 'feed',
): Promise<MirroredFetch> {
  try {
    return { fetched: await fetchFeed(request, http, deps.dispatcher), mirrorBase: null };
  } catch (error) {
    if (!(error instanceof FetchError) || !isMirrorWorthy(error)) throw error;
    const candidates = mirrorCandidates(source, request.url, deps.directory, Boolean(http.torProxy));
    for (const base of candidates) {
      const url = rehost(new URL(request.url), base).href;
      try {
        // The mirror is another server: the primary's validators mean nothing to it.
        const fetched = await fetchFeed({ ...request, url, etag: null, lastModified: null }, http, deps.dispatcher);
        deps.logger.warn({ primary: request.url, mirror: url, reason: error.message }, `${what} ${request.url} failed (${error.message}); fetched it through the mirror ${url}`);
        return { fetched, mirrorBase: base.href };
      } catch (mirrorError) {
        deps.logger.debug({ mirror: url, reason: (mirrorError as Error).message }, `mirror ${url} failed too`);
      }
    }
    throw error;
  }
}

function isMirrorWorthy(error: FetchError): boolean {
  return MIRROR_WORTHY.has(error.code) || (error.code === 'FM_HTTP_STATUS' && BLOCKED_STATUSES.has(error.details.status ?? 0));
}

function mirrorCandidates(source: FeedSourceConfig, url: string, directory: MirrorDirectory | null, onions: boolean): URL[] {
  const primary = new URL(url);
  const specs = [...source.mirrors, ...(directory?.lookup(primary.host) ?? []).map((alt) => alt.url)];
  const bases = specs.map((spec) => mirrorBase(spec, primary)).filter((b): b is URL => b !== null && (onions || !isOnionHost(b.hostname)));
  const seen = new Set<string>();
  return bases.filter((b) => (seen.has(b.href) ? false : (seen.add(b.href), true))).sort((a, b) => preference(a) - preference(b));
}

/** https first (authenticated), then http, then onions (slower, through Tor). */
function preference(base: URL): number {
  if (isOnionHost(base.hostname)) return 2;
  return base.protocol === 'https:' ? 0 : 1;
}
