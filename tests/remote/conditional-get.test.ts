import { utimes } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { feed, fixtureText, sequence, validated } from './helpers/fixture-server.js';
import { numberedItems, rssFeed } from './helpers/feeds.js';
import { testScope } from './helpers/scope.js';
import { ON_POSTGRES } from '../helpers/test-store.js';

const scope = testScope();

const ETAG = '"feed-v1"';
const LAST_MODIFIED = 'Mon, 02 Jun 2025 10:00:00 GMT';
/** A date far from now: a file rewritten by a later run cannot keep it. */
const OLD_TIME = new Date('2001-01-01T00:00:00Z');

async function backdate(feedsDir: string, files: string[]): Promise<void> {
  for (const file of files) await utimes(path.join(feedsDir, file), OLD_TIME, OLD_TIME);
}

describe('conditional GET', () => {
  it('a second run sends If-None-Match and If-Modified-Since, gets 304, stores nothing and rewrites no file (CLI)', async () => {
    const { server, h } = await scope.newsFeed(validated(rssFeed(numberedItems(3)), { etag: ETAG, lastModified: LAST_MODIFIED }));

    const first = await h.cli();
    expect(first.code, first.stderr).toBe(0);
    const stored = await h.articles();
    expect(stored.map((a) => a.title)).toEqual(['Item 3', 'Item 2', 'Item 1']);
    const files = Object.keys(await h.outputTimes());
    expect(files).toEqual(expect.arrayContaining(['all/rss.xml', 'all/atom.xml', 'all/feed.json']));
    await backdate(h.feedsDir, files);

    const second = await h.cli();
    expect(second.code, second.stderr).toBe(0);
    const [, conditional] = server.hits('/feed.xml');
    expect(conditional?.headers['if-none-match']).toBe(ETAG);
    expect(conditional?.headers['if-modified-since']).toBe(LAST_MODIFIED);
    expect(conditional?.status).toBe(304);

    expect(await h.articles()).toEqual(stored);
    for (const mtime of Object.values(await h.outputTimes())) expect(mtime).toBe(OLD_TIME.getTime());
    const summary = second.logs.find((record) => record.event === 'run');
    expect(summary).toMatchObject({ fetched: 0, notModified: 1, failed: 0, inserted: 0, updated: 0, filesWritten: 0 });
    expect(await h.state('news')).toMatchObject({ lastStatus: 304, lastOutcome: 'not-modified', etag: ETAG, lastModified: LAST_MODIFIED, failures: 0, lastError: null });
  });

  it('RSS, Atom and JSON Feed sources all unchanged: every request is conditional, every answer 304, no file rewritten', async () => {
    const server = await scope.server();
    server.on('/rss.xml', validated(rssFeed(numberedItems(2)), { etag: '"rss-1"', lastModified: LAST_MODIFIED }));
    server.on('/atom.xml', validated(fixtureText('real/feed-rs/atom_spec_1.xml'), { etag: 'W/"atom-1"', contentType: 'application/atom+xml' }));
    server.on('/feed.json', validated(fixtureText('real/jsonfeed/podcast-v1.1.json'), { lastModified: LAST_MODIFIED, contentType: 'application/feed+json' }));
    const h = await scope.harness({
      sources: [
        { id: 'rss', url: server.url('/rss.xml') },
        { id: 'atom', url: server.url('/atom.xml') },
        { id: 'json', url: server.url('/feed.json') },
      ],
    });
    await h.run();
    expect(await h.articles()).toHaveLength(4);
    const files = Object.keys(await h.outputTimes());
    await backdate(h.feedsDir, files);

    const { report } = await h.run();
    expect(report.notModified).toBe(3);
    expect(report.fetched).toBe(0);
    expect(report.published.written).toEqual([]);
    for (const path of ['/rss.xml', '/atom.xml', '/feed.json']) expect(server.hits(path).map((r) => r.status), path).toEqual([200, 304]);
    expect(server.hits('/atom.xml')[1]?.headers['if-none-match']).toBe('W/"atom-1"');
    for (const mtime of Object.values(await h.outputTimes())) expect(mtime).toBe(OLD_TIME.getTime());
  });

  it('the in-process run reports no file written on a 304', async () => {
    const { server, h } = await scope.newsFeed(validated(rssFeed(numberedItems(2)), { etag: ETAG }));
    const first = await h.run();
    expect(first.report.published.written.length).toBeGreaterThan(0);
    const second = await h.run();
    expect(server.hits('/feed.xml')[1]?.status).toBe(304);
    expect(second.report.notModified).toBe(1);
    expect(second.report.stored).toEqual({ inserted: 0, updated: 0, unchanged: 0 });
    expect(second.report.published.written).toEqual([]);
  });

  it('with only Last-Modified, the second request carries If-Modified-Since alone', async () => {
    const { server, h } = await scope.newsFeed(validated(rssFeed(numberedItems(1)), { lastModified: LAST_MODIFIED }));
    await h.run();
    await h.run();
    const [first, second] = server.hits('/feed.xml');
    expect(first?.headers['if-modified-since']).toBeUndefined();
    expect(first?.headers['if-none-match']).toBeUndefined();
    expect(second?.headers['if-modified-since']).toBe(LAST_MODIFIED);
    expect(second?.headers['if-none-match']).toBeUndefined();
    expect(second?.status).toBe(304);
    expect((await h.state('news')).lastOutcome).toBe('not-modified');
  });

  it('a feed that changed answers 200: the new item is stored and the new validators are sent next time', async () => {
    const { server, h } = await scope.newsFeed(
      sequence(
        validated(rssFeed(numberedItems(1)), { etag: '"v1"' }),
        validated(rssFeed(numberedItems(2)), { etag: '"v2"' }),
        validated(rssFeed(numberedItems(2)), { etag: '"v2"' }),
      ),
    );
    await h.run();
    const changed = await h.run();
    expect(changed.report.stored.inserted).toBe(1);
    expect((await h.articles()).map((a) => a.title)).toEqual(['Item 2', 'Item 1']);
    await h.run();
    expect(server.hits('/feed.xml').map((r) => r.headers['if-none-match'])).toEqual([undefined, '"v1"', '"v2"']);
    expect(server.hits('/feed.xml').map((r) => r.status)).toEqual([200, 200, 304]);
  });

  it('a server without validators gets no conditional headers, and unchanged content still rewrites no file', async () => {
    const { server, h } = await scope.newsFeed(feed(rssFeed(numberedItems(2))));
    await h.run();
    const second = await h.run();
    expect(server.hits('/feed.xml')[1]?.headers['if-none-match']).toBeUndefined();
    expect(server.hits('/feed.xml')[1]?.headers['if-modified-since']).toBeUndefined();
    expect(second.report.stored).toMatchObject({ inserted: 0, updated: 0 });
    expect(second.report.published.written).toEqual([]);
  });

  it('requests name feedmirror, its version and its project URL in the User-Agent, and accept gzip, deflate and br', async () => {
    const { server, h } = await scope.newsFeed(feed(rssFeed(numberedItems(1))));
    await h.cli();
    const [request] = server.hits('/feed.xml');
    // on PostgreSQL the worker's id follows the URL, so the fixture's logs tell workers apart
    expect(request?.headers['user-agent']).toMatch(ON_POSTGRES ? /^feedmirror\/\d+\.\d+\.\d+ \(\+https?:\/\/[^\s;]+; worker \S+\)$/ : /^feedmirror\/\d+\.\d+\.\d+ \(\+https?:\/\/\S+\)/);
    expect(request?.headers['accept-encoding']).toMatch(/gzip/);
    expect(request?.headers['accept-encoding']).toMatch(/br/);
    expect(request?.headers['accept-encoding']).toMatch(/deflate/);
  });
});
