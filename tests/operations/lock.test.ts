/**
 * `feedmirror run` from cron: two overlapping runs never both fetch or publish. The runs are made
 * to overlap by a feed server that holds the winner's fetch open until the other run has finished,
 * so no test depends on how fast either process starts.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { numberedItems, rssFeed } from '../remote/helpers/feeds.js';
import { feed, type FixtureServer } from '../remote/helpers/fixture-server.js';
import { runCli, type Workspace } from '../helpers/workspace.js';
import { nothingHeld, ON_POSTGRES, runSql } from '../helpers/test-store.js';
import { validateJsonFeed, xmllint } from '../helpers/validators.js';
import { w3cErrorLines, w3cValidate } from '../helpers/w3c-validator.js';
import { opsConfig } from './helpers/configs.js';
import { events, opsScope, sleep, waitFor, waitForExit, type CliChild, type Exit } from './helpers/ops-scope.js';
import { heldFeed } from './helpers/slow-feeds.js';

const scope = opsScope();
const ITEMS = 3;
const LOCKED_MESSAGE = /another run is in progress/;

async function newsWorkspace(server: FixtureServer): Promise<Workspace> {
  return scope.workspace({
    config: opsConfig({ sources: [{ id: 'seeds', seeds: 'seeds' }, { id: 'news', url: server.url('/news.xml') }] }),
  });
}

const runArgs = (ws: Workspace, ...extra: string[]) => ['run', '--config', ws.configPath, '--log-format', 'json', ...extra];
const lockFile = (ws: Workspace) => `${ws.databasePath}.lock`;

/** Every feed file parses (xmllint, JSON Feed schema, the W3C Feed Validator) and carries the remote items. */
async function expectFeedsIntact(ws: Workspace): Promise<void> {
  for (const file of ['all/rss.xml', 'all/atom.xml']) {
    const lint = await xmllint(path.join(ws.feedsDir, file));
    expect(lint.ok, `${file}: ${lint.stderr}`).toBe(true);
    const text = await readFile(path.join(ws.feedsDir, file), 'utf8');
    for (let n = 1; n <= ITEMS; n++) expect(text).toContain(`Item ${n}`);
  }
  const json = await validateJsonFeed(path.join(ws.feedsDir, 'all/feed.json'));
  expect(json.ok, json.messages.join('\n')).toBe(true);
  expect(w3cErrorLines(await w3cValidate(['all/rss.xml', 'all/atom.xml'].map((f) => path.join(ws.feedsDir, f))), ws.feedsDir)).toEqual([]);
}

/** Starts two runs at once; the feed server holds the first fetch until one of them has exited. */
async function raceTwoRuns(ws: Workspace, server: FixtureServer, args: string[][]) {
  const held = heldFeed(rssFeed(numberedItems(ITEMS)));
  server.on('/news.xml', held.handler);
  const children = args.map((extra) => scope.start(runArgs(ws, ...extra), { cwd: ws.dir }));
  // Two fetches would mean both runs got past the lock: release them so the assertions can say so.
  await waitFor(() => children.some((c) => c.hasExited()) || held.count() >= 2, 'one of the two runs to finish');
  held.release();
  const exits = await Promise.all(children.map((c) => waitForExit(c)));
  return { children, exits, fetches: held.count() };
}

function published(child: CliChild): boolean {
  return events(child.logs(), 'run').length > 0;
}

/** How many sources a run harvested, by its summary line: those it counted less those not due (or left to another worker). */
function sourcesHarvested(child: CliChild): number {
  return events(child.logs(), 'run').reduce((sum, r) => sum + Number(r.sources) - Number(r.skipped), 0);
}

/**
 * On PostgreSQL two runs at once are workers sharing the queue, not rivals for a lock: both run and
 * exit 0, neither says another run is in progress, and between them every source is harvested
 * exactly once (the feed fetched once), with nothing left claimed.
 */
async function expectSharedWork(ws: Workspace, children: CliChild[], exits: Exit[], fetches: number): Promise<void> {
  const stderr = children.map((c) => c.stderr()).join('\n---\n');
  expect(exits.map((e) => e.code), stderr).toEqual([0, 0]);
  expect(fetches).toBe(1);
  expect(children.every(published), stderr).toBe(true);
  expect(children.map(sourcesHarvested).reduce((a, b) => a + b), stderr).toBe(2);
  for (const child of children) expect(child.logs().filter((r) => LOCKED_MESSAGE.test(r.msg) || r.event === 'locked')).toEqual([]);
  expect(await nothingHeld(ws.databasePath)).toBe(true);
  await expectFeedsIntact(ws);
}

