import { describe, expect, it } from 'vitest';
import { LOG_ERROR } from '../helpers/workspace.js';
import { feed, fixtureBytes } from './helpers/fixture-server.js';
import { atomFeed, numberedItems, rssFeed } from './helpers/feeds.js';
import { logsMatching } from './helpers/harness.js';
import { testScope } from './helpers/scope.js';

const scope = testScope();

function page(head: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>A blog</title>
  <link rel="stylesheet" href="/style.css">
  ${head}
</head>
<body><h1>A blog</h1><p>Posts go here.</p></body>
</html>
`;
}

const HTML = 'text/html; charset=utf-8';

describe('HTML pages that advertise a feed', () => {
  it('the advertised RSS feed is fetched and used, a log line says so, and the next run goes straight to the feed', async () => {
    const server = await scope.server();
    server.on('/blog/', feed(page('<link rel="alternate" type="application/rss+xml" title="Posts" href="../feeds/posts.xml">'), HTML));
    server.on('/feeds/posts.xml', feed(rssFeed(numberedItems(2))));
    const h = await scope.harness({ sources: [{ id: 'blog', url: server.url('/blog/') }] });

    const { logs } = await h.run();
    expect((await h.articles()).map((a) => a.title)).toEqual(['Item 2', 'Item 1']);
    const said = logsMatching(logs, /HTML page/);
    expect(said).toHaveLength(1);
    expect(said[0]?.msg).toContain(server.url('/blog/'));
    expect(said[0]?.msg).toContain(server.url('/feeds/posts.xml'));
    expect(said[0]).toMatchObject({ source: 'blog' });
    expect(await h.state('blog')).toMatchObject({ lastOutcome: 'ok', url: server.url('/feeds/posts.xml') });

    await h.run();
    expect(server.hits('/blog/')).toHaveLength(1);
    expect(server.hits('/feeds/posts.xml')).toHaveLength(2);
  });

  it('an Atom feed advertised with application/atom+xml and an absolute URL', async () => {
    const server = await scope.server();
    const entry = '<entry><title>Atom entry</title><id>urn:x:1</id><link href="http://example.com/a1"/><updated>2025-01-01T00:00:00Z</updated></entry>';
    server.on('/', feed(page(`<link rel="alternate" type="application/atom+xml" href="${server.url('/atom.xml')}">`), HTML));
    server.on('/atom.xml', feed(atomFeed([entry]), 'application/atom+xml'));
    const h = await scope.harness({ sources: [{ id: 'site', url: server.url('/') }] });
    await h.run();
    expect((await h.articles()).map((a) => a.title)).toEqual(['Atom entry']);
  });

  it('a JSON Feed advertised with application/feed+json', async () => {
    const server = await scope.server();
    server.on('/', feed(page('<link rel="alternate" type="application/feed+json" href="/feed.json">'), HTML));
    server.on('/feed.json', feed(fixtureBytes('real/jsonfeed/simple-v1.1.json'), 'application/feed+json'));
    const h = await scope.harness({ sources: [{ id: 'site', url: server.url('/') }] });
    await h.run();
    expect(await h.articles()).toHaveLength(2);
  });

  it('a relative feed link is resolved against <base href>', async () => {
    const server = await scope.server();
    server.on('/page.html', feed(page('<base href="/sub/dir/"><link rel="alternate" type="application/rss+xml" href="feed.xml">'), HTML));
    server.on('/sub/dir/feed.xml', feed(rssFeed(numberedItems(1))));
    const h = await scope.harness({ sources: [{ id: 'site', url: server.url('/page.html') }] });
    await h.run();
    expect(await h.articles()).toHaveLength(1);
  });

  it('a page without a feed link is a clear error, and nothing else is fetched', async () => {
    const server = await scope.server();
    server.on('/', feed(page('<link rel="icon" href="/favicon.ico">'), HTML));
    const h = await scope.harness({ sources: [{ id: 'site', url: server.url('/') }] });
    const { logs } = await h.run();
    const state = await h.state('site');
    expect(state).toMatchObject({ lastOutcome: 'error', failures: 1 });
    expect(['FM_PARSE', 'FM_NOT_A_FEED']).toContain(state.lastErrorCode);
    expect(state.lastError).toMatch(/HTML page/);
    expect(state.lastError).toMatch(/no feed|advertises no/);
    const error = logs.find((r) => r.level === LOG_ERROR && r.source === 'site');
    expect(error?.msg).toContain(server.url('/'));
    expect(error?.msg).toMatch(/HTML page/);
    expect(server.requests.map((r) => r.path)).toEqual(['/']);
  });

  it('an advertised feed that is itself an HTML page is FM_NOT_A_FEED (no endless hopping)', async () => {
    const server = await scope.server();
    server.on('/', feed(page('<link rel="alternate" type="application/rss+xml" href="/other.html">'), HTML));
    server.on('/other.html', feed(page('<link rel="alternate" type="application/rss+xml" href="/">'), HTML));
    const h = await scope.harness({ sources: [{ id: 'site', url: server.url('/') }] });
    await h.run();
    expect(await h.state('site')).toMatchObject({ lastErrorCode: 'FM_NOT_A_FEED', failures: 1 });
    expect(server.requests).toHaveLength(2);
  });

  it('an advertised feed that fails (404) is recorded with its status', async () => {
    const server = await scope.server();
    server.on('/', feed(page('<link rel="alternate" type="application/rss+xml" href="/gone.xml">'), HTML));
    const h = await scope.harness({ sources: [{ id: 'site', url: server.url('/') }] });
    await h.run();
    expect(await h.state('site')).toMatchObject({ lastErrorCode: 'FM_HTTP_STATUS', lastStatus: 404, failures: 1 });
  });
});

describe('content sniffing: the body decides, not the Content-Type', () => {
  const CASES: { name: string; body: string | Buffer; contentType: string; count: number }[] = [
    { name: 'RSS served as text/html', body: rssFeed(numberedItems(2)), contentType: 'text/html; charset=utf-8', count: 2 },
    { name: 'RSS served as application/octet-stream', body: rssFeed(numberedItems(2)), contentType: 'application/octet-stream', count: 2 },
    { name: 'RSS served with no Content-Type at all', body: rssFeed(numberedItems(2)), contentType: '', count: 2 },
    { name: 'Atom served as text/plain', body: fixtureBytes('real/feed-rs/atom_spec_1.xml'), contentType: 'text/plain', count: 1 },
    { name: 'RDF served as text/html', body: fixtureBytes('real/feed-rs/rss_1.0_spec_1.xml'), contentType: 'text/html', count: 2 },
    { name: 'JSON Feed served as text/plain', body: fixtureBytes('real/jsonfeed/simple-v1.json'), contentType: 'text/plain; charset=utf-8', count: 2 },
    { name: 'JSON Feed served as text/html', body: fixtureBytes('real/jsonfeed/podcast-v1.1.json'), contentType: 'text/html', count: 1 },
    { name: 'JSON Feed served as application/json', body: fixtureBytes('real/feed-rs/jsonfeed_spec_1.json'), contentType: 'application/json', count: 1 },
  ];
  for (const c of CASES) {
    it(c.name, async () => {
      const server = await scope.server();
      server.on('/feed', (_req, res) => {
        res.writeHead(200, c.contentType ? { 'content-type': c.contentType } : {});
        res.end(c.body);
      });
      const h = await scope.harness({ sources: [{ id: 'sniffed', url: server.url('/feed') }] });
      await h.run();
      const state = await h.state('sniffed');
      expect(state, state.lastError ?? '').toMatchObject({ lastOutcome: 'ok' });
      expect(await h.articles()).toHaveLength(c.count);
    });
  }
});
