/**
 * The benchmark's feed server (a child process; 127.0.0.1 only). Serves N sources, each a feed of
 * 50 items generated from a fixture template (tests/fixtures/), with ETag and Last-Modified, and
 * writes the seed files.
 *
 *   node --import tsx bench/fixture-server.ts --sources 1000 --seeds-dir DIR [--seeds 200] [--items 50] [--port 0] [--gzip] [--validate]
 *
 * --validate drops templates from which the working tree's feedmirror does not read 50 distinct,
 * stable items (all of them pass at the time of writing; the cold scenario checks the count too).
 *
 * Prints one JSON line on stdout when ready: {"origin","sources","templates","bytes",…}.
 *
 * Feeds: GET /feeds/<index>   (index 0 … N-1, e.g. /feeds/0042)
 * Control (GET or POST):
 *   /_control/mode?set=200        every feed answers 200 with the whole body (validators ignored)
 *   /_control/mode?set=304        validators honoured: If-None-Match / If-Modified-Since that match → 304
 *   /_control/mode?set=churn[&fraction=0.1&items=5]
 *                                 the first fraction×N sources publish `items` new items each (the oldest
 *                                 drop out, new ETag and Last-Modified); validators honoured
 *   /_control/dump?dir=DIR        writes every current body to DIR/<index>.body and DIR/manifest.json
 *   /_control/stats[?reset=1]     requests by status since the last reset
 *   /_control/sources             the source list (index, url, template, format, charset, bytes)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import zlib from 'node:zlib';
import { generateFeed, loadTemplates, type FeedTemplate } from './lib/feed-templates.js';
import { writeSeedFiles } from './lib/seeds.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface ManifestEntry {
  index: number;
  url: string;
  file: string;
  contentType: string;
  etag: string;
  lastModified: string;
  format: string;
  charset: string;
  template: string;
  items: number;
  bytes: number;
}

interface SourceState {
  index: number;
  template: FeedTemplate;
  /** Items published after the first `items` (the feed window slides by this many). */
  offset: number;
  version: number;
  body: Buffer;
  gzipped: Buffer | null;
  etag: string;
  lastModified: string;
}

const { values: args } = parseArgs({
  options: {
    sources: { type: 'string', default: '1000' },
    items: { type: 'string', default: '50' },
    seeds: { type: 'string', default: '200' },
    'seeds-dir': { type: 'string' },
    port: { type: 'string', default: '0' },
    gzip: { type: 'boolean', default: false },
    validate: { type: 'boolean', default: false },
  },
});

const SOURCES = Number(args.sources);
const ITEMS = Number(args.items);
const GZIP = args.gzip === true;

