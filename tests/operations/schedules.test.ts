/**
 * Per-source schedules: `interval` ("1h", or seconds) and `schedule` (cron, in schedule.timezone)
 * decide when `run` fetches a source again; `--all` and `--source ID` override that; seeds are
 * re-read on every run and re-ingested only when their content changed. Times go through
 * runOnce's injected clock (the harness's `now`), never the wall clock.
 */
import { readFile, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeConfig, SAMPLE_SEED, type Workspace } from '../helpers/workspace.js';
import { scheduleTick } from '../helpers/test-store.js';
import { runCliInProcess } from '../helpers/in-process-cli.js';
import { feed } from '../remote/helpers/fixture-server.js';
import { numberedItems, rssFeed } from '../remote/helpers/feeds.js';
import { remoteConfig, type SourceSpec } from '../remote/helpers/harness.js';
import { testScope } from '../remote/helpers/scope.js';
import { nextAttemptAfterSuccess } from '../../src/pipeline/backoff.js';
import { nextCronTime } from '../../src/lib/cron-next.js';
import { opsConfig } from './helpers/configs.js';
import { events, opsScope } from './helpers/ops-scope.js';

const scope = testScope();

/** `feedmirror run` as cron starts it, at the next tick of schedule.cron (scheduleTick). */
async function cronRun(ws: Workspace) {
  await scheduleTick(ws.databasePath);
  return runCliInProcess(['run', '--config', ws.configPath, '--log-format', 'json'], { cwd: ws.dir });
}
const ops = opsScope();

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const T0 = new Date('2030-03-01T12:07:30.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

/** A source spec with schedule keys (the harness's SourceSpec does not name them; the config does). */
const scheduled = (spec: SourceSpec & { interval?: string | number; schedule?: string }) => spec as SourceSpec;

async function oneFeedHarness(extra: { interval?: string | number; schedule?: string }) {
  const server = await scope.server();
  server.on('/news.xml', feed(rssFeed(numberedItems(2))));
  const h = await scope.harness({ sources: [scheduled({ id: 'news', url: server.url('/news.xml'), ...extra })] });
  return { server, h };
}

describe('interval', () => {
  it('a source with interval "1h" is fetched once, not on the next `run`, and again with `run --all` (CLI)', async () => {
    const { server, h } = await oneFeedHarness({ interval: '1h' });

    const first = await h.cli();
    expect(first.code, first.stderr).toBe(0);
    expect(server.hits('/news.xml')).toHaveLength(1);
    const state = await h.state('news');
    expect(Date.parse(state.nextFetchAt!) - Date.parse(state.lastFetchAt!)).toBe(HOUR);

    const second = await h.cli();
    expect(second.code, second.stderr).toBe(0);
    expect(server.hits('/news.xml')).toHaveLength(1);
    expect(events(second.logs, 'run')[0]).toMatchObject({ skipped: 1, fetched: 0 });

    const forced = await h.cli(['--all']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(server.hits('/news.xml')).toHaveLength(2);
    expect(events(forced.logs, 'run')[0]).toMatchObject({ skipped: 0, fetched: 1 });
  });

  it('the source is due again exactly one interval after its last fetch (injected clock)', async () => {
    const { server, h } = await oneFeedHarness({ interval: '1h' });
    await h.run({ now: T0 });
    expect((await h.state('news')).nextFetchAt).toBe(at(HOUR).toISOString());

    const early = await h.run({ now: at(HOUR - 1000) });
    expect(early.report.skippedSources).toEqual(['news']);
    expect(server.hits('/news.xml')).toHaveLength(1);

    await h.run({ now: at(HOUR) });
    expect(server.hits('/news.xml')).toHaveLength(2);
    expect((await h.state('news')).nextFetchAt).toBe(at(2 * HOUR).toISOString());
  });

  it('an interval given as a number is seconds', async () => {
    const { h } = await oneFeedHarness({ interval: 90 });
    await h.run({ now: T0 });
    expect((await h.state('news')).nextFetchAt).toBe(at(90_000).toISOString());
  });

  it('a source with neither interval nor schedule is due on every run', async () => {
    const { server, h } = await oneFeedHarness({});
    await h.run({ now: T0 });
    expect((await h.state('news')).nextFetchAt).toBeNull();
    await h.run({ now: at(1000) });
    expect(server.hits('/news.xml')).toHaveLength(2);
  });
});

describe('--source', () => {
  it('`run --source ID` fetches only that source, even when it is not due', async () => {
    const server = await scope.server();
    server.on('/a.xml', feed(rssFeed(numberedItems(1, 'http://example.com/a/'))));
    server.on('/b.xml', feed(rssFeed(numberedItems(1, 'http://example.com/b/'))));
    const h = await scope.harness({
      sources: [scheduled({ id: 'a', url: server.url('/a.xml'), interval: '1h' }), scheduled({ id: 'b', url: server.url('/b.xml') })],
    });

    const onlyB = await h.cli(['--source', 'b']);
    expect(onlyB.code, onlyB.stderr).toBe(0);
    expect(server.hits('/a.xml')).toHaveLength(0);
    expect(server.hits('/b.xml')).toHaveLength(1);
    expect(events(onlyB.logs, 'run')[0]).toMatchObject({ sources: 1, fetched: 1 });

    await h.cli(); // a is fetched and now waits an hour
    expect(server.hits('/a.xml')).toHaveLength(1);
    const onlyA = await h.cli(['--source', 'a']);
    expect(onlyA.code, onlyA.stderr).toBe(0);
    expect(server.hits('/a.xml')).toHaveLength(2);
    expect(server.hits('/b.xml')).toHaveLength(2);
  });

  it('an unknown id is a usage error (exit 1) naming it; nothing is fetched', async () => {
    const { server, h } = await oneFeedHarness({});
    const result = await h.cli(['--source', 'nope']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('nope');
    expect(server.hits('/news.xml')).toHaveLength(0);
  });
});

describe('cron schedule', () => {
  it('a source with schedule "*/15 * * * *" is next due at the next matching minute, not before', async () => {
    const { server, h } = await oneFeedHarness({ schedule: '*/15 * * * *' });
    await h.run({ now: T0 }); // 12:07:30
    expect((await h.state('news')).nextFetchAt).toBe('2030-03-01T12:15:00.000Z');

    const early = await h.run({ now: new Date('2030-03-01T12:14:59.000Z') });
    expect(early.report.skippedSources).toEqual(['news']);
    await h.run({ now: new Date('2030-03-01T12:15:00.000Z') });
    expect(server.hits('/news.xml')).toHaveLength(2);
    expect((await h.state('news')).nextFetchAt).toBe('2030-03-01T12:30:00.000Z');
  });

  it('cron schedules are read in schedule.timezone', async () => {
    const server = await scope.server();
    server.on('/news.xml', feed(rssFeed(numberedItems(1))));
    const sources = [scheduled({ id: 'news', url: server.url('/news.xml'), schedule: '0 9 * * *' })];
    const h = await scope.harness({ sources });
    await writeConfig(h.configPath, { ...remoteConfig({ sources }), schedule: { timezone: 'Asia/Kolkata' } });
    await h.run({ now: new Date('2030-03-01T00:00:00.000Z') }); // 05:30 in Kolkata (UTC+5:30)
    expect((await h.state('news')).nextFetchAt).toBe('2030-03-01T03:30:00.000Z'); // 09:00 there
  });

  it('nextAttemptAfterSuccess: schedule wins over interval; an hour boundary and a day boundary', () => {
    const now = new Date('2030-03-01T23:59:30.000Z');
    expect(nextAttemptAfterSuccess({ schedule: '0 * * * *', interval: '5m' }, now, 'UTC')).toBe('2030-03-02T00:00:00.000Z');
    expect(nextAttemptAfterSuccess({ schedule: '30 6 * * *' }, now, 'UTC')).toBe('2030-03-02T06:30:00.000Z');
    expect(nextAttemptAfterSuccess({ interval: '2d' }, now, 'UTC')).toBe('2030-03-03T23:59:30.000Z');
    expect(nextAttemptAfterSuccess({}, now, 'UTC')).toBeNull();
  });

  it('a schedule with a seconds field (six fields) is next due at the next matching second, not the next minute', () => {
    const now = new Date('2030-03-01T23:59:30.400Z');
    expect(nextCronTime('* * * * * *', now, 'UTC').toISOString()).toBe('2030-03-01T23:59:31.000Z');
    expect(nextCronTime('*/20 * * * * *', now, 'UTC').toISOString()).toBe('2030-03-01T23:59:40.000Z');
    expect(nextCronTime('15 * * * * *', now, 'UTC').toISOString()).toBe('2030-03-02T00:00:15.000Z');
    expect(nextCronTime('0 0 9 * * *', now, 'UTC').toISOString()).toBe('2030-03-02T09:00:00.000Z');
    expect(nextCronTime('*/15 * * * *', now, 'UTC').toISOString()).toBe('2030-03-02T00:00:00.000Z');
  });
});

describe('seeds are re-read on every run (on PostgreSQL: every run at a tick of schedule.cron)', () => {
  const OTHER_SEED = '001_0123456789abcdef.txt';

  it('a changed seed file updates its article; an unchanged one (even with a new mtime) does not', async () => {
    const ws = await ops.workspace({ config: opsConfig() });
    const sample = await readFile(path.join(ws.seedsDir, SAMPLE_SEED), 'utf8');
    const other = path.join(ws.seedsDir, OTHER_SEED);
    await writeFile(other, sample.replace(/^[^\n]+/, 'A second article about the same briefing'));
    const run = () => cronRun(ws);

    const first = await run();
    expect(first.code, first.stderr).toBe(0);
    expect(events(first.logs, 'run')[0]).toMatchObject({ inserted: 2, updated: 0 });

    const again = await run();
    expect(events(again.logs, 'run')[0]).toMatchObject({ inserted: 0, updated: 0, unchanged: 2, filesWritten: 0 });

    const touched = new Date(Date.now() + 60_000);
    await utimes(path.join(ws.seedsDir, SAMPLE_SEED), touched, touched);
    const afterTouch = await run();
    expect(events(afterTouch.logs, 'run')[0]).toMatchObject({ inserted: 0, updated: 0, unchanged: 2, filesWritten: 0 });

    const NEW_PARAGRAPH = 'An added paragraph that only the second run can know about.';
    await writeFile(other, `${await readFile(other, 'utf8')}\n\n${NEW_PARAGRAPH}\n`);
    const changed = await run();
    expect(changed.code, changed.stderr).toBe(0);
    expect(events(changed.logs, 'run')[0]).toMatchObject({ inserted: 0, updated: 1, unchanged: 1 });
    expect(await readFile(path.join(ws.feedsDir, 'all', 'rss.xml'), 'utf8')).toContain(NEW_PARAGRAPH);
    expect(await readFile(path.join(ws.feedsDir, 'articles', '0123456789abcdef.html'), 'utf8')).toContain(NEW_PARAGRAPH);
  });

  it('a seed file added between runs is published by the next run', async () => {
    const ws = await ops.workspace({ config: opsConfig() });
    const run = () => cronRun(ws);
    await run();
    const sample = await readFile(path.join(ws.seedsDir, SAMPLE_SEED), 'utf8');
    await writeFile(path.join(ws.seedsDir, OTHER_SEED), sample.replace(/^[^\n]+/, 'Added later'));
    const next = await run();
    expect(events(next.logs, 'run')[0]).toMatchObject({ inserted: 1, unchanged: 1 });
    expect(await readFile(path.join(ws.feedsDir, 'all', 'rss.xml'), 'utf8')).toContain('Added later');
  });
});
