import { describe, expect, it } from 'vitest';
import { LOG_ERROR } from '../helpers/workspace.js';
import { feed, redirect } from './helpers/fixture-server.js';
import { numberedItems, rssFeed } from './helpers/feeds.js';
import { logsMatching } from './helpers/harness.js';
import { testScope } from './helpers/scope.js';

const scope = testScope();

describe('redirects', () => {
  for (const status of [302, 303, 307]) {
    it(`a temporary ${status} is followed, and the stored URL stays the configured one`, async () => {
      const server = await scope.server();
      server.on('/feed.xml', redirect(status, '/elsewhere.xml'));
      server.on('/elsewhere.xml', feed(rssFeed(numberedItems(2))));
      const h = await scope.harness({ sources: [{ id: 'news', url: server.url('/feed.xml') }] });

      await h.run();
      expect((await h.articles()).map((a) => a.title)).toEqual(['Item 2', 'Item 1']);
      expect(await h.state('news')).toMatchObject({ url: server.url('/feed.xml'), lastStatus: 200, lastOutcome: 'ok', failures: 0 });

      await h.run();
      expect(server.hits('/feed.xml')).toHaveLength(2);
    });
  }

  for (const status of [301, 308]) {
    it(`a permanent ${status} updates the stored URL, is logged, and the next run goes straight to the new URL`, async () => {
      const server = await scope.server();
      server.on('/old.xml', redirect(status, server.url('/new.xml')));
      server.on('/new.xml', feed(rssFeed(numberedItems(2))));
      const h = await scope.harness({ sources: [{ id: 'news', url: server.url('/old.xml') }] });

      const first = await h.run();
      expect((await h.articles()).map((a) => a.title)).toEqual(['Item 2', 'Item 1']);
      expect((await h.state('news')).url).toBe(server.url('/new.xml'));
      const moved = logsMatching(first.logs, /moved permanently/);
      expect(moved).toHaveLength(1);
      expect(moved[0]?.msg).toContain(server.url('/old.xml'));
      expect(moved[0]?.msg).toContain(server.url('/new.xml'));
      expect(moved[0]).toMatchObject({ source: 'news' });

      await h.run();
      expect(server.hits('/old.xml')).toHaveLength(1);
      expect(server.hits('/new.xml')).toHaveLength(2);
    });
  }

  it('a permanent redirect after a temporary one does not move the stored URL (the chain is not permanent)', async () => {
    const server = await scope.server();
    server.on('/feed.xml', redirect(302, '/step.xml'));
    server.on('/step.xml', redirect(301, '/final.xml'));
    server.on('/final.xml', feed(rssFeed(numberedItems(1))));
    const h = await scope.harness({ sources: [{ id: 'news', url: server.url('/feed.xml') }] });
    await h.run();
    expect(await h.articles()).toHaveLength(1);
    expect((await h.state('news')).url).toBe(server.url('/feed.xml'));
  });

  it('the permanent move is logged by the CLI too', async () => {
    const server = await scope.server();
    server.on('/old.xml', redirect(301, '/new.xml'));
    server.on('/new.xml', feed(rssFeed(numberedItems(1))));
    const h = await scope.harness({ sources: [{ id: 'news', url: server.url('/old.xml') }] });
    const result = await h.cli();
    expect(result.code, result.stderr).toBe(0);
    expect(logsMatching(result.logs, /moved permanently/)).toHaveLength(1);
  });

  it('a redirect loop is recorded as FM_REDIRECT_LOOP and logged; other sources are still published', async () => {
    const server = await scope.server();
    server.on('/a.xml', redirect(302, '/b.xml'));
    server.on('/b.xml', redirect(302, '/a.xml'));
    server.on('/good.xml', feed(rssFeed(numberedItems(1))));
    const h = await scope.harness({
      sources: [
        { id: 'loop', url: server.url('/a.xml') },
        { id: 'good', url: server.url('/good.xml') },
      ],
    });
    const { report, logs } = await h.run();
    expect(report.failedSources).toEqual(['loop']);
    expect(await h.state('loop')).toMatchObject({ lastErrorCode: 'FM_REDIRECT_LOOP', lastOutcome: 'error', failures: 1 });
    const errors = logs.filter((r) => r.level === LOG_ERROR && r.source === 'loop');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'FM_REDIRECT_LOOP', url: server.url('/a.xml') });
    expect(errors[0]?.msg).toMatch(/redirect loop/);
    expect(await h.output('all/rss.xml')).toContain('Item 1');
  });

  it('more redirects than the limit is FM_TOO_MANY_REDIRECTS', async () => {
    const server = await scope.server();
    for (let i = 0; i < 10; i++) server.on(`/hop${i}.xml`, redirect(302, `/hop${i + 1}.xml`));
    server.on('/hop10.xml', feed(rssFeed(numberedItems(1))));
    const h = await scope.harness({ sources: [{ id: 'far', url: server.url('/hop0.xml') }], fetch: { maxRedirects: 3 } });
    await h.run();
    expect(await h.state('far')).toMatchObject({ lastErrorCode: 'FM_TOO_MANY_REDIRECTS', failures: 1 });
    expect(server.hits('/hop4.xml')).toHaveLength(0);
    expect(await h.articles()).toEqual([]);
  });

  it('exactly the limit of redirects still works', async () => {
    const server = await scope.server();
    for (let i = 0; i < 3; i++) server.on(`/hop${i}.xml`, redirect(307, `/hop${i + 1}.xml`));
    server.on('/hop3.xml', feed(rssFeed(numberedItems(1))));
    const h = await scope.harness({ sources: [{ id: 'near', url: server.url('/hop0.xml') }], fetch: { maxRedirects: 3 } });
    await h.run();
    expect(await h.state('near')).toMatchObject({ lastOutcome: 'ok', lastErrorCode: null });
    expect(await h.articles()).toHaveLength(1);
  });

  for (const target of ['file:///etc/passwd', 'ftp://127.0.0.1/feed.xml', 'javascript:alert(1)']) {
    it(`a redirect to ${target.split(':')[0]}: is refused with FM_BAD_REDIRECT`, async () => {
      const server = await scope.server();
      server.on('/feed.xml', redirect(301, target));
      const h = await scope.harness({ sources: [{ id: 'sneaky', url: server.url('/feed.xml') }] });
      const { logs } = await h.run();
      const state = await h.state('sneaky');
      expect(state).toMatchObject({ lastErrorCode: 'FM_BAD_REDIRECT', failures: 1 });
      // Never moved to the refused target (null = "still the configured URL").
      expect(state.url ?? state.configUrl).toBe(server.url('/feed.xml'));
      expect(logs.filter((r) => r.level === LOG_ERROR && r.code === 'FM_BAD_REDIRECT')).toHaveLength(1);
      expect(await h.articles()).toEqual([]);
    });
  }

  it('a redirect without a Location header is an HTTP error, not a crash', async () => {
    const server = await scope.server();
    server.on('/feed.xml', (_req, res) => void res.writeHead(302).end());
    const h = await scope.harness({ sources: [{ id: 'odd', url: server.url('/feed.xml') }] });
    await h.run();
    expect(await h.state('odd')).toMatchObject({ lastOutcome: 'error', lastStatus: 302, lastErrorCode: 'FM_HTTP_STATUS' });
  });
});
