/**
 * Servers the end-to-end publishing tests start on 127.0.0.1: remote feeds with routes a test can
 * change between runs, and a fake WebSub hub that records what it is told.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { escapeXml } from '../../../src/publish/xml-text.js';
import { closedOrigin } from '../../helpers/closed-port.js';

export interface Route {
  status?: number;
  type?: string;
  body: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface TestServer {
  /** Base URL ending in "/". */
  url: string;
  /** Path → response; a path without a route answers 404. */
  routes: Map<string, Route>;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

function closer(server: Server): () => Promise<void> {
  return () =>
    new Promise<void>((resolve, reject) => {
      server.closeAllConnections();
      server.close((error) => (error ? reject(error) : resolve()));
    });
}

/** Answers each request from `routes`, recording it first. */
export async function startServer(routes: Record<string, Route> = {}): Promise<TestServer> {
  const table = new Map(Object.entries(routes));
  const requests: RecordedRequest[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const pathname = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
      requests.push({ method: request.method ?? '', path: pathname, headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      const route = table.get(pathname);
      if (!route) return void response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      response.writeHead(route.status ?? 200, { 'content-type': route.type ?? 'application/rss+xml; charset=utf-8' }).end(route.body);
    });
  });
  const url = await listen(server);
  return { url, routes: table, requests, close: closer(server) };
}

/** A WebSub hub that accepts (204) or fails (`status`) every publish ping at its root. */
export async function startFakeHub(status = 204): Promise<TestServer> {
  return startServer({ '/': { status, type: 'text/plain', body: status < 300 ? '' : 'hub failure' } });
}

/** A URL on 127.0.0.1 where nothing listens: the port was free a moment ago and is closed again. */
export async function closedPortUrl(): Promise<string> {
  return `${await closedOrigin()}/`;
}

export interface FeedEntry {
  title: string;
  link: string;
  date: string;
}

/** A small, valid RSS 2.0 document for a remote source. */
export function rssDocument(title: string, link: string, entries: FeedEntry[]): string {
  const items = entries.map(
    (e) =>
      `<item><title>${escapeXml(e.title)}</title><link>${escapeXml(e.link)}</link><guid>${escapeXml(e.link)}</guid>` +
      `<pubDate>${new Date(e.date).toUTCString()}</pubDate><description>${escapeXml(`About ${e.title}.`)}</description></item>`,
  );
  return `<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>${escapeXml(title)}</title><link>${escapeXml(link)}</link><description>${escapeXml(title)}</description>${items.join('')}</channel></rss>\n`;
}
