import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { request, type Dispatcher } from 'undici';
import { isBlockedHostName } from './address-policy.js';
import { classifyFetchError, FetchError } from './fetch-errors.js';
import { RoutingDispatcher, type HttpSettings } from './http-client.js';
import { explainProxyFailure } from './proxy-errors.js';

export interface FetchRequest {
  url: string;
  etag: string | null;
  lastModified: string | null;
  signal?: AbortSignal;
  /** The Accept header; feed types by default (article pages ask for HTML). */
  accept?: string;
}

interface FetchedBase {
  /** The URL that answered, after redirects. */
  finalUrl: string;
  /** Where the feed now lives if every redirect on the way was permanent (301/308). */
  movedTo: string | null;
  status: number;
  etag: string | null;
  lastModified: string | null;
  /** Mirrors the response declares: Onion-Location, Link rel="duplicate". */
  declaredMirrors: string[];
}

export type FetchResult = (FetchedBase & { kind: 'not-modified' }) | (FetchedBase & { kind: 'ok'; bytes: Buffer; contentType: string | null });

const ACCEPT = 'application/rss+xml, application/atom+xml, application/feed+json, application/rdf+xml;q=0.9, application/xml;q=0.9, text/xml;q=0.8, application/json;q=0.8, */*;q=0.5';
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const PERMANENT = new Set([301, 308]);
const DECOMPRESSORS: Record<string, (buf: Buffer, opts: zlib.ZlibOptions & zlib.BrotliOptions) => Promise<Buffer>> = {
  gzip: promisify(zlib.gunzip),
  'x-gzip': promisify(zlib.gunzip),
  br: promisify(zlib.brotliDecompress),
  deflate: inflateAnyDeflate,
};

/**
 * GET with conditional headers, redirects followed by hand (undici's interceptor hides the final
 * URL and the 301s we must record), size limits on the wire and after decompression, and one
 * deadline for the whole exchange. Throws FetchError; never returns a 4xx/5xx as success.
 */
export async function fetchFeed(req: FetchRequest, settings: HttpSettings, dispatcher: Dispatcher): Promise<FetchResult> {
  const deadline = AbortSignal.timeout(settings.totalTimeoutMs);
  const signal = req.signal ? AbortSignal.any([req.signal, deadline]) : deadline;
  try {
    return await followRedirects(req, settings, dispatcher, signal);
  } catch (error) {
    // The caller gave up (shutdown): whatever undici threw, that is the reason.
    if (req.signal?.aborted) throw new FetchError('FM_ABORTED', 'the fetch was aborted (shutting down)');
    throw classifyFetchError(deadline.aborted && !(error instanceof FetchError) ? deadline.reason : error);
  }
}

async function followRedirects(req: FetchRequest, settings: HttpSettings, dispatcher: Dispatcher, signal: AbortSignal): Promise<FetchResult> {
  let url = checkUrl(req.url, settings, null);
  let movedTo: string | null = null;
  let allPermanent = true;
  const visited = new Set<string>();
  for (let hop = 0; ; hop++) {
    visited.add(url);
    // Per request, so a source's own timeouts apply on the shared connection pool.
    const response = await request(url, {
      dispatcher, method: 'GET', signal, headers: requestHeaders(req, settings),
      headersTimeout: settings.headersTimeoutMs, bodyTimeout: settings.bodyIdleTimeoutMs,
    }).catch((error: unknown) => {
      throw explainRouteFailure(error, dispatcher, url);
    });
    const { statusCode: status, headers } = response;
    const location = header(headers, 'location');
    if (REDIRECTS.has(status) && location) {
      response.body.dump().catch(() => {});
      const next = checkUrl(location, settings, url);
      if (visited.has(next)) throw new FetchError('FM_REDIRECT_LOOP', `redirect loop: ${url} → ${next}`);
      if (hop >= settings.maxRedirects) throw new FetchError('FM_TOO_MANY_REDIRECTS', `more than ${settings.maxRedirects} redirects`);
      allPermanent &&= PERMANENT.has(status);
      if (allPermanent) movedTo = next;
      url = next;
      continue;
    }
    const base = {
      finalUrl: url, movedTo, status, etag: header(headers, 'etag'), lastModified: header(headers, 'last-modified'),
      declaredMirrors: declaredMirrors(headers, url),
    };
    if (status === 304) {
      response.body.dump().catch(() => {});
      return { kind: 'not-modified', ...base };
    }
    if (status < 200 || status > 299) {
      response.body.dump().catch(() => {});
      throw new FetchError('FM_HTTP_STATUS', `HTTP ${status}`, { status, retryAfterMs: retryAfter(header(headers, 'retry-after')) });
    }
    const bytes = await readBody(response, settings.maxBodyBytes);
    return { kind: 'ok', ...base, bytes, contentType: header(headers, 'content-type') };
  }
}

