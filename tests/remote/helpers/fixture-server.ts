/**
 * An HTTP server on 127.0.0.1 (port 0) that the remote-feed tests script route by route: the only
 * network these tests touch. It records every request it sees, so a test can assert what feedmirror
 * sent (conditional headers, User-Agent) and what it did not fetch at all.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

export interface SeenRequest {
  method: string;
  /** Path and query, as requested. */
  path: string;
  headers: IncomingHttpHeaders;
  /** HTTP status the handler answered with. */
  status?: number;
}

export type Handler = (request: IncomingMessage, response: ServerResponse, seen: SeenRequest) => void | Promise<void>;

export interface FixtureServer {
  /** e.g. http://127.0.0.1:41234 (no trailing slash) */
  origin: string;
  url(path: string): string;
  /** Answers requests for `path` (path and query, exactly) with `handler`; replaces an earlier one. */
  on(path: string, handler: Handler): void;
  requests: SeenRequest[];
  /** Requests seen for one path. */
  hits(path: string): SeenRequest[];
  close(): Promise<void>;
}

export async function startFixtureServer(): Promise<FixtureServer> {
  const routes = new Map<string, Handler>();
  const requests: SeenRequest[] = [];
  const server = createServer((request, response) => {
    const seen: SeenRequest = { method: request.method ?? 'GET', path: request.url ?? '/', headers: request.headers };
    requests.push(seen);
    response.on('finish', () => (seen.status = response.statusCode));
    const handler = routes.get(seen.path);
    if (!handler) return void response.writeHead(404, { 'content-type': 'text/plain' }).end('no such fixture');
    Promise.resolve(handler(request, response, seen)).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500).end(String(error));
      else response.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    url: (path) => `${origin}${path}`,
    on: (path, handler) => void routes.set(path, handler),
    requests,
    hits: (path) => requests.filter((r) => r.path === path),
    close: () =>
      new Promise<void>((resolve, reject) => {
        // Slow-response handlers may still hold sockets open: cut them rather than wait.
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

export interface Reply {
  status?: number;
  headers?: Record<string, string | number | string[]>;
  body?: string | Buffer;
}

/** The same answer to every request. */
export function reply({ status = 200, headers = {}, body = '' }: Reply): Handler {
  return (_request, response) => {
    response.writeHead(status, headers).end(body);
  };
}

/** A feed body with its Content-Type (default RSS in UTF-8). */
export function feed(body: string | Buffer, contentType = 'application/rss+xml; charset=utf-8', headers: Reply['headers'] = {}): Handler {
  return reply({ body, headers: { 'content-type': contentType, ...headers } });
}

/** The n-th request gets the n-th handler; the last one answers every request after that. */
export function sequence(...handlers: Handler[]): Handler {
  let n = 0;
  return (request, response, seen) => handlers[Math.min(n++, handlers.length - 1)]!(request, response, seen);
}

/** A redirect to `location` with the given status. */
export function redirect(status: number, location: string): Handler {
  return reply({ status, headers: { location, 'content-type': 'text/html' }, body: `<a href="${location}">moved</a>` });
}

export interface Validators {
  etag?: string;
  lastModified?: string;
  contentType?: string;
}

/**
 * A feed served with ETag and/or Last-Modified that answers 304 when the request's validators
 * match, the way static file servers do. `body` may change between runs (a function).
 */
export function validated(body: string | (() => string), validators: Validators): Handler {
  return (request, response) => {
    const text = typeof body === 'function' ? body() : body;
    const headers: Record<string, string> = { 'content-type': validators.contentType ?? 'application/rss+xml; charset=utf-8' };
    if (validators.etag) headers.etag = validators.etag;
    if (validators.lastModified) headers['last-modified'] = validators.lastModified;
    const etagMatches = validators.etag !== undefined && request.headers['if-none-match'] === validators.etag;
    const dateMatches = validators.lastModified !== undefined && request.headers['if-modified-since'] === validators.lastModified;
    if (etagMatches || (request.headers['if-none-match'] === undefined && dateMatches)) return void response.writeHead(304, headers).end();
    response.writeHead(200, headers).end(text);
  };
}

export type Coding = 'gzip' | 'x-gzip' | 'deflate' | 'deflate-raw' | 'br';

export function compress(body: string | Buffer, coding: Coding): Buffer {
  switch (coding) {
    case 'gzip':
    case 'x-gzip':
      return zlib.gzipSync(body);
    case 'deflate':
      return zlib.deflateSync(body);
    case 'deflate-raw':
      return zlib.deflateRawSync(body);
    case 'br':
      return zlib.brotliCompressSync(body);
  }
}

/** The body compressed with `coding`, labelled with the Content-Encoding a server would send for it. */
export function compressed(body: string, coding: Coding, contentType = 'application/rss+xml; charset=utf-8'): Handler {
  const bytes = compress(body, coding);
  const encoding = coding === 'deflate-raw' ? 'deflate' : coding;
  return reply({ body: bytes, headers: { 'content-type': contentType, 'content-encoding': encoding, 'content-length': bytes.length } });
}

/**
 * Sends headers and `head`, then one small chunk every `everyMs` until the client goes away:
 * a feed that never finishes. Never ends on its own, so only a total deadline stops it.
 */
export function drip(head: string, everyMs = 50): Handler {
  return (request, response) => {
    response.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8' });
    response.write(head);
    const timer = setInterval(() => response.write('<!-- . -->\n'), everyMs);
    const stop = () => clearInterval(timer);
    request.socket.on('close', stop);
    response.on('close', stop);
  };
}

/** Never answers at all (no headers): only a timeout ends the request. */
export function silent(): Handler {
  return () => {};
}

const FEEDS = fileURLToPath(new URL('../../fixtures/feeds/', import.meta.url));

/** The bytes of a fixture under tests/fixtures/feeds/. */
export function fixtureBytes(relative: string): Buffer {
  return readFileSync(`${FEEDS}${relative}`);
}

export function fixtureText(relative: string): string {
  return fixtureBytes(relative).toString('utf8');
}
