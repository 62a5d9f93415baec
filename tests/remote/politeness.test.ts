import { describe, expect, it } from 'vitest';
import type { Handler } from './helpers/fixture-server.js';
import { numberedItems, rssFeed } from './helpers/feeds.js';
import { testScope } from './helpers/scope.js';

const scope = testScope();

/** Answers after a pause and counts how many requests were in flight at once. */
function counting(counter: { now: number; max: number }): Handler {
  return (_request, response) => {
    counter.now++;
    counter.max = Math.max(counter.max, counter.now);
    setTimeout(() => {
      counter.now--;
      response.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rssFeed(numberedItems(1), { title: 'x' }));
    }, 50);
  };
}

describe('politeness: concurrency limits', () => {
  for (const [setting, limit] of [
    ['perHostConcurrency', 1],
    ['perHostConcurrency', 2],
    ['concurrency', 1],
  ] as const) {
    it(`${setting} ${limit}: never more than ${limit} request(s) at once to one host`, async () => {
      const server = await scope.server();
      const counter = { now: 0, max: 0 };
      const sources = Array.from({ length: 6 }, (_, i) => {
        server.on(`/feed${i}.xml`, counting(counter));
        return { id: `s${i}`, url: server.url(`/feed${i}.xml`) };
      });
      const h = await scope.harness({ sources, fetch: { [setting]: limit } });
      await h.run();
      expect(server.requests).toHaveLength(6);
      expect(counter.max).toBeLessThanOrEqual(limit);
      expect(counter.max).toBeGreaterThanOrEqual(1);
    });
  }

  it('perHostConcurrency 12: twelve requests to one host really are in flight at once (the pool has the sockets)', async () => {
    const server = await scope.server();
    const waiting: (() => void)[] = [];
    let max = 0;
    // Answers nothing until 12 requests are waiting, so the count is not left to timing; the
    // timer only keeps a broken pool from hanging the test (it then fails on the count).
    const release = () => waiting.splice(0).forEach((answer) => answer());
    const guard = setTimeout(release, 5_000);
    const sources = Array.from({ length: 12 }, (_, i) => {
      server.on(`/feed${i}.xml`, (_request, response) => {
        waiting.push(() => response.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rssFeed(numberedItems(1), { title: 'x' })));
        max = Math.max(max, waiting.length);
        if (waiting.length === 12) release();
      });
      return { id: `s${i}`, url: server.url(`/feed${i}.xml`) };
    });
    const h = await scope.harness({ sources, fetch: { perHostConcurrency: 12, concurrency: 16 } });
    await h.run();
    clearTimeout(guard);
    expect(server.requests).toHaveLength(12);
    expect(max).toBe(12);
  });
});