describe.skipIf(ON_POSTGRES)('run lock: two runs started at once on the same config', () => {
  it('exactly one fetches and publishes; the other exits 0 saying another run is in progress; the feeds are intact', async () => {
    const server = await scope.server();
    const ws = await newsWorkspace(server);
    const { children, exits, fetches } = await raceTwoRuns(ws, server, [[], []]);

    expect(fetches).toBe(1);
    const winners = children.filter(published);
    expect(winners, children.map((c) => c.stderr()).join('\n---\n')).toHaveLength(1);
    const loser = children.find((c) => !published(c))!;
    expect(exits.map((e) => e.code)).toEqual([0, 0]);
    expect(loser.logs().filter((r) => LOCKED_MESSAGE.test(r.msg)), loser.stderr()).toHaveLength(1);
    expect(events(loser.logs(), 'locked')).toHaveLength(1);
    expect(await nothingHeld(ws.databasePath)).toBe(true);
    await expectFeedsIntact(ws);
  });

  it('with --fail-if-locked the run that finds the lock held exits 3 and the other 0', async () => {
    const server = await scope.server();
    const ws = await newsWorkspace(server);
    const { children, exits, fetches } = await raceTwoRuns(ws, server, [['--fail-if-locked'], ['--fail-if-locked']]);

    expect(fetches).toBe(1);
    const winner = children.findIndex(published);
    expect(winner, children.map((c) => c.stderr()).join('\n---\n')).toBeGreaterThanOrEqual(0);
    expect(exits[winner]?.code).toBe(0);
    const loser = 1 - winner;
    expect(exits[loser]?.code, children[loser]!.stderr()).toBe(3);
    expect(children[loser]!.logs().some((r) => LOCKED_MESSAGE.test(r.msg))).toBe(true);
    expect(published(children[loser]!)).toBe(false);
    await expectFeedsIntact(ws);
  });

  it('with --wait the second run waits for the first to finish, then runs (fetching again) and exits 0', async () => {
    const server = await scope.server();
    const ws = await newsWorkspace(server);
    const held = heldFeed(rssFeed(numberedItems(ITEMS)));
    server.on('/news.xml', held.handler);
    const first = scope.start(runArgs(ws), { cwd: ws.dir });
    await held.arrived; // the first run holds the lock from before its fetch until after it publishes
    const second = scope.start(runArgs(ws, '--wait'), { cwd: ws.dir });
    // Give the waiting run time to start and find the lock held; it must neither exit nor fetch.
    await sleep(2500);
    expect(second.hasExited(), second.stderr()).toBe(false);
    expect(held.count()).toBe(1);

    held.release();
    const [firstExit, secondExit] = await Promise.all([waitForExit(first), waitForExit(second)]);
    expect(firstExit.code, first.stderr()).toBe(0);
    expect(secondExit.code, second.stderr()).toBe(0);
    expect(held.count()).toBe(2);
    const [firstRun] = events(first.logs(), 'run');
    const [secondRun] = events(second.logs(), 'run');
    expect(firstRun).toBeDefined();
    expect(secondRun).toMatchObject({ fetched: 1 });
    expect(String(secondRun!.time) >= String(firstRun!.time)).toBe(true);
    expect(second.logs().some((r) => LOCKED_MESSAGE.test(r.msg))).toBe(false);
    expect(await nothingHeld(ws.databasePath)).toBe(true);
    await expectFeedsIntact(ws);
  });
});

// The same situations on PostgreSQL, which has no run lock (README, `run` and `daemon` on PostgreSQL).
describe.runIf(ON_POSTGRES)('two runs started at once on the same PostgreSQL store', () => {
  it('both run and exit 0, sharing the sources: each harvested by exactly one of them, the feed fetched once; the feeds are intact', async () => {
    const server = await scope.server();
    const ws = await newsWorkspace(server);
    const { children, exits, fetches } = await raceTwoRuns(ws, server, [[], []]);
    await expectSharedWork(ws, children, exits, fetches);
  });

  it('--fail-if-locked has no lock to find: both exit 0, sharing the sources as without it', async () => {
    const server = await scope.server();
    const ws = await newsWorkspace(server);
    const { children, exits, fetches } = await raceTwoRuns(ws, server, [['--fail-if-locked'], ['--fail-if-locked']]);
    await expectSharedWork(ws, children, exits, fetches);
  });

  it('--wait has nothing to wait for: the second run exits 0 while the first still fetches, without fetching what the first claimed; the first publishes it', async () => {
    const server = await scope.server();
    const ws = await newsWorkspace(server);
    const held = heldFeed(rssFeed(numberedItems(ITEMS)));
    server.on('/news.xml', held.handler);
    const first = scope.start(runArgs(ws), { cwd: ws.dir });
    await held.arrived;
    const second = scope.start(runArgs(ws, '--wait'), { cwd: ws.dir });
    const secondExit = await waitForExit(second);
    expect(secondExit.code, second.stderr()).toBe(0);
    expect(first.hasExited(), first.stderr()).toBe(false);
    expect(held.count()).toBe(1);
    expect(events(second.logs(), 'run'), second.stderr()).toEqual([expect.objectContaining({ fetched: 0 })]);
    expect(second.logs().some((r) => LOCKED_MESSAGE.test(r.msg))).toBe(false);

    held.release();
    const firstExit = await waitForExit(first);
    expect(firstExit.code, first.stderr()).toBe(0);
    expect(events(first.logs(), 'run')).toEqual([expect.objectContaining({ fetched: 1 })]);
    expect(held.count()).toBe(1);
    expect(await nothingHeld(ws.databasePath)).toBe(true);
    await expectFeedsIntact(ws);
  });
});

