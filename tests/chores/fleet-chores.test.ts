/**
 * The fleet's chores with real `feedmirror` processes on one PostgreSQL database, the `site` chore
 * on every second: each fire runs on exactly one worker even when one is SIGKILLed midway (none
 * missed but the one in flight on it), and a database the workers cannot reach makes each fire a
 * logged and counted `coordinator-error` until it is back, when the chores resume by themselves.
 * Waits poll the chore records and the JSON log lines, with upper bounds only. PostgreSQL only.
 */
import { request } from 'node:http';
import { describe, expect, it, inject } from 'vitest';
import { opsConfig } from '../operations/helpers/configs.js';
import { events, opsScope, startServe, waitFor, waitForExit, waitForLogs, type CliChild } from '../operations/helpers/ops-scope.js';
import { queryDatabase } from '../helpers/test-store.js';
import type { Workspace } from '../helpers/workspace.js';

const scope = opsScope();
const NEVER = '0 0 0 1 1 *'; // midnight, January 1st: not during a test

function fleetConfig() {
  return { ...opsConfig({ schedule: { cron: NEVER, timezone: 'UTC' } }), cluster: { chores: { site: '* * * * * *', housekeeping: NEVER } } };
}

function startDaemon(ws: Workspace): CliChild {
  return scope.start(['daemon', '--config', ws.configPath, '--log-format', 'json', '--log-level', 'debug', '--no-initial-run'], { cwd: ws.dir });
}

interface SiteRun {
  fire_key: string;
  worker_id: string;
}

const siteRuns = (ws: Workspace) =>
  queryDatabase(ws.databasePath, (sql) => sql<SiteRun[]>`SELECT fire_key, worker_id FROM chore_runs WHERE chore = 'site' ORDER BY fire_key`);

/** The second of a fire ("chore:site:2026-…Z"), in ms. */
const fireTime = (key: string) => Date.parse(key.slice('chore:site:'.length));

/** Waits until `count` site fires have been recorded; the runs so far. */
function waitForRuns(ws: Workspace, count: number, what: string): Promise<SiteRun[]> {
  return waitFor(async () => {
    const runs = await siteRuns(ws);
    return runs.length >= count && runs;
  }, what);
}

describe('fleet chores: one worker per fire', () => {
  it('3 daemons, a chore every second, one SIGKILLed midway: every fire ran on exactly one worker, none missed but the one in flight on the killed worker', async () => {
    const ws = await scope.workspace({ config: fleetConfig() });
    const daemons = [startDaemon(ws), startDaemon(ws), startDaemon(ws)];
    for (const daemon of daemons) await waitForLogs(daemon, (r) => r.event === 'chores', 'the "chores scheduled" line');

    const before = await waitForRuns(ws, 8, '8 site fires recorded');
    // The worker that ran the latest fire: the likeliest to be busy with the next one.
    const victimId = before.at(-1)!.worker_id;
    const victim = daemons.find((d) => victimId.endsWith(`:${d.pid}`))!;
    victim.signal('SIGKILL');
    await waitForExit(victim);
    const killedAt = Date.now();
    await waitFor(async () => (await siteRuns(ws)).filter((r) => fireTime(r.fire_key) > killedAt).length >= 8 || false, '8 site fires after the kill');
    const survivors = daemons.filter((d) => d !== victim);
    for (const daemon of survivors) daemon.signal('SIGTERM');
    for (const daemon of survivors) expect(await waitForExit(daemon), daemon.stderr()).toEqual({ code: 0, signal: null });

    const runs = await siteRuns(ws);
    const byKey = groupBy(runs, (r) => r.fire_key);
    for (const [key, ran] of byKey) expect(ran.map((r) => r.worker_id), key).toHaveLength(1);
    const times = runs.map((r) => fireTime(r.fire_key));
    const [first, last] = [Math.min(...times), Math.max(...times)];
    const missed: string[] = [];
    for (let t = first; t <= last; t += 1000) if (!byKey.has(`chore:site:${new Date(t).toISOString()}`)) missed.push(`chore:site:${new Date(t).toISOString()}`);
    // A missed fire is one the killed worker had won and not finished: its row is still its own, uncompleted.
    const unfinished = await queryDatabase(ws.databasePath, (sql) => sql<{ key: string }[]>`
      SELECT key FROM cron_fires WHERE key LIKE 'chore:site:%' AND worker_id = ${victimId} AND completed_at IS NULL`);
    expect(missed.length, `missed ${missed.join(', ')}`).toBeLessThanOrEqual(1);
    for (const key of missed) expect(unfinished.map((r) => r.key)).toContain(key);
    expect(runs.length).toBeGreaterThanOrEqual(16);
    // Every worker saw the fires it did not run as "not elected", at debug level only.
    const skips = survivors.flatMap((d) => events(d.logs(), 'chore-skipped'));
    expect(skips.length).toBeGreaterThan(0);
    expect(skips.every((r) => r.reason === 'not-elected' && r.level === 20)).toBe(true);
    console.log(`site fires: ${runs.length}, missed ${missed.length}, wins by worker: ${JSON.stringify(Object.fromEntries([...groupBy(runs, (r) => r.worker_id)].map(([w, r]) => [w, r.length])))}`);
  });
});