async function main() {
  const { templates: candidates, skipped } = loadTemplates(path.join(ROOT, 'tests', 'fixtures'));
  // Off by default: the feed set must not depend on the feedmirror version being measured.
  const templates = args.validate ? await validateTemplates(candidates, skipped) : candidates;
  if (templates.length === 0) throw new Error('no usable feed template');
  const order = interleaveByFormat(templates);
  let mode: '200' | '304' = '200';
  const stats = { requests: 0, byStatus: {} as Record<string, number>, bytes: 0 };
  const state: SourceState[] = [];
  for (let i = 0; i < SOURCES; i++) state.push(build({ index: i, template: order[i % order.length]!, offset: 0, version: 0 }));

  if (args['seeds-dir']) writeSeedFiles(path.join(ROOT, 'seeds', '000_d7ec912073c84491.txt'), args['seeds-dir'], Number(args.seeds));

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname.startsWith('/_control/')) return control(url, response);
    const match = /^\/feeds\/(\d+)$/.exec(url.pathname);
    const source = match ? state[Number(match[1])] : undefined;
    stats.requests++;
    if (!source) return send(response, 404, { 'content-type': 'text/plain' }, 'no such feed');
    const headers: Record<string, string> = { 'content-type': source.template.contentType, etag: source.etag, 'last-modified': source.lastModified, 'cache-control': 'max-age=0' };
    if (mode === '304' && notModified(request, source)) return send(response, 304, headers);
    if (GZIP && /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''))) {
      source.gzipped ??= zlib.gzipSync(source.body);
      return send(response, 200, { ...headers, 'content-encoding': 'gzip', vary: 'accept-encoding', 'content-length': String(source.gzipped.length) }, source.gzipped);
    }
    return send(response, 200, { ...headers, 'content-length': String(source.body.length) }, source.body);
  });
  server.keepAliveTimeout = 30_000;
  server.headersTimeout = 35_000;

  function send(response: ServerResponse, status: number, headers: Record<string, string>, body?: string | Buffer) {
    stats.byStatus[status] = (stats.byStatus[status] ?? 0) + 1;
    if (body) stats.bytes += typeof body === 'string' ? Buffer.byteLength(body) : body.length;
    response.writeHead(status, headers).end(body);
  }

  function control(url: URL, response: ServerResponse) {
    const reply = (value: unknown) => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    switch (url.pathname) {
      case '/_control/mode': {
        const set = url.searchParams.get('set');
        if (set === '200' || set === '304') mode = set;
        else if (set === 'churn') {
          mode = '304';
          const fraction = Number(url.searchParams.get('fraction') ?? '0.1');
          const items = Number(url.searchParams.get('items') ?? '5');
          const changed = state.slice(0, Math.ceil(fraction * SOURCES));
          for (const s of changed) state[s.index] = build({ index: s.index, template: s.template, offset: s.offset + items, version: s.version + 1 });
          return reply({ mode, changed: changed.map((s) => s.index), items });
        } else return void response.writeHead(400).end('set=200|304|churn');
        return reply({ mode });
      }
      case '/_control/dump': {
        const dir = url.searchParams.get('dir');
        if (!dir) return void response.writeHead(400).end('dir=');
        mkdirSync(dir, { recursive: true });
        const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        const manifest: ManifestEntry[] = state.map((s) => {
          const file = path.join(dir, `${feedPath(s.index).slice('/feeds/'.length)}.body`);
          writeFileSync(file, s.body);
          return {
            index: s.index, url: `${origin}${feedPath(s.index)}`, file, contentType: s.template.contentType, etag: s.etag, lastModified: s.lastModified,
            format: s.template.format, charset: s.template.charset, template: s.template.name, items: ITEMS, bytes: s.body.length,
          };
        });
        writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 1));
        return reply({ files: manifest.length, bytes: manifest.reduce((n, m) => n + m.bytes, 0) });
      }
      case '/_control/stats': {
        const copy = structuredClone(stats);
        if (url.searchParams.get('reset')) Object.assign(stats, { requests: 0, byStatus: {}, bytes: 0 });
        return reply(copy);
      }
      case '/_control/sources':
        return reply(state.map((s) => ({ index: s.index, path: feedPath(s.index), template: s.template.name, format: s.template.format, charset: s.template.charset, bytes: s.body.length, offset: s.offset })));
      default:
        return void response.writeHead(404).end();
    }
  }

  await new Promise<void>((resolve) => server.listen(Number(args.port), '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const bytes = state.map((s) => s.body.length);
  const count = (key: (s: SourceState) => string) => state.reduce<Record<string, number>>((acc, s) => ((acc[key(s)] = (acc[key(s)] ?? 0) + 1), acc), {});
  process.stdout.write(
    `${JSON.stringify({
      ready: true,
      origin: `http://127.0.0.1:${port}`,
      sources: SOURCES,
      items: ITEMS,
      templates: templates.length,
      skippedTemplates: skipped,
      bytes: { total: bytes.reduce((a, b) => a + b, 0), min: Math.min(...bytes), max: Math.max(...bytes), median: [...bytes].sort((a, b) => a - b)[bytes.length >> 1] },
      formats: count((s) => s.template.format),
      charsets: count((s) => s.template.charset),
    })}\n`,
  );
  const stop = () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

export function feedPath(index: number): string {
  return `/feeds/${String(index).padStart(4, '0')}`;
}

function build(s: Pick<SourceState, 'index' | 'template' | 'offset' | 'version'>): SourceState {
  const { body } = generateFeed(s.template, s.index, s.offset, ITEMS);
  return {
    ...s,
    body,
    gzipped: null,
    etag: `"${s.index.toString(36)}-${s.version}-${body.length.toString(36)}"`,
    lastModified: new Date(Date.UTC(2024, 5, 1) + s.version * 3_600_000 + s.index * 1000).toUTCString(),
  };
}

/** The way static servers do it: If-None-Match decides when present, else If-Modified-Since. */
function notModified(request: IncomingMessage, source: SourceState): boolean {
  const inm = request.headers['if-none-match'];
  if (inm !== undefined) return inm.split(',').some((tag) => tag.trim() === source.etag || tag.trim() === '*');
  const ims = request.headers['if-modified-since'];
  return ims !== undefined && Date.parse(ims) >= Date.parse(source.lastModified);
}

/** Round robin over formats, so every slice of the source list mixes RSS, Atom, RDF and JSON Feed. */
function interleaveByFormat(templates: FeedTemplate[]): FeedTemplate[] {
  const byFormat = new Map<string, FeedTemplate[]>();
  for (const t of templates) byFormat.set(t.format, [...(byFormat.get(t.format) ?? []), t]);
  const lists = [...byFormat.values()];
  const out: FeedTemplate[] = [];
  for (let i = 0; out.length < templates.length; i++) {
    for (const list of lists) if (i < list.length) out.push(list[i]!);
  }
  return out;
}

/**
 * Keeps the templates from which feedmirror itself reads `ITEMS` distinct articles, and whose
 * next version shares all but the churned items (so ids are stable and unique per source).
 */
async function validateTemplates(templates: FeedTemplate[], skipped: { name: string; reason: string }[]): Promise<FeedTemplate[]> {
  const { parseFeedBody } = await import('../src/ingest/parse-feed.js');
  const { DEFAULT_ITEM_LIMITS, normalizeItem } = await import('../src/normalize/normalize-item.js');
  const ids = async (t: FeedTemplate, offset: number) => {
    const url = 'http://127.0.0.1:1/feeds/0000';
    const outcome = await parseFeedBody(generateFeed(t, 0, offset, ITEMS).body, t.contentType, url);
    if (outcome.kind !== 'feed') throw new Error('not a feed');
    const context = { sourceId: 's0000', sourceTitle: null, responseUrl: url, mirrors: { publisher: [], directory: null }, hostAliases: {}, now: new Date(0), limits: DEFAULT_ITEM_LIMITS };
    return outcome.feed.items.map((item) => normalizeItem(outcome.feed, item, context).id);
  };
  const kept: FeedTemplate[] = [];
  for (const t of templates) {
    try {
      const first = await ids(t, 0);
      const next = await ids(t, 5);
      const unique = new Set(first).size;
      const shared = next.filter((id) => first.includes(id)).length;
      if (first.length !== ITEMS || unique !== ITEMS) skipped.push({ name: t.name, reason: `feedmirror reads ${first.length} items, ${unique} distinct` });
      else if (shared !== ITEMS - 5) skipped.push({ name: t.name, reason: `ids not stable across versions (${shared} shared)` });
      else kept.push(t);
    } catch (error) {
      skipped.push({ name: t.name, reason: `feedmirror cannot read it: ${(error as Error).message.split('\n')[0]}` });
    }
  }
  return kept;
}

await main();
