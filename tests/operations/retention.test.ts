/**
 * Retention: `retention.maxItemsPerSource` / `maxAgeDays` applied after each run, and
 * `feedmirror prune [--dry-run]` saying per source what it removes.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCliInProcess } from '../helpers/in-process-cli.js';
import { writeConfig, type Workspace } from '../helpers/workspace.js';
import { feed } from '../remote/helpers/fixture-server.js';
import { rssFeed } from '../remote/helpers/feeds.js';
import { events, opsScope } from './helpers/ops-scope.js';
import { opsConfig } from './helpers/configs.js';
import { runLockFor } from '../../src/schedule/run-exclusive.js';
import type { Config } from '../../src/config/config.js';

const scope = opsScope();

/** Five items, the newest first, on days 1..5 of January 2020 (so "newest 2" are items 5 and 4). */
const OLD_ITEMS = [5, 4, 3, 2, 1].map((day) => ({ title: `Item ${day}`, link: `http://example.com/${day}`, guid: `item-${day}`, pubDate: `Wed, 0${day} Jan 2020 12:00:00 GMT` }));

async function project(items: typeof OLD_ITEMS, retention?: Record<string, number>): Promise<{ ws: Workspace; config: Record<string, unknown> }> {
  const server = await scope.server();
  server.on('/news.xml', feed(rssFeed(items)));
  const config = { ...opsConfig({ sources: [{ id: 'seeds', seeds: 'seeds' }, { id: 'news', url: server.url('/news.xml') }] }), ...(retention ? { retention } : {}) };
  return { ws: await scope.workspace({ config }), config };
}

const cli = (ws: Workspace, ...args: string[]) => runCliInProcess([...args, '--config', ws.configPath], { cwd: ws.dir });
const titles = async (ws: Workspace) => (JSON.parse(await readFile(path.join(ws.feedsDir, 'all', 'feed.json'), 'utf8')) as { items: { title: string }[] }).items.map((i) => i.title);

describe('retention', () => {
  it('prune --dry-run says per source what would go and removes nothing; prune removes it; the next run publishes without it; seeds are kept', async () => {
    const { ws, config } = await project(OLD_ITEMS);
    expect((await cli(ws, 'run')).code).toBe(0);
    expect(await titles(ws)).toHaveLength(6);

    const none = await cli(ws, 'prune');
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('sets no retention');

    await writeConfig(ws.configPath, { ...config, retention: { maxItemsPerSource: 2 } });
    const dry = await cli(ws, 'prune', '--dry-run');
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toBe('would remove 3 articles:\n  news  3\n');
    const again = await cli(ws, 'prune', '--dry-run');
    expect(again.stdout).toBe(dry.stdout);

    const prune = await cli(ws, 'prune');
    expect(prune.stdout).toBe('removed 3 articles:\n  news  3\n');
    expect((await cli(ws, 'prune')).stdout).toBe('removed 0 articles\n');
    expect((await cli(ws, 'run')).code).toBe(0);
    expect((await titles(ws)).filter((t) => t.startsWith('Item '))).toEqual(['Item 5', 'Item 4']);
    expect(await titles(ws)).toHaveLength(3);
  });

  it('maxAgeDays is applied after each run: older items leave the store and the feeds, the log says how many per source', async () => {
    const recent = { title: 'Recent', link: 'http://example.com/recent', guid: 'recent', pubDate: new Date(Date.now() - 86_400_000).toUTCString() };
    const { ws } = await project([recent, ...OLD_ITEMS], { maxAgeDays: 30 });
    const run = await cli(ws, 'run');
    expect(run.code, run.stderr).toBe(0);
    expect(events(run.logs, 'pruned')).toEqual([expect.objectContaining({ source: 'news', count: 5, msg: 'retention: 5 articles of news removed' })]);
    expect((await titles(ws)).filter((t) => !t.includes('Syria'))).toEqual(['Recent']);
  });

  it('prune waits for no run: while a run holds the store\'s lock it exits 3 and removes nothing', async () => {
    const { ws, config } = await project(OLD_ITEMS);
    expect((await cli(ws, 'run')).code).toBe(0);
    await writeConfig(ws.configPath, { ...config, retention: { maxItemsPerSource: 1 } });
    // the lock a run on this store takes: a file beside SQLite's, an advisory lock on PostgreSQL
    const held = await runLockFor({ database: ws.databasePath } as Config)();
    if (!held.acquired) throw new Error('the run lock of a fresh workspace is held');
    try {
      const prune = await cli(ws, 'prune');
      expect(prune.code).toBe(3);
      expect(prune.stderr).toContain('a run holds the lock');
    } finally {
      await held.lock.release();
    }
    expect((await cli(ws, 'prune')).stdout).toBe('removed 4 articles:\n  news  4\n');
  });
});
