/**
 * What an operator reads of a fleet on PostgreSQL: `feedmirror status` (and `status --fleet
 * --json`) shows the outputs not published yet — dirty since when, claimed by which worker, until
 * when — and each chore's last run. The state is made by the program: a `run` whose publish of one
 * output fails (a file where its folder should be) goes on with the other output and exits 2
 * naming the output and the folder, leaving that output dirty; a publisher's claim through the
 * store's queue; a daemon whose chores fire every second.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { opsConfig } from '../operations/helpers/configs.js';
import { opsScope, waitFor, waitForExit, waitForLogs } from '../operations/helpers/ops-scope.js';
import { startFleetFeedServer } from '../helpers/fleet-feed-server.js';
import { queryDatabase } from '../helpers/test-store.js';
import { runCli, type Workspace } from '../helpers/workspace.js';
import { openPostgresStore } from '../../src/store/postgres-store.js';
import type { FleetStatus } from '../../src/store/fleet-registry.js';

const scope = opsScope();
const EVERY_SECOND = '* * * * * *';

async function fleetWorkspace(): Promise<Workspace> {
  const feeds = await startFleetFeedServer(10);
  scope.defer(() => feeds.close());
  return scope.workspace({
    config: {
      ...opsConfig({
        sources: [0, 1].map((i) => ({ id: `s${i}`, url: feeds.url(i), interval: 3600 })),
        outputs: [
          { id: 'all', title: 'Everything', sources: ['*'], limit: 10 },
          { id: 'recent', title: 'Recent', sources: ['s1'], limit: 5 },
        ],
      }),
      cluster: { workerId: 'w1', chores: { site: EVERY_SECOND, housekeeping: EVERY_SECOND } },
    },
  });
}

const cli = (ws: Workspace, ...args: string[]) => runCli([...args, '--config', ws.configPath], { cwd: ws.dir });

async function fleetJson(ws: Workspace): Promise<FleetStatus> {
  const result = await cli(ws, 'status', '--fleet', '--json');
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as FleetStatus;
}

/** The text section that starts with `title`, up to the next blank-line-free heading. */
function section(stdout: string, title: string): string {
  const start = stdout.indexOf(`${title}:`);
  expect(start, stdout).toBeGreaterThanOrEqual(0);
  const next = stdout.slice(start + 1).search(/\n[A-Z][a-z ]+: /);
  return next === -1 ? stdout.slice(start) : stdout.slice(start, start + 1 + next);
}

describe('status on PostgreSQL: dirty outputs and the last chore runs', () => {
  it('a run whose one output cannot be written publishes the other and exits 2 naming the output and the folder; status shows that output dirty, then claimed by a publisher with its lease', async () => {
    const ws = await fleetWorkspace();
    await mkdir(ws.feedsDir, { recursive: true });
    await writeFile(path.join(ws.feedsDir, 'recent'), 'a file where the output folder should be\n');

    const run = await cli(ws, 'run', '--log-format', 'json');
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(/output recent: publish to \S*feeds: .*recent/);
    expect(existsSync(path.join(ws.feedsDir, 'all', 'rss.xml'))).toBe(true);
    expect(existsSync(path.join(ws.feedsDir, 'index.html'))).toBe(true);

    const text = await cli(ws, 'status');
    expect(text.code, text.stderr).toBe(0);
    expect(section(text.stdout, 'Dirty outputs')).toMatch(/^Dirty outputs: \nOUTPUT +DIRTY SINCE +PUBLISHING ON +CLAIMED +LEASE UNTIL +LAST PUBLISHED\nrecent +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d +- +- +- +never$/m);
    expect(section(text.stdout, 'Last chore runs')).toMatch(/^Last chore runs: none/);
    const dirty = await fleetJson(ws);
    expect(dirty.outputs).toEqual([{ outputId: 'recent', dirty: true, dirtySince: expect.any(String), claimedBy: null, claimedAt: null, leaseUntil: null, expired: false, lastPublishedAt: null }]);
    expect(dirty.chores).toEqual([]);

    // A publisher holds it (a claim as a worker's publish makes, left in place): who, since when, until when.
    const store = await openPostgresStore(ws.databasePath);
    try {
      const claims = await store.outputQueue().claimDirty('w9', { leaseSeconds: 120, debounceSeconds: 0, batch: 4, outputIds: ['all', 'recent'] });
      expect(claims.map((c) => c.id)).toEqual(['recent']);
    } finally {
      await store.close();
    }
    const claimed = await fleetJson(ws);
    expect(claimed.outputs).toEqual([{ outputId: 'recent', dirty: false, dirtySince: null, claimedBy: 'w9', claimedAt: expect.any(String), leaseUntil: expect.any(String), expired: false, lastPublishedAt: null }]);
    expect(Date.parse(claimed.outputs[0]!.leaseUntil!) - Date.parse(claimed.outputs[0]!.claimedAt!)).toBe(120_000);
    const claimedText = await cli(ws, 'status', '--fleet');
    expect(claimedText.stdout).toMatch(/\nrecent +- +w9 +\S+ \S+ +\S+ \S+ +never\n/);
    expect(claimedText.stdout).not.toMatch(/^SOURCE/m);
  }, 120_000);

  it('after a daemon ran the chores: each chore\'s last fire, worker, outcome, when, and what it did', async () => {
    const ws = await fleetWorkspace();
    const daemon = scope.start(['daemon', '--config', ws.configPath, '--log-format', 'json', '--grace', '300'], { cwd: ws.dir });
    await waitForLogs(daemon, (r) => r.event === 'chores', 'the chores scheduled');
    await waitFor(async () => {
      const rows = await queryDatabase(ws.databasePath, (sql) => sql<{ n: number }[]>`SELECT count(DISTINCT chore)::int AS n FROM chore_runs`);
      return rows[0]!.n === 2;
    }, 'both chores run');
    daemon.signal('SIGTERM');
    expect(await waitForExit(daemon), daemon.stderr()).toEqual({ code: 0, signal: null });

    const fleet = await fleetJson(ws);
    expect(fleet.chores.map((c) => c.chore)).toEqual(['housekeeping', 'site']);
    for (const chore of fleet.chores) {
      expect(chore).toMatchObject({ workerId: 'w1', outcome: 'ok', fireKey: expect.stringMatching(new RegExp(`^chore:${chore.chore}:\\d{4}-`)) });
      expect(Date.parse(chore.finishedAt)).toBeGreaterThanOrEqual(Date.parse(chore.startedAt));
    }
    const text = await cli(ws, 'status');
    const chores = section(text.stdout, 'Last chore runs');
    expect(chores).toMatch(/^Last chore runs: \nCHORE +FIRE +WORKER +OUTCOME +FINISHED +DETAIL\n/);
    expect(chores).toMatch(/\nhousekeeping +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d +w1 +ok +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d +\d+ articles? pruned/);
    expect(chores).toMatch(/\nsite +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d +w1 +ok +\S+ \S+ +(site files unchanged|\d+ site files? written)/);
  }, 120_000);

  it('status --fleet on a SQLite store: exit 1, saying only PostgreSQL has a fleet', async () => {
    const ws = await scope.workspace({ config: opsConfig(), fileDatabase: true });
    const result = await cli(ws, 'status', '--fleet');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/status --fleet: the database \S+\/data\/feedmirror\.db is a SQLite file, and only a PostgreSQL store has a fleet/);
  });
});
