/**
 * Feed servers on 127.0.0.1: the only network the mirror tests touch. A server renders
 * the fixture templates in tests/fixtures/mirrors/ with its own origin in place of {{BASE}}, so
 * the same fixture served by a mirror has every link on the mirror host. An origin can be
 * switched to answer every request with a status (403, 451) or closed (connection refused).
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { listenOnReservedPort } from '../../helpers/closed-port.js';

export const MIRROR_FIXTURES = fileURLToPath(new URL('../../fixtures/mirrors/', import.meta.url));

const TYPES: Record<string, string> = {
  '.xml': 'application/rss+xml; charset=utf-8',
  '.atom': 'application/atom+xml; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
};

/** A fixture file with {{BASE}} replaced by `origin` (no trailing slash). */
export function renderFixture(name: string, origin: string): string {
  return readFileSync(`${MIRROR_FIXTURES}${name}`, 'utf8').replaceAll('{{BASE}}', origin);
}

export interface FeedServer {
  /** "http://127.0.0.1:41234" (no trailing slash). */
  origin: string;
  /** "127.0.0.1:41234" */
  host: string;
  port: number;
  url(path: string): string;
  /** Paths requested so far. */
  requests: string[];
  /** Every request is answered with this status and no feed (null: serve the routes). */
  failWith(status: number | null): void;
  /** Stops listening: the port refuses connections from now on. */
  close(): Promise<void>;
}

export interface FeedServerOptions {
  /** Path prefix of the site on this server ("/mirror"): {{BASE}} becomes origin + prefix. */
  prefix?: string;
}

/** Serves `routes` (request path → fixture file name), each rendered with this server's origin (and prefix). */
export async function startFeedServer(routes: Record<string, string>, options: FeedServerOptions = {}): Promise<FeedServer> {
  const requests: string[] = [];
  let status: number | null = null;
  let closed = false;
  const server: Server = createServer((request, response) => {
    const path = request.url ?? '/';
    requests.push(path);
    if (status !== null) return void response.writeHead(status, { 'content-type': 'text/plain' }).end(`status ${status}`);
    const fixture = routes[path];
    if (!fixture) return void response.writeHead(404, { 'content-type': 'text/plain' }).end('no such fixture');
    const type = TYPES[path.slice(path.lastIndexOf('.'))] ?? 'application/xml; charset=utf-8';
    response.writeHead(200, { 'content-type': type }).end(renderFixture(fixture, `${origin}${options.prefix ?? ''}`));
  });
  // closed to make an origin refuse connections: a port no other test's server can take over
  const port = await listenOnReservedPort(server);
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    host: `127.0.0.1:${port}`,
    port,
    url: (path) => `${origin}${path}`,
    requests,
    failWith: (value) => void (status = value),
    close: () => {
      if (closed) return Promise.resolve();
      closed = true;
      server.closeAllConnections();
      return new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

/** Servers started by a test file, closed after each test. */
export class ServerScope {
  private readonly servers: FeedServer[] = [];

  async start(routes: Record<string, string>, options: FeedServerOptions = {}): Promise<FeedServer> {
    const server = await startFeedServer(routes, options);
    this.servers.push(server);
    return server;
  }

  async closeAll(): Promise<void> {
    for (const server of this.servers.splice(0)) await server.close();
  }
}
