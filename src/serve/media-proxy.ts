import type http from 'node:http';
import type { Logger } from '../log/logger.js';
import { MEDIA_HASH } from '../lib/media-hash.js';
import { MediaCache, type CachedMedia } from './media-cache.js';
import { notFound } from './serve-files.js';
import { setContentType } from './security-headers.js';

/** Media types passed through; SVG is not: served from our origin, its scripts would run as ours. */
const MEDIA_TYPE = /^(?:image\/(?!svg)[a-z0-9.+-]+|audio\/[a-z0-9.+-]+|video\/[a-z0-9.+-]+)$/;

export interface MediaProxyDeps {
  /** The URL a published item referenced under this hash, with its mirrors, or null (then nothing is fetched). */
  lookup: (hash: string) => Promise<{ url: string; alternates: string[] } | null>;
  /** Fetches a URL through the feed client (SSRF policy, limits); throws on failure. */
  fetch: (url: string) => Promise<{ bytes: Buffer; contentType: string | null }>;
  cacheDir: string;
  /** bytes */
  maxCacheBytes: number;
  logger: Logger;
}

/**
 * `/media/<hash>` for `media: "proxy"`: the media a published item referenced, fetched on first
 * request and served from the disk cache afterwards. Unknown hashes get 404 without any fetch, so
 * it proxies nothing else; only image, audio and video types are passed through.
 */
export class MediaProxy {
  private readonly cache: MediaCache;
  /** One fetch per hash at a time: concurrent requests share it. */
  private readonly inFlight = new Map<string, Promise<CachedMedia | null>>();

  constructor(private readonly deps: MediaProxyDeps) {
    this.cache = new MediaCache(deps.cacheDir, deps.maxCacheBytes);
  }

  /** The hash in a `/media/<hash>` path, or null when the path is not one. */
  static hashOf(pathname: string): string | null {
    const match = /^\/media\/([^/]+)$/.exec(pathname);
    return match && MEDIA_HASH.test(match[1]!) ? match[1]! : null;
  }

  async handle(hash: string, res: http.ServerResponse, head: boolean): Promise<void> {
    const media = (await this.cache.get(hash)) ?? (await this.fetchOnce(hash));
    if (!media) return notFound(res, head);
    res.statusCode = 200;
    setContentType(res, media.contentType);
    res.setHeader('Content-Length', media.bytes.length);
    res.setHeader('Cache-Control', 'public, max-age=86400');
    res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
    res.end(head ? undefined : media.bytes);
  }

  private fetchOnce(hash: string): Promise<CachedMedia | null> {
    let pending = this.inFlight.get(hash);
    if (!pending) {
      pending = this.fetchMedia(hash).finally(() => this.inFlight.delete(hash));
      this.inFlight.set(hash, pending);
    }
    return pending;
  }

  /** The first of the URLs (the origin, then the publisher's mirrors) that answers. */
  private async fetchAny(urls: string[], hash: string): Promise<{ bytes: Buffer; contentType: string | null } | null> {
    for (const url of urls) {
      try {
        return await this.deps.fetch(url);
      } catch (error) {
        this.deps.logger.warn({ url, hash, code: (error as { code?: string }).code }, `serve: media ${url}: ${(error as Error).message}`);
      }
    }
    return null;
  }

  private async fetchMedia(hash: string): Promise<CachedMedia | null> {
    const known = await this.deps.lookup(hash);
    if (known === null) return null;
    const { url } = known;
    const fetched = await this.fetchAny([url, ...known.alternates], hash);
    if (!fetched) return null;
    const contentType = fetched.contentType?.split(';')[0]!.trim().toLowerCase() ?? '';
    if (!MEDIA_TYPE.test(contentType)) {
      this.deps.logger.warn({ url, hash, contentType }, `serve: media ${url} is ${contentType || 'of no type'}, not an image, audio or video; not served`);
      return null;
    }
    const media = { bytes: fetched.bytes, contentType };
    // A cache that cannot be written (disk full) costs the next request a fetch, not this one its answer.
    await this.cache.put(hash, media).catch((error: unknown) => this.deps.logger.error({ err: error, hash }, `serve: media cache ${this.deps.cacheDir}: ${(error as Error).message}`));
    return media;
  }
}
