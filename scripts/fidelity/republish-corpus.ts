/**
 * Republishes corpus files through the real pipeline: each file is served by an HTTP server on
 * 127.0.0.1 and becomes a source with an output of its own, many sources per `runOnce`, in a
 * throw-away project folder. Returns each file's published feed.json (or why there is none).
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/load-config.js';
import { runOnce } from '../../src/pipeline/run-once.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';

export interface CorpusDocument {
  /** Path relative to the corpus root, as the scorer names it: "wellformed/rss/item_title.xml". */
  relative: string;
  bytes: Buffer;
}

export interface Republished {
  /** The output's feed.json, parsed; null when the source failed and nothing was published. */
  feed: JsonFeed | null;
  /** Why the source failed (its error code and message), else null. */
  error: string | null;
}

export interface JsonFeed {
  items: Record<string, unknown>[];
}

export interface RepublishOptions {
  /** Sources per pipeline run. */
  batchSize: number;
  /** The run's clock: undated items are stamped with it. */
  now: Date;
  /** Keep each batch's project folder (config, database, feeds/) here instead of deleting it. */
  keepDir: string | null;
  onBatch?: (done: number, total: number) => void;
}

const SITE_URL = 'https://fidelity.example/';
/** Every corpus file is at most a few kilobytes; no limit of ours may cut what feedparser reads. */
const OUTPUT_LIMIT = 10_000;

export async function republishCorpus(documents: CorpusDocument[], options: RepublishOptions): Promise<Map<string, Republished>> {
  const { server, origin } = await serve(documents);
  const results = new Map<string, Republished>();
  try {
    for (let first = 0; first < documents.length; first += options.batchSize) {
      const batch = documents.slice(first, first + options.batchSize);
      for (const [i, result] of (await republishBatch(batch, first, origin, options)).entries()) results.set(batch[i]!.relative, result);
      options.onBatch?.(Math.min(first + options.batchSize, documents.length), documents.length);
    }
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  return results;
}

/** Serves document n at /corpus/<n> as application/xml: the bytes (BOM, XML declaration) decide the charset, as on disk. */
async function serve(documents: CorpusDocument[]): Promise<{ server: Server; origin: string }> {
  const server = createServer((request, response) => {
    const n = /^\/corpus\/(\d+)$/.exec(request.url ?? '')?.[1];
    const document = n === undefined ? undefined : documents[Number(n)];
    if (!document) return void response.writeHead(404, { 'content-type': 'text/plain' }).end('no such corpus file');
    response.writeHead(200, { 'content-type': 'application/xml' }).end(document.bytes);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const sourceId = (n: number) => `f${n}`;

async function republishBatch(batch: CorpusDocument[], first: number, origin: string, options: RepublishOptions): Promise<Republished[]> {
  const dir = options.keepDir ? path.join(options.keepDir, `batch-${first}`) : await mkdtemp(path.join(os.tmpdir(), 'feedmirror-fidelity-'));
  await mkdir(dir, { recursive: true });
  const ids = batch.map((_, i) => sourceId(first + i));
  try {
    const configPath = path.join(dir, 'feedmirror.config.json');
    await writeFile(configPath, `${JSON.stringify(batchConfig(ids, (i) => `${origin}/corpus/${first + i}`), null, 2)}\n`);
    const config = await loadConfig(configPath);
    const store = openSqliteStore(config.database);
    let report;
    try {
      report = await runOnce({ config, store, logger: pino({ level: 'silent' }), now: () => new Date(options.now) });
    } finally {
      await store.close();
    }
    const { failedSources, problems } = report;
    return Promise.all(
      ids.map(async (id) => {
        if (failedSources.includes(id)) {
          const problem = problems.find((p) => p.sourceId === id);
          return { feed: null, error: problem ? `${problem.code}: ${problem.message}` : 'the source failed' };
        }
        return { feed: JSON.parse(await readFile(path.join(dir, 'feeds', id, 'feed.json'), 'utf8')) as JsonFeed, error: null };
      }),
    );
  } finally {
    if (!options.keepDir) await rm(dir, { recursive: true, force: true });
  }
}

function batchConfig(ids: string[], urlOf: (i: number) => string): Record<string, unknown> {
  return {
    site: { url: SITE_URL, title: 'feedmirror fidelity run', mirrors: [] },
    database: 'data/feedmirror.db',
    outputDir: 'feeds',
    // The corpus server is on loopback; nothing else is reached.
    fetch: { allowPrivateNetworks: true, concurrency: 16, perHostConcurrency: 16 },
    sources: ids.map((id, i) => ({ id, url: urlOf(i) })),
    outputs: ids.map((id) => ({ id, title: `Corpus ${id}`, sources: [id], limit: OUTPUT_LIMIT, archive: false })),
  };
}
