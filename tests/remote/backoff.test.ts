import { describe, expect, it } from 'vitest';
import { LOG_ERROR } from '../helpers/workspace.js';
import { feed, reply, sequence } from './helpers/fixture-server.js';
import { numberedItems, rssFeed } from './helpers/feeds.js';
import { testScope } from './helpers/scope.js';

const scope = testScope();

const MINUTE = 60_000;
const T0 = new Date('2030-03-01T12:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const delay = (state: { lastFetchAt: string | null; nextFetchAt: string | null }) => Date.parse(state.nextFetchAt!) - Date.parse(state.lastFetchAt!);

describe('429 and 503 with Retry-After', () => {
  it('429 + Retry-After: the error and status are recorded, `run` leaves the source alone until then, `run --all` fetches it (CLI)', async () => {
    const server = await scope.server();
    server.on('/limited.xml', reply({ status: 429, headers: { 'retry-after': '3600', 'content-type': 'text/plain' }, body: 'slow down' }));
    server.on('/good.xml', feed(rssFeed(numberedItems(1))));
    const h = await scope.harness({
      sources: [
        { id: 'limited', url: server.url('/limited.xml') },
        { id: 'good', url: server.url('/good.xml') },
      ],
    });

    const first = await h.cli();
    expect(first.code, first.stderr).toBe(0);
    const state = await h.state('limited');
    expect(state).toMatchObject({ lastStatus: 429, lastOutcome: 'error', lastErrorCode: 'FM_HTTP_STATUS', failures: 1 });
    expect(state.lastError).toMatch(/429/);
    expect(delay(state)).toBe(3600_000);
    const errors = first.logs.filter((r) => r.level === LOG_ERROR && r.source === 'limited');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ url: server.url('/limited.xml'), failures: 1, nextFetchAt: state.nextFetchAt });
    expect(errors[0]?.msg).toContain(server.url('/limited.xml'));
    expect(errors[0]?.msg).toMatch(/429/);

    const second = await h.cli();
    expect(second.code, second.stderr).toBe(0);
    expect(server.hits('/limited.xml')).toHaveLength(1);
    expect(server.hits('/good.xml')).toHaveLength(2);
    expect(second.logs.find((r) => r.event === 'run')).toMatchObject({ skipped: 1 });
    expect((await h.state('limited')).failures).toBe(1);

    const forced = await h.cli(['--all']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(server.hits('/limited.xml')).toHaveLength(2);
    expect((await h.state('limited')).failures).toBe(2);
  });

  it('`run --source <id>` fetches that source even while it is backing off', async () => {
    const server = await scope.server();
    server.on('/limited.xml', reply({ status: 429, headers: { 'retry-after': '3600' } }));
    const h = await scope.harness({ sources: [{ id: 'limited', url: server.url('/limited.xml') }] });
    await h.cli();
    await h.cli(['--source', 'limited']);
    expect(server.hits('/limited.xml')).toHaveLength(2);
  });

  it('503 + Retry-After in seconds: not fetched before that time, fetched after it', async () => {
    const server = await scope.server();
    server.on('/busy.xml', sequence(reply({ status: 503, headers: { 'retry-after': '600' } }), feed(rssFeed(numberedItems(2)))));
    const h = await scope.harness({ sources: [{ id: 'busy', url: server.url('/busy.xml') }] });

    await h.run({ now: T0 });
    const state = await h.state('busy');
    expect(state).toMatchObject({ lastStatus: 503, lastErrorCode: 'FM_HTTP_STATUS', failures: 1, nextFetchAt: at(600_000).toISOString() });

    const early = await h.run({ now: at(599_000) });
    expect(early.report.skippedSources).toEqual(['busy']);
    expect(server.hits('/busy.xml')).toHaveLength(1);

    await h.run({ now: at(600_000) });
    expect(server.hits('/busy.xml')).toHaveLength(2);
    expect(await h.state('busy')).toMatchObject({ lastStatus: 200, lastOutcome: 'ok', failures: 0, nextFetchAt: null, lastError: null });
    expect(await h.articles()).toHaveLength(2);
  });

  it('Retry-After as an HTTP date is honoured', async () => {
    const server = await scope.server();
    // The real clock: the fetcher reads an HTTP-date Retry-After against the time the answer arrives.
    const retryAt = new Date(Date.now() + 2 * 3600_000);
    server.on('/busy.xml', reply({ status: 503, headers: { 'retry-after': retryAt.toUTCString() } }));
    const h = await scope.harness({ sources: [{ id: 'busy', url: server.url('/busy.xml') }] });
    await h.run();
    const next = Date.parse((await h.state('busy')).nextFetchAt!);
    // toUTCString() drops milliseconds; a minute of slack covers a slow machine, not a speed assertion.
    expect(next).toBeGreaterThan(retryAt.getTime() - MINUTE);
    expect(next).toBeLessThanOrEqual(retryAt.getTime() + 1000);
  });

  it('a Retry-After shorter than the backoff does not shorten it', async () => {
    const server = await scope.server();
    server.on('/busy.xml', reply({ status: 503, headers: { 'retry-after': '1' } }));
    const h = await scope.harness({ sources: [{ id: 'busy', url: server.url('/busy.xml') }] });
    await h.run({ now: T0 });
    expect(delay(await h.state('busy'))).toBe(MINUTE);
  });
});

