/**
 * A feed server on 127.0.0.1 for fleet tests: `/feed/<n>.xml` answers an RSS feed of its own after
 * a delay, and every request is logged with its source, when it arrived and ended (this process's
 * clock), and the worker named in its User-Agent ("…; worker <id>)"). It also counts the requests
 * in progress at once, the figure a per-host limit bounds.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { numberedItems, rssFeed } from '../remote/helpers/feeds.js';

export interface FleetRequest {
  source: number;
  worker: string | null;
  startedAt: number;
  /** null while the response is pending, or if it never completed (the client went away). */
  endedAt: number | null;
}

export interface FleetFeedServer {
  url(source: number): string;
  log: FleetRequest[];
  /** The most requests in progress at once so far. */
  maxConcurrent(): number;
  /** Responses wait this long (ms); changeable while running. */
  latencyMs: number;
  /** While set, responses wait until it is called (held() lists them). */
  hold(): () => void;
  close(): Promise<void>;
}

const WORKER_IN_AGENT = /; worker ([^)\s]+)\)/;

export async function startFleetFeedServer(latencyMs: number, itemsPerFeed = 3): Promise<FleetFeedServer> {
  const log: FleetRequest[] = [];
  let current = 0;
  let max = 0;
  let gate: Promise<void> | null = null;
  const state = { latencyMs };
  const server = createServer((request, response) => {
    const match = /^\/feed\/(\d+)\.xml$/.exec(request.url ?? '');
    if (!match) return void response.writeHead(404).end();
    const entry: FleetRequest = { source: Number(match[1]), worker: WORKER_IN_AGENT.exec(request.headers['user-agent'] ?? '')?.[1] ?? null, startedAt: Date.now(), endedAt: null };
    log.push(entry);
    max = Math.max(max, ++current);
    let open = true;
    const done = () => {
      if (!open) return;
      open = false;
      current--;
    };
    response.on('close', done);
    void answer(response, entry, itemsPerFeed, state.latencyMs, gate).then(() => {
      entry.endedAt = Date.now();
      done();
    }, done);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (source) => `http://127.0.0.1:${port}/feed/${source}.xml`,
    log,
    maxConcurrent: () => max,
    get latencyMs() {
      return state.latencyMs;
    },
    set latencyMs(ms: number) {
      state.latencyMs = ms;
    },
    hold() {
      let release!: () => void;
      gate = new Promise<void>((resolve) => (release = resolve));
      return () => {
        gate = null;
        release();
      };
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

async function answer(response: ServerResponse, entry: FleetRequest, items: number, latencyMs: number, gate: Promise<void> | null): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, latencyMs));
  if (gate) await gate;
  if (response.destroyed) throw new Error('client went away');
  const body = rssFeed(numberedItems(items, `http://example.com/s${entry.source}/`), { title: `Feed ${entry.source}` });
  await new Promise<void>((resolve) => response.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8' }).end(body, resolve));
}
