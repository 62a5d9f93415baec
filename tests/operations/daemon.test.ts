/**
 * `feedmirror daemon` as a child process on a schedule of every second: it runs repeatedly, stops
 * cleanly on SIGTERM in the middle of a fetch that would outlast the grace period, and reloads its
 * config on SIGHUP. Waits poll the JSON log lines on stderr, with upper bounds only.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { feed, type FixtureServer } from '../remote/helpers/fixture-server.js';
import { numberedItems, rssFeed } from '../remote/helpers/feeds.js';
import { writeConfig, type Workspace } from '../helpers/workspace.js';
import { xmllint } from '../helpers/validators.js';
import { w3cErrorLines, w3cValidate } from '../helpers/w3c-validator.js';
import { openStore } from '../../src/store/open-store.js';
import { inspectStore, nothingHeld } from '../helpers/test-store.js';
import { opsConfig } from './helpers/configs.js';
import { events, opsScope, waitFor, waitForExit, waitForLogs, type CliChild } from './helpers/ops-scope.js';
import { stalledFeed } from './helpers/slow-feeds.js';

const scope = opsScope();
const EVERY_SECOND = { cron: '* * * * * *', timezone: 'UTC' };
const GRACE_MS = 500;

function newsConfig(server: FixtureServer, extraSources: Record<string, unknown>[] = []) {
  return opsConfig({ schedule: EVERY_SECOND, sources: [{ id: 'seeds', seeds: 'seeds' }, { id: 'news', url: server.url('/news.xml') }, ...extraSources] });
}

function startDaemon(ws: Workspace, ...extra: string[]): CliChild {
  return scope.start(['daemon', '--config', ws.configPath, '--log-format', 'json', '--grace', String(GRACE_MS), ...extra], { cwd: ws.dir });
}

const runLines = (child: CliChild) => events(child.logs(), 'run');

async function integrityCheck(databasePath: string): Promise<string> {
  return (await inspectStore(databasePath)).integrity;
}

/** Starts the daemon, waits for two runs, then makes the feed stall and sends SIGTERM once its fetch has begun. */
async function stopDuringSlowFetch() {
  const server = await scope.server();
  server.on('/news.xml', feed(rssFeed(numberedItems(3))));
  const ws = await scope.workspace({ config: newsConfig(server) });
  const daemon = startDaemon(ws);

  await waitForLogs(daemon, (r) => r.event === 'run', 'two "run" summary lines', 2);
  // On PostgreSQL a window harvests what it claimed, which may be the seeds folder alone.
  await waitFor(() => server.hits('/news.xml').length >= 2, 'two fetches of the news feed');
  // From now on the feed sends its headers and a few bytes, then nothing: the next run's fetch
  // would outlast any grace period, so only the daemon's abort can end it.
  const slow = stalledFeed('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>Slow</title>\n');
  server.on('/news.xml', slow.handler);
  await slow.arrived;
  const runsBeforeStop = events(daemon.logs(), 'run').length;
  daemon.signal('SIGTERM');
  const exit = await waitForExit(daemon, 'the daemon to stop after SIGTERM');
  const logs = daemon.logs();
  const stopIndex = logs.findIndex((r) => r.event === 'stop');
  return { server, ws, daemon, slow, exit, logs, stopIndex, runsBeforeStop, runsAfterStop: logs.slice(Math.max(stopIndex, 0)).filter((r) => r.event === 'run') };
}