// What a killed run leaves behind on PostgreSQL: no lock, only its claims, each until its lease runs out.
describe.runIf(ON_POSTGRES)('a run killed on a PostgreSQL store', () => {
  it('leaves no lock: the next run goes ahead at once (exit 0 even with --fail-if-locked) and leaves the killed run\'s source to its lease; once that has run out, a run fetches it', async () => {
    const server = await scope.server();
    const ws = await newsWorkspace(server);
    const held = heldFeed(rssFeed(numberedItems(ITEMS)));
    server.on('/news.xml', held.handler);
    const killed = scope.start(runArgs(ws), { cwd: ws.dir });
    await held.arrived;
    killed.signal('SIGKILL');
    await waitForExit(killed);

    const next = await runCli(runArgs(ws, '--fail-if-locked'), { cwd: ws.dir });
    expect(next.code, next.stderr).toBe(0);
    expect(next.logs.filter((r) => LOCKED_MESSAGE.test(r.msg) || r.event === 'locked')).toEqual([]);
    expect(events(next.logs, 'run')).toEqual([expect.objectContaining({ fetched: 0 })]);
    expect(held.count()).toBe(1);
    expect(await nothingHeld(ws.databasePath)).toBe(false);

    // The lease of the killed run's claims runs out (as time would make it).
    expect(await runSql(ws.databasePath, 'UPDATE sources SET next_due_at = now() WHERE claimed_by IS NOT NULL')).toBeGreaterThanOrEqual(1);
    held.release();
    const after = await runCli(runArgs(ws, '--fail-if-locked'), { cwd: ws.dir });
    expect(after.code, after.stderr).toBe(0);
    expect(events(after.logs, 'run')).toEqual([expect.objectContaining({ fetched: 1 })]);
    expect(held.count()).toBe(2);
    expect(await nothingHeld(ws.databasePath)).toBe(true);
    await expectFeedsIntact(ws);
  });
});

// A SQLite store's lock is a file, which a killed run can leave behind. A PostgreSQL store's is an
// advisory lock that the server releases with the connection of the run holding it: none is left.
describe.skipIf(ON_POSTGRES)('run lock: a lock file left behind', () => {
  /** The pid of a process that has exited: a lock naming it is stale. */
  async function deadPid(): Promise<number> {
    const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    await new Promise((resolve) => child.once('exit', resolve));
    return child.pid!;
  }

  async function writeLock(ws: Workspace, info: Record<string, unknown>): Promise<string> {
    await mkdir(path.dirname(lockFile(ws)), { recursive: true });
    const text = JSON.stringify(info);
    await writeFile(lockFile(ws), text);
    return text;
  }

  it('a lock naming a dead process on this host is taken over at once: the run publishes (even with --fail-if-locked) and removes it', async () => {
    const server = await scope.server();
    server.on('/news.xml', feed(rssFeed(numberedItems(ITEMS))));
    const ws = await newsWorkspace(server);
    await writeLock(ws, { pid: await deadPid(), host: os.hostname(), startedAt: new Date().toISOString() });

    const result = await runCli(runArgs(ws, '--fail-if-locked'), { cwd: ws.dir });
    expect(result.code, result.stderr).toBe(0);
    expect(events(result.logs, 'run')).toHaveLength(1);
    expect(events(result.logs, 'locked')).toHaveLength(0);
    expect(await nothingHeld(ws.databasePath)).toBe(true);
    await expectFeedsIntact(ws);
  });

  it('a lock naming a live process on this host is respected: exit 0 (3 with --fail-if-locked), nothing written, the lock left alone', async () => {
    const server = await scope.server();
    server.on('/news.xml', feed(rssFeed(numberedItems(ITEMS))));
    const ws = await newsWorkspace(server);
    const text = await writeLock(ws, { pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString() });

    const plain = await runCli(runArgs(ws), { cwd: ws.dir });
    expect(plain.code, plain.stderr).toBe(0);
    const locked = plain.logs.find((r) => LOCKED_MESSAGE.test(r.msg));
    expect(locked?.msg).toContain(`pid ${process.pid}`);
    const strict = await runCli(runArgs(ws, '--fail-if-locked'), { cwd: ws.dir });
    expect(strict.code, strict.stderr).toBe(3);

    expect(server.hits('/news.xml')).toHaveLength(0);
    expect(existsSync(ws.feedsDir)).toBe(false);
    expect(await readFile(lockFile(ws), 'utf8')).toBe(text);
  });
});
