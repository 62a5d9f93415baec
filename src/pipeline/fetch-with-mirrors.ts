import type { Dispatcher } from 'undici';
import type { FeedSourceConfig } from '../config/config.js';
import type { Logger } from '../log/logger.js';
import type { MirrorDirectory } from '../lib/mirror-directory.js';
import { mirrorBase, rehost } from '../lib/mirror-hosts.js';
import { fetchFeed, type FetchRequest, type FetchResult } from '../sources/http/fetch-feed.js';
import { FetchError } from '../sources/http/fetch-errors.js';
import type { HttpSettings } from '../sources/http/http-client.js';

/** Failures that look like the primary host being blocked or down, rather than the feed being broken. */
const MIRROR_WORTHY = new Set<FetchError['code']>(['FM_CONNECT', 'FM_DNS', 'FM_TLS', 'FM_TIMEOUT']);
const BLOCKED_STATUSES = new Set([403, 451]);

export interface MirroredFetch {
  fetched: FetchResult;
  /** Base URL of the mirror that answered (with its path prefix, if any), or null for the primary. */
  mirrorBase: string | null;
}

/**
 * Fetches the primary URL; when it fails the way a blocked or unreachable host fails, tries the
 * publisher's mirrors: configured ones first, then mirror lists freshest first; https before tor,
 * and tor not at all (onions need a SOCKS proxy, which feedmirror does not speak yet).
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
    const candidates = mirrorCandidates(source, request.url, deps.directory);
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

function mirrorCandidates(source: FeedSourceConfig, url: string, directory: MirrorDirectory | null): URL[] {
  const primary = new URL(url);
  const specs = [...source.mirrors, ...(directory?.lookup(primary.host) ?? []).map((alt) => alt.url)];
  const bases = specs.map((spec) => mirrorBase(spec, primary)).filter((b): b is URL => b !== null && !b.hostname.endsWith('.onion'));
  const seen = new Set<string>();
  return bases
    .filter((b) => (seen.has(b.href) ? false : (seen.add(b.href), true)))
    .sort((a, b) => Number(a.protocol !== 'https:') - Number(b.protocol !== 'https:'));
}