/** A failure on a proxied route is worded as the proxy's or the host's, with the proxy named (its password hidden). */
function explainRouteFailure(error: unknown, dispatcher: Dispatcher, url: string): unknown {
  if (!(dispatcher instanceof RoutingDispatcher) || error instanceof FetchError) return error;
  const route = dispatcher.routeFor(url);
  return route.kind === 'proxy' ? explainProxyFailure(error, route) : error;
}

function requestHeaders(req: FetchRequest, settings: HttpSettings): Record<string, string> {
  return {
    'user-agent': settings.userAgent,
    accept: req.accept ?? ACCEPT,
    'accept-encoding': 'gzip, deflate, br',
    ...(req.etag ? { 'if-none-match': req.etag } : {}),
    ...(req.lastModified ? { 'if-modified-since': req.lastModified } : {}),
  };
}

/** Only http(s); with private networks disallowed, literal local addresses and names are refused before connecting. */
function checkUrl(value: string, settings: HttpSettings, base: string | null): string {
  let url: URL;
  try {
    url = base ? new URL(value, base) : new URL(value);
  } catch {
    throw new FetchError(base ? 'FM_BAD_REDIRECT' : 'FM_BAD_URL', `not a valid URL: ${JSON.stringify(value.slice(0, 200))}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new FetchError(base ? 'FM_BAD_REDIRECT' : 'FM_BAD_URL', `${base ? 'redirect to' : 'URL with'} a non-HTTP scheme (${url.protocol}) refused`);
  }
  if (!settings.allowPrivateNetworks && isBlockedHostName(url.hostname)) {
    throw new FetchError('FM_BLOCKED_ADDRESS', `${url.hostname} is a private or local address (fetch.allowPrivateNetworks is off)`);
  }
  url.hash = '';
  return url.href;
}

/** Counts wire bytes while streaming, then decompresses with a cap on the output: a gzip bomb stops at the limit. */
async function readBody(response: Dispatcher.ResponseData, maxBytes: number): Promise<Buffer> {
  const declared = Number(header(response.headers, 'content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    response.body.destroy();
    throw new FetchError('FM_TOO_BIG', `the body is ${declared} bytes, more than the ${maxBytes}-byte limit`);
  }
  const chunks: Buffer[] = [];
  let received = 0;
  for await (const chunk of response.body) {
    received += (chunk as Buffer).length;
    if (received > maxBytes) {
      response.body.destroy();
      throw new FetchError('FM_TOO_BIG', `the body is more than the ${maxBytes}-byte limit`);
    }
    chunks.push(chunk as Buffer);
  }
  const wire = Buffer.concat(chunks);
  const encoding = (header(response.headers, 'content-encoding') ?? 'identity').trim().toLowerCase();
  const decompress = DECOMPRESSORS[encoding];
  if (!decompress || wire.length === 0) return wire;
  try {
    return await decompress(wire, { maxOutputLength: maxBytes });
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw new FetchError('FM_TOO_BIG', `the body decompresses to more than the ${maxBytes}-byte limit`);
    throw error;
  }
}

/** "deflate" is zlib-wrapped by the spec and raw DEFLATE from some servers. */
async function inflateAnyDeflate(buf: Buffer, opts: zlib.ZlibOptions): Promise<Buffer> {
  try {
    return await promisify(zlib.inflate)(buf, opts);
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw error;
    return promisify(zlib.inflateRaw)(buf, opts);
  }
}

function header(headers: Dispatcher.ResponseData['headers'], name: string): string | null {
  const value = headers[name];
  return (Array.isArray(value) ? value[0] : value)?.trim() || null;
}

/** Retry-After as seconds or an HTTP date, in ms from now; capped at a day. */
export function retryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const ms = /^\d+$/.test(value) ? Number(value) * 1000 : Date.parse(value) - now;
  return Number.isFinite(ms) && ms > 0 ? Math.min(ms, 86_400_000) : undefined;
}

function declaredMirrors(headers: Dispatcher.ResponseData['headers'], base: string): string[] {
  const out: string[] = [];
  const onion = header(headers, 'onion-location');
  if (onion) out.push(onion);
  const link = headers.link;
  for (const value of Array.isArray(link) ? link : link ? [link] : []) {
    for (const m of value.matchAll(/<([^>]+)>\s*;[^,]*\brel\s*=\s*"?(?:[^",]*\s)?duplicate\b/gi)) out.push(m[1]!);
  }
  return out.flatMap((href) => {
    try {
      const url = new URL(href, base);
      return url.protocol === 'http:' || url.protocol === 'https:' ? [url.href] : [];
    } catch {
      return [];
    }
  });
}
