/**
 * A harvest that outlasts its lease (a full-text feed whose pages answer slowly) is not handed to
 * a second worker while the first is alive: the worker renews the leases it is working on.
 */
import { describe, expect, it } from 'vitest';
import { opsConfig } from '../operations/helpers/configs.js';
import { opsScope, waitFor, waitForExit, waitForLogs } from '../operations/helpers/ops-scope.js';
import { startFixtureServer, type Handler } from '../remote/helpers/fixture-server.js';
import { rssFeed } from '../remote/helpers/feeds.js';
import { writeConfig } from '../helpers/workspace.js';
import { queryDatabase } from '../helpers/test-store.js';

const scope = opsScope();

/** The shortest lease the start-up check allows with a 5 s fetch timeout (it must exceed the timeout + 10 s). */
const FETCH_TIMEOUT_MS = 5_000;
const LEASE_SECONDS = 16;
/** 28 pages, 1.5 s each, 2 at a time (fetch.perHostConcurrency): about 21 s of harvest, past the lease. */
const PAGES = 28;
const PAGE_DELAY_MS = 1_500;

function slowPage(n: number, times: number[]): Handler {
  return (_request, response) => {
    times.push(Date.now());
    const timer = setTimeout(() => response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      .end(`<!doctype html><html><head><title>Story ${n}</title></head><body><article><h1>Story ${n}</h1>${`<p>Paragraph of story ${n}, long enough for the extractor to call it the article body.</p>`.repeat(12)}</article></body></html>`), PAGE_DELAY_MS);
    response.on('close', () => clearTimeout(timer));
  };
}

describe('a harvest longer than the lease', () => {
  it('two daemons, one full-text source taking ~21 s with a 16 s lease: fetched once, stored once, no lease lost', async () => {
    const server = await startFixtureServer();
    scope.defer(() => server.close());
    const items = Array.from({ length: PAGES }, (_, n) => ({ title: `Story ${n}`, link: server.url(`/story/${n}.html`), guid: `story-${n}`, pubDate: new Date(Date.UTC(2026, 0, 1, 0, n)).toUTCString(), description: 'Short.' }));
    server.on('/feed.xml', (_request, response) => void response.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rssFeed(items, { title: 'Slow pages', link: server.url('/') })));
    const pageTimes: number[] = [];
    for (let n = 0; n < PAGES; n++) server.on(`/story/${n}.html`, slowPage(n, pageTimes));

    const config = {
      ...opsConfig({ sources: [{ id: 'slow', url: server.url('/feed.xml'), interval: 3600, fullText: { maxPerRun: PAGES } }] }),
      fetch: { allowPrivateNetworks: true, totalTimeoutMs: FETCH_TIMEOUT_MS },
      cluster: { lease: LEASE_SECONDS, publishDebounce: 0 },
    };
    const ws = await scope.workspace({ config });
    const workers = [];
    for (const workerId of ['w1', 'w2']) {
      const file = ws.file(`worker-${workerId}.json`);
      await writeConfig(file, { ...config, database: ws.databasePath, cluster: { ...config.cluster, workerId } });
      const child = scope.start(['daemon', '--config', file, '--log-format', 'json', '--grace', '300'], { cwd: ws.dir });
      await waitForLogs(child, (r) => r.event === 'start', `worker ${workerId} to start`);
      workers.push(child);
    }
    const stored = () => queryDatabase(ws.databasePath, async (sql) => (await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM articles WHERE source_id = 'slow'`)[0]!.n);
    await waitFor(async () => (await stored()) === PAGES, `${PAGES} articles stored`, 90_000);
    // the harvest did outlast the lease (a second worker would have taken the source before the end), or this test tests nothing
    expect(Math.max(...pageTimes) + PAGE_DELAY_MS - Math.min(...pageTimes)).toBeGreaterThan(LEASE_SECONDS * 1000);
    for (const worker of workers) worker.signal('SIGTERM');
    for (const worker of workers) expect((await waitForExit(worker)).code).toBe(0);
    expect(server.hits('/feed.xml'), 'the feed was fetched by one worker only').toHaveLength(1);
    // each page once at most (one that timed out on a loaded machine is left for the next run)
    const pages = server.requests.filter((r) => r.path.startsWith('/story/')).map((r) => r.path);
    expect(pages.length).toBe(new Set(pages).size);
    for (const worker of workers) expect(worker.logs().filter((r) => r.event === 'lease-lost')).toEqual([]);
  }, 150_000);
});
