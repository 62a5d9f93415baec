import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { stat } from 'node:fs/promises';
import { contentTypeFor, isFeed } from './content-types.js';
import { chooseEncoding, FileCache } from './file-cache.js';
import type { SiteCopy } from '../publish/site-copies.js';

const CACHE_SECONDS = 300;
const ARCHIVE_CACHE_SECONDS = 86_400;

export interface FileServerOptions {
  outputDir: string;
  copies: SiteCopy[];
}

/**
 * Serves the output folder the way a careful static server would: the site copy chosen by the
 * Host header, conditional requests, br/gzip, HEAD, CORS on feeds, and no way out of the folder.
 */
export function createFileHandler(options: FileServerOptions) {
  const cache = new FileCache();
  const root = path.resolve(options.outputDir);
  const onion = options.copies.find((c) => c.kind === 'tor');
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const copy = copyFor(req.headers.host, options.copies);
    const copyRoot = path.join(root, copy.dir);
    const relative = safeRelativePath(req.url ?? '/');
    if (relative === null) return notFound(res, req.method === 'HEAD');
    let file = path.join(copyRoot, relative);
    if (!isInside(copyRoot, file)) return notFound(res, req.method === 'HEAD');
    if (relative === '' || relative.endsWith('/') || (await isDirectory(file))) file = path.join(file, 'index.html');
    const cached = await cache.get(file);
    if (!cached) return notFound(res, req.method === 'HEAD');
    const encoding = chooseEncoding(header(req, 'accept-encoding'), cached.identity.length);
    const etag = encoding === 'identity' ? cached.etag : `${cached.etag.slice(0, -1)}-${encoding}"`;
    res.setHeader('Content-Type', contentTypeFor(file));
    res.setHeader('ETag', etag);
    res.setHeader('Last-Modified', cached.mtime.toUTCString());
    res.setHeader('Vary', 'Accept-Encoding');
    res.setHeader('Cache-Control', relative.includes('/archive/') ? `public, max-age=${ARCHIVE_CACHE_SECONDS}, immutable` : `public, max-age=${CACHE_SECONDS}`);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    if (isFeed(file)) res.setHeader('Access-Control-Allow-Origin', '*');
    if (onion && copy !== onion) res.setHeader('Onion-Location', new URL(relative, onion.base).href);
    if (isNotModified(req, etag, cached.etag, cached.mtime)) {
      res.statusCode = 304;
      res.end();
      return;
    }
    const body = await cache.body(cached, encoding);
    if (encoding !== 'identity') res.setHeader('Content-Encoding', encoding);
    res.setHeader('Content-Length', body.length);
    res.statusCode = 200;
    res.end(req.method === 'HEAD' ? undefined : body);
  };
}

/** The copy whose host the request names; the canonical one otherwise. */
export function copyFor(hostHeader: string | undefined, copies: SiteCopy[]): SiteCopy {
  const host = (hostHeader ?? '').toLowerCase();
  const bare = host.replace(/:\d+$/, '');
  return copies.find((c) => c.host === host) ?? copies.find((c) => c.host.replace(/:\d+$/, '') === bare && !c.isCanonical) ?? copies[0]!;
}

/** URL path → relative file path, or null for anything suspicious (NUL, dot files, undecodable). */
export function safeRelativePath(url: string): string | null {
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(url, 'http://x').pathname);
  } catch {
    return null;
  }
  if (pathname.includes('\0') || pathname.includes('\\')) return null;
  const normalized = path.posix.normalize(pathname);
  if (normalized.split('/').some((part) => part.startsWith('.') && part !== '')) return null;
  return normalized.replace(/^\/+/, '');
}

function isInside(root: string, file: string): boolean {
  const relative = path.relative(root, file);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

async function isDirectory(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isDirectory();
  } catch {
    return false;
  }
}

function isNotModified(req: IncomingMessage, etag: string, baseEtag: string, mtime: Date): boolean {
  const ifNoneMatch = header(req, 'if-none-match');
  if (ifNoneMatch !== undefined) {
    const tags = ifNoneMatch.split(',').map((t) => t.trim().replace(/^W\//, ''));
    return tags.includes('*') || tags.includes(etag) || tags.includes(baseEtag);
  }
  const since = Date.parse(header(req, 'if-modified-since') ?? '');
  return Number.isFinite(since) && Math.floor(mtime.getTime() / 1000) * 1000 <= since;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

const NOT_FOUND_PAGE = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8" /><meta name="viewport" content="width=device-width, initial-scale=1" /><title>Not found</title>
<style>body{font:1rem/1.5 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}</style></head>
<body><h1>Not found</h1><p>There is no such file here. The list of feeds is on the <a href="/">home page</a>.</p></body></html>
`;

export function notFound(res: ServerResponse, head: boolean): void {
  res.statusCode = 404;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Cache-Control', 'no-cache');
  res.end(head ? undefined : NOT_FOUND_PAGE);
}