describe('fleet chores: the database out of reach', () => {
  it('each fire is a coordinator-error, logged as an error and counted in /metrics; the chores resume by themselves when the database is back', async () => {
    const ws = await scope.workspace({ config: fleetConfig() });
    const name = new URL(ws.databasePath).pathname.slice(1);
    const { child, adminPort } = await startWithMetrics(ws);
    await waitForLogs(child, (r) => r.event === 'chores', 'the "chores scheduled" line');
    await waitForRuns(ws, 2, '2 site fires recorded');

    await blockDatabase(name, true);
    try {
      await waitForLogs(child, (r) => r.event === 'chore-skipped' && r.reason === 'coordinator-error', 'two coordinator-error lines', 2);
    } finally {
      await blockDatabase(name, false);
    }
    const errors = child.logs().filter((r) => r.event === 'chore-skipped' && r.reason === 'coordinator-error');
    expect(errors[0]).toMatchObject({ level: 50, chore: 'site', code: 'FM_CHORE_COORDINATOR', msg: expect.stringMatching(/^chore site: fire \S+ skipped, the coordinator could not reach the database: .*not currently accepting connections/) });
    const metrics = await get(adminPort, '/metrics');
    const counted = /^feedmirror_chore_fires_total\{chore="site",result="coordinator-error"\} (\d+)$/m.exec(metrics);
    expect(Number(counted?.[1]), metrics).toBeGreaterThanOrEqual(2);

    const back = await queryDatabase(ws.databasePath, async (sql) => (await sql<{ now: Date }[]>`SELECT now()`)[0]!.now);
    await waitFor(async () => (await siteRuns(ws)).some((r) => fireTime(r.fire_key) > back.getTime()), 'a site fire after the database came back');
    expect(child.hasExited()).toBe(false);
    child.signal('SIGTERM');
    expect(await waitForExit(child), child.stderr()).toEqual({ code: 0, signal: null });
  });
});

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}

/** `serve --schedule` (the daemon with /metrics), on free ports; the admin port from its "listening" line. */
async function startWithMetrics(ws: Workspace): Promise<{ child: CliChild; adminPort: number }> {
  const { child } = await startServe(scope, ws, ['--schedule', '--admin-port', '0', '--log-level', 'debug']);
  const adminPort = events(child.logs(), 'listening')[0]?.adminPort;
  if (typeof adminPort !== 'number') throw new Error(`no admin port in the "listening" line: ${child.stderr()}`);
  return { child, adminPort };
}

/**
 * The database out of reach of every worker, the server still up for the other test files: new
 * connections refused, the open ones ended (as a server restart would); or reachable again.
 */
async function blockDatabase(name: string, blocked: boolean): Promise<void> {
  await queryDatabase(inject('postgresUrl'), async (sql) => {
    await sql`ALTER DATABASE ${sql(name)} WITH ALLOW_CONNECTIONS ${sql.unsafe(blocked ? 'false' : 'true')}`;
    if (blocked) await sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ${name}`;
  });
}

function get(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path }, (response) => {
      let body = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk)).on('end', () => resolve(body));
    })
      .on('error', reject)
      .end();
  });
}
