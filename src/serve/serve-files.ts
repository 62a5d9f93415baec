import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { stat } from 'node:fs/promises';
import { cacheControlFor, CACHE_SECONDS, contentTypeFor, isFeed } from '../lib/content-types.js';
import { chooseEncoding, FileCache, type CachedFile } from './file-cache.js';
import { openInside, realFolder } from './confined-file.js';
import { setContentType } from './security-headers.js';
import type { SiteCopy } from '../publish/site-copies.js';

export interface FileServerOptions {
  outputDir: string;
  copies: SiteCopy[];
}

/**
 * Serves the output folder the way a careful static server would: the site copy chosen by the
 * Host header, conditional requests, br/gzip, HEAD, CORS on feeds, and no way out of the folder,
 * neither by the URL nor by a symlink inside it.
 */
export function createFileHandler(options: FileServerOptions) {
  const cache = new FileCache();
  const root = path.resolve(options.outputDir);
  const onion = options.copies.find((c) => c.kind === 'tor');
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const copy = copyFor(req.headers.host, options.copies);
    const found = await readRequested(cache, root, copy, req.url ?? '/');
    if (!found) return notFound(res, req.method === 'HEAD');
    if ('folder' in found) return redirectToFolder(res, found.folder);
    const { file, relative, cached } = found;
    const encoding = chooseEncoding(header(req, 'accept-encoding'), cached.identity.length);
    const etag = encoding === 'identity' ? cached.etag : `${cached.etag.slice(0, -1)}-${encoding}"`;
    setContentType(res, contentTypeFor(file));
    res.setHeader('ETag', etag);
    res.setHeader('Last-Modified', cached.mtime.toUTCString());
    res.setHeader('Vary', 'Accept-Encoding');
    res.setHeader('Cache-Control', cacheControlFor(relative));
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

type Requested = { file: string; relative: string; cached: CachedFile } | { folder: string };

/**
 * The file a URL names in a site copy, if it is a regular file really inside the output folder;
 * a folder named without its trailing slash is answered by a redirect to it, so that the links
 * of its index.html, which are relative, resolve inside it.
 */
async function readRequested(cache: FileCache, root: string, copy: SiteCopy, url: string): Promise<Requested | null> {
  const copyRoot = path.join(root, copy.dir);
  const relative = safeRelativePath(url);
  if (relative === null) return null;
  let file = path.join(copyRoot, relative);
  if (!isInside(copyRoot, file)) return null;
  const folderWithoutSlash = relative !== '' && !relative.endsWith('/') && (await isDirectory(file));
  if (relative === '' || relative.endsWith('/') || folderWithoutSlash) file = path.join(file, 'index.html');
  const realRoot = await realFolder(root);
  const opened = realRoot === null ? null : await openInside(realRoot, file);
  if (!opened) return null;
  try {
    // Only a folder whose index.html would be served is redirected to: any other is the same 404.
    if (folderWithoutSlash) return { folder: `${relative}/` };
    return { file, relative, cached: await cache.get(opened) };
  } finally {
    await opened.handle.close();
  }
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

/**
 * "/all" → "/all/". The Location is a path on this host built from the checked relative path
 * (leading slashes were stripped from it, so it cannot become "//other.host/"), re-encoded.
 */
function redirectToFolder(res: ServerResponse, folder: string): void {
  res.statusCode = 301;
  res.setHeader('Location', encodeURI(`/${folder}`));
  res.setHeader('Cache-Control', `public, max-age=${CACHE_SECONDS}`);
  res.end();
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

const NOT_FOUND_BYTES = Buffer.from(NOT_FOUND_PAGE);

export function notFound(res: ServerResponse, head: boolean): void {
  res.statusCode = 404;
  setContentType(res, 'text/html; charset=utf-8');
  res.setHeader('Cache-Control', 'no-cache');
  res.setHeader('Content-Length', NOT_FOUND_BYTES.length);
  res.end(head ? undefined : NOT_FOUND_BYTES);
}
