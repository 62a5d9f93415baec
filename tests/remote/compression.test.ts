import { describe, expect, it } from 'vitest';
import { compressed, reply, type Coding } from './helpers/fixture-server.js';
import { numberedItems, rssFeed } from './helpers/feeds.js';
import { testScope } from './helpers/scope.js';

const scope = testScope();

const CASES: { coding: Coding; label: string }[] = [
  { coding: 'gzip', label: 'gzip' },
  { coding: 'x-gzip', label: 'x-gzip' },
  { coding: 'deflate', label: 'deflate (zlib-wrapped, as the spec says)' },
  { coding: 'deflate-raw', label: 'deflate (raw DEFLATE, as some servers send it)' },
  { coding: 'br', label: 'br' },
];

describe('compressed bodies', () => {
  for (const { coding, label } of CASES) {
    it(`${label} is decoded`, async () => {
      const server = await scope.server();
      const body = rssFeed([...numberedItems(3), { title: 'Ünïcödé survives compression — 日本', link: 'http://example.com/u', guid: 'http://example.com/u' }]);
      server.on('/feed.xml', compressed(body, coding));
      const h = await scope.harness({ sources: [{ id: 'zipped', url: server.url('/feed.xml') }] });
      await h.run();
      expect(await h.state('zipped')).toMatchObject({ lastOutcome: 'ok', lastErrorCode: null });
      expect((await h.articles()).map((a) => a.title).sort()).toEqual(['Item 1', 'Item 2', 'Item 3', 'Ünïcödé survives compression — 日本']);
    });
  }

  it('a corrupt gzip body is a recorded error, not a crash', async () => {
    const server = await scope.server();
    server.on('/feed.xml', reply({ body: Buffer.from('this is not gzip at all'), headers: { 'content-type': 'application/rss+xml', 'content-encoding': 'gzip' } }));
    const h = await scope.harness({ sources: [{ id: 'broken', url: server.url('/feed.xml') }] });
    const { report } = await h.run();
    expect(report.failedSources).toEqual(['broken']);
    expect(await h.state('broken')).toMatchObject({ lastOutcome: 'error', lastErrorCode: 'FM_DECODE', failures: 1 });
  });
});