describe('500 and exponential backoff', () => {
  it('failures count up across runs, the next attempt moves further away each time, and stored items stay published', async () => {
    const server = await scope.server();
    server.on('/flaky.xml', sequence(feed(rssFeed(numberedItems(3))), reply({ status: 500, body: 'oops' })));
    const h = await scope.harness({ sources: [{ id: 'flaky', url: server.url('/flaky.xml') }] });

    await h.run({ now: T0 });
    expect(await h.articles()).toHaveLength(3);
    const published = await h.output('all/rss.xml');

    const delays: number[] = [];
    let now = at(MINUTE);
    for (let failure = 1; failure <= 4; failure++) {
      const { report } = await h.run({ now });
      expect(report.failedSources).toEqual(['flaky']);
      const state = await h.state('flaky');
      expect(state).toMatchObject({ failures: failure, lastStatus: 500, lastOutcome: 'error', lastErrorCode: 'FM_HTTP_STATUS', lastFetchAt: now.toISOString() });
      delays.push(delay(state));
      expect((await h.articles()).map((a) => a.title)).toEqual(['Item 3', 'Item 2', 'Item 1']);
      expect(await h.output('all/rss.xml')).toBe(published);
      now = new Date(state.nextFetchAt!);
    }
    expect(server.hits('/flaky.xml')).toHaveLength(5);
    expect(delays).toEqual([MINUTE, 2 * MINUTE, 4 * MINUTE, 8 * MINUTE]);
  });

  it('a source in backoff is not fetched by a run before its next attempt', async () => {
    const server = await scope.server();
    server.on('/down.xml', reply({ status: 500 }));
    const h = await scope.harness({ sources: [{ id: 'down', url: server.url('/down.xml') }] });
    await h.run({ now: T0 });
    const { report } = await h.run({ now: at(30_000) });
    expect(report.skippedSources).toEqual(['down']);
    expect(server.hits('/down.xml')).toHaveLength(1);
    await h.run({ now: at(30_000), all: true });
    expect(server.hits('/down.xml')).toHaveLength(2);
    expect((await h.state('down')).failures).toBe(2);
  });

  it('a success after failures resets the count and the next attempt', async () => {
    const server = await scope.server();
    server.on('/flaky.xml', sequence(reply({ status: 500 }), reply({ status: 502 }), feed(rssFeed(numberedItems(1)))));
    const h = await scope.harness({ sources: [{ id: 'flaky', url: server.url('/flaky.xml') }] });
    await h.run({ now: T0, all: true });
    await h.run({ now: T0, all: true });
    expect(await h.state('flaky')).toMatchObject({ failures: 2, lastStatus: 502 });
    await h.run({ now: T0, all: true });
    expect(await h.state('flaky')).toMatchObject({ failures: 0, nextFetchAt: null, lastStatus: 200, lastOutcome: 'ok', lastError: null, lastErrorCode: null });
    expect(await h.articles()).toHaveLength(1);
  });

  for (const status of [400, 401, 403, 404, 410]) {
    it(`HTTP ${status} is a recorded error with its status`, async () => {
      const server = await scope.server();
      server.on('/feed.xml', reply({ status }));
      const h = await scope.harness({ sources: [{ id: 'bad', url: server.url('/feed.xml') }] });
      const { logs } = await h.run({ now: T0 });
      expect(await h.state('bad')).toMatchObject({ lastStatus: status, lastErrorCode: 'FM_HTTP_STATUS', failures: 1 });
      expect(logs.filter((r) => r.level === LOG_ERROR && r.source === 'bad')).toHaveLength(1);
    });
  }
});