describe('daemon: schedule and shutdown', () => {
  it('runs on a schedule of every second (at least two runs), then SIGTERM during a slow fetch: exit 0, "stopped", lock and claims released, store consistent', async () => {
    const { server, ws, daemon, slow, exit, logs, stopIndex, runsBeforeStop, runsAfterStop } = await stopDuringSlowFetch();

    expect(runsBeforeStop).toBeGreaterThanOrEqual(2);
    expect(server.hits('/news.xml').length).toBeGreaterThanOrEqual(3);
    expect(exit, daemon.stderr()).toEqual({ code: 0, signal: null });
    await slow.abandoned; // the daemon hung up on the fetch instead of waiting for the body
    expect(stopIndex, daemon.stderr()).toBeGreaterThanOrEqual(0);
    expect(logs[stopIndex]).toMatchObject({ reason: 'SIGTERM' });
    expect(logs.at(-1)).toMatchObject({ event: 'stopped', msg: expect.stringMatching(/stopped/) });
    // The interrupted run still finishes (publishing what it has); no run starts after the stop.
    expect(runsAfterStop, daemon.stderr()).toHaveLength(1);
    expect(events(logs, 'run')).toHaveLength(runsBeforeStop + 1);

    expect(await nothingHeld(ws.databasePath)).toBe(true);
    expect(await integrityCheck(ws.databasePath)).toBe('ok');
    const store = await openStore(ws.databasePath);
    try {
      expect(await store.countArticles(['news'])).toBe(3);
    } finally {
      await store.close();
    }
    for (const file of ['rss.xml', 'atom.xml']) {
      const lint = await xmllint(path.join(ws.feedsDir, 'all', file));
      expect(lint.ok, lint.stderr).toBe(true);
    }
    expect(w3cErrorLines(await w3cValidate(['rss.xml', 'atom.xml'].map((f) => path.join(ws.feedsDir, 'all', f))), ws.feedsDir)).toEqual([]);
  });

  it('a fetch cut short by the shutdown is not the source\'s fault: no error logged, counted as aborted (not failed, not "not due"), still due', async () => {
    const { ws, daemon, exit, logs, runsAfterStop } = await stopDuringSlowFetch();
    expect(exit.code, daemon.stderr()).toBe(0);
    expect(logs.filter((r) => r.source === 'news' && r.level >= 50), daemon.stderr()).toEqual([]);
    expect(runsAfterStop[0], daemon.stderr()).toMatchObject({ failed: 0, skipped: 0, aborted: 1, msg: expect.stringMatching(/0 failed, 0 not due, 1 aborted\)/) });
    const store = await openStore(ws.databasePath);
    try {
      const state = (await store.getSourceStates()).get('news');
      expect(state).toMatchObject({ failures: 0, lastOutcome: 'ok', nextFetchAt: null });
    } finally {
      await store.close();
    }
  });

  it('SIGINT stops it the same way (exit 0, "stopped")', async () => {
    const server = await scope.server();
    server.on('/news.xml', feed(rssFeed(numberedItems(1))));
    const ws = await scope.workspace({ config: newsConfig(server) });
    const daemon = startDaemon(ws);
    await waitForLogs(daemon, (r) => r.event === 'run', 'a "run" summary line');
    daemon.signal('SIGINT');
    const exit = await waitForExit(daemon);
    expect(exit, daemon.stderr()).toEqual({ code: 0, signal: null });
    expect(events(daemon.logs(), 'stop')[0]).toMatchObject({ reason: 'SIGINT' });
    expect(events(daemon.logs(), 'stopped')).toHaveLength(1);
    expect(await nothingHeld(ws.databasePath)).toBe(true);
  });

  it('--no-initial-run waits for the schedule: with a yearly schedule it runs nothing before SIGTERM', async () => {
    const ws = await scope.workspace({ config: opsConfig({ schedule: { cron: '0 0 1 1 *', timezone: 'UTC' } }) });
    const daemon = startDaemon(ws, '--no-initial-run');
    const [start] = await waitForLogs(daemon, (r) => r.event === 'start', 'the "start" line');
    expect(start).toMatchObject({ cron: '0 0 1 1 *', timezone: 'UTC' });
    daemon.signal('SIGTERM');
    expect((await waitForExit(daemon)).code, daemon.stderr()).toBe(0);
    expect(runLines(daemon)).toHaveLength(0);
    expect(existsSync(ws.feedsDir)).toBe(false);
  });

  it('an invalid config at start is a usage error: exit 1 with the key path, no daemon', async () => {
    const ws = await scope.workspace({ config: opsConfig({ schedule: { cron: 'every minute', timezone: 'UTC' } }) });
    const daemon = startDaemon(ws);
    const exit = await waitForExit(daemon);
    expect(exit.code).toBe(1);
    expect(daemon.stderr()).toContain('schedule.cron');
    expect(daemon.stderr()).toContain(ws.configPath);
  });
});

describe('daemon: SIGHUP', () => {
  it('an invalid config is logged with the reason and the old one kept (the daemon keeps running); a valid changed one is logged "config reloaded" and used', async () => {
    const server = await scope.server();
    server.on('/news.xml', feed(rssFeed(numberedItems(1))));
    server.on('/extra.xml', feed(rssFeed(numberedItems(2, 'http://example.com/extra/'))));
    const ws = await scope.workspace({ config: newsConfig(server) });
    const original = await readFile(ws.configPath, 'utf8');
    const daemon = startDaemon(ws);
    await waitForLogs(daemon, (r) => r.event === 'run', 'a first "run" line');

    const invalid = JSON.parse(original) as Record<string, unknown> & { sources: Record<string, unknown>[] };
    invalid.sources[1] = { id: 'news', url: 'not a url' };
    await writeConfig(ws.configPath, invalid);
    daemon.signal('SIGHUP');
    const [failed] = await waitForLogs(daemon, (r) => r.event === 'reload-failed', 'the "reload-failed" line');
    expect(failed?.msg).toMatch(/keeping the previous one/);
    expect(failed?.msg).toContain('sources[1].url');
    expect(failed?.level).toBeGreaterThanOrEqual(40);
    // Still running, on the old config: more runs come, and they still fetch the old source.
    const runsSoFar = runLines(daemon).length;
    const hitsSoFar = server.hits('/news.xml').length;
    await waitForLogs(daemon, (r) => r.event === 'run', 'a run after the failed reload', runsSoFar + 1);
    await waitFor(() => server.hits('/news.xml').length > hitsSoFar, 'the old source to be fetched again');
    expect(daemon.hasExited()).toBe(false);

    await writeConfig(ws.configPath, newsConfig(server, [{ id: 'extra', url: server.url('/extra.xml') }]));
    daemon.signal('SIGHUP');
    const [reloaded] = await waitForLogs(daemon, (r) => /config reloaded/.test(r.msg), 'the "config reloaded" line');
    expect(reloaded).toMatchObject({ event: 'reload' });
    expect(reloaded?.msg).toContain('3 sources');
    await waitFor(() => server.hits('/extra.xml').length > 0, 'the added source to be fetched');

    daemon.signal('SIGTERM');
    expect((await waitForExit(daemon)).code, daemon.stderr()).toBe(0);
    expect(await nothingHeld(ws.databasePath)).toBe(true);
  });
});
