/**
 * PostgreSQL stopped for 10 s under a running fleet (issue 18, "Outages"): a server of this file's
 * own (stopping the suite's would hurt the other files), two `feedmirror daemon` workers and one
 * `serve --schedule` (the worker whose /healthz an operator watches), the `site` chore every second.
 * The workers stay up, say what failed naming the database (never its password) and that they try
 * again, /healthz answers 503 "unreachable", chores log `coordinator-error`; when the server is back,
 * claiming and chores resume by themselves, and no source is fetched twice within its interval.
 */
import { describe, expect, it } from 'vitest';
import postgres from 'postgres';
import { opsConfig } from '../operations/helpers/configs.js';
import { request } from '../operations/helpers/http-client.js';
import { opsScope, sleep, waitFor, waitForExit, waitForLogs, type CliChild } from '../operations/helpers/ops-scope.js';
import { startFleetFeedServer } from '../helpers/fleet-feed-server.js';
import { startPostgres, type PostgresServer } from '../helpers/postgres-server.js';
import { writeConfig } from '../helpers/workspace.js';
import { closePairs, FETCH_TIMEOUT_MS, GRACE_MS, LEASE_SECONDS, requestTimes } from './helpers/fleet.js';

const scope = opsScope();
const SOURCES = 24;
const INTERVAL_S = 4;
const OUTAGE_MS = 10_000;
const PASSWORD = 'outage-pw-4f9c';
const EVERY_SECOND = '* * * * * *';
const NEVER = '0 0 0 1 1 *';

interface Health {
  status: string;
  store: string;
  error?: string;
}

/** A server of this test's own, with one database, named in the workers' config with a password (which trust authentication never asks for). */
async function ownDatabase(): Promise<{ server: PostgresServer; url: string }> {
  const server = await startPostgres();
  scope.defer(() => server.stop());
  const admin = postgres(server.url, { max: 1, onnotice: () => undefined });
  try {
    await admin`CREATE DATABASE outage`;
  } finally {
    await admin.end();
  }
  const url = new URL(server.url);
  url.password = PASSWORD;
  url.pathname = '/outage';
  return { server, url: url.toString() };
}

async function health(port: number): Promise<{ status: number; body: Health }> {
  const response = await request(port, '/healthz');
  return { status: response.status, body: JSON.parse(response.body.toString('utf8')) as Health };
}

/** When each site chore that ran, ran (its fire time), read from the database once it answers. */
async function siteFires(url: string): Promise<number[]> {
  const sql = postgres(url, { max: 1, onnotice: () => undefined });
  try {
    const rows = await sql<{ fire_key: string }[]>`SELECT fire_key FROM chore_runs WHERE chore = 'site'`;
    return rows.map((r) => Date.parse(r.fire_key.slice('chore:site:'.length)));
  } finally {
    await sql.end();
  }
}

describe('PostgreSQL stopped for 10 s under a fleet', () => {
  it('workers stay up, /healthz says the store is unreachable, errors name the database and retry, chores log coordinator-error; claiming and chores resume; no double fetch; SIGTERM exits 0', async () => {
    const { server: pg, url } = await ownDatabase();
    const feeds = await startFleetFeedServer(50);
    scope.defer(() => feeds.close());
    const ws = await scope.workspace({ config: null, fileDatabase: true });
    const ids = Array.from({ length: SOURCES }, (_, i) => `s${String(i).padStart(4, '0')}`);
    const config = {
      ...opsConfig({ sources: ids.map((id, i) => ({ id, url: feeds.url(i), interval: INTERVAL_S })), database: url }),
      fetch: { allowPrivateNetworks: true, totalTimeoutMs: FETCH_TIMEOUT_MS, concurrency: 4 },
      cluster: { lease: LEASE_SECONDS, publishDebounce: 0, chores: { site: EVERY_SECOND, housekeeping: NEVER } },
    };
    const start = async (workerId: string, args: string[]): Promise<CliChild> => {
      const file = ws.file(`worker-${workerId}.json`);
      await writeConfig(file, { ...config, cluster: { ...config.cluster, workerId } });
      return scope.start([...args, '--config', file, '--log-format', 'json', '--grace', String(GRACE_MS)], { cwd: ws.dir });
    };
    const served = await start('w3', ['serve', '--schedule', '--port', '0']);
    const workers = [await start('w1', ['daemon']), await start('w2', ['daemon']), served];
    for (const worker of workers) await waitForLogs(worker, (r) => r.event === 'start', 'the worker to start');
    const port = (await waitForLogs(served, (r) => r.event === 'listening', 'the "listening" line'))[0]!.port as number;
    await waitFor(() => ids.every((_, i) => requestTimes(feeds).has(i)), 'every source requested once');
    await waitFor(async () => (await health(port)).status === 200, '/healthz 200 before the outage');

    await pg.halt();
    const haltedAt = Date.now();
    const down = await waitFor(async () => {
      const answer = await health(port);
      return answer.status === 503 && answer;
    }, '/healthz 503 during the outage');
    expect(down.body).toMatchObject({ status: 'failing', store: 'unreachable' });
    expect(down.body.error).not.toContain(PASSWORD);
    expect(down.body.error).toMatch(/^the database postgres:\/\/\S+ cannot be reached \(/);
    for (const worker of workers) await waitForLogs(worker, (r) => r.event === 'chore-skipped' && r.reason === 'coordinator-error', 'a coordinator-error');
    for (const worker of workers) await waitForLogs(worker, (r) => r.level === 50 && r.event === 'store-unreachable', 'a store-unreachable error');
    await sleep(Math.max(0, haltedAt + OUTAGE_MS - Date.now()));
    for (const worker of workers) expect(worker.hasExited(), worker.stderr()).toBe(false);
    const duringOutage = (await health(port)).body;
    expect(duringOutage.store).toBe('unreachable');
    await pg.resume();
    const resumedAt = Date.now();

    await waitFor(async () => (await health(port)).status === 200, '/healthz 200 after the outage');
    await waitFor(() => ids.every((_, i) => requestTimes(feeds).get(i)!.some((t) => t > resumedAt)), 'every source requested after the outage', 60_000);
    await waitFor(async () => (await siteFires(url)).some((t) => t > resumedAt), 'a site chore after the outage');
    for (const worker of workers) worker.signal('SIGTERM');
    for (const worker of workers) expect(await waitForExit(worker), worker.stderr()).toEqual({ code: 0, signal: null });

    expect(closePairs(feeds, (INTERVAL_S - 1) * 1000)).toEqual([]);
    for (const worker of workers) {
      const unreachable = worker.logs().filter((r) => r.event === 'store-unreachable');
      expect(unreachable.length).toBeGreaterThan(0);
      for (const line of unreachable) {
        expect(line.msg).toContain('postgres://fm:***@127.0.0.1:');
        expect(line.msg).toMatch(/trying again in \d+ s/);
      }
      expect(worker.stderr()).not.toContain(PASSWORD);
      // node-cron's own complaints (a stack per skipped fire) go through the log too: one JSON record a line.
      expect(worker.stderr().split('\n').filter((line) => line !== '' && !line.startsWith('{'))).toEqual([]);
    }
    const sql = postgres(url, { max: 1, onnotice: () => undefined });
    try {
      const [state] = await sql<{ claimed: number; stored: number }[]>`
        SELECT (SELECT count(*)::int FROM sources WHERE claimed_by IS NOT NULL) AS claimed,
               (SELECT count(DISTINCT source_id)::int FROM articles) AS stored`;
      expect(state).toEqual({ claimed: 0, stored: SOURCES });
    } finally {
      await sql.end();
    }
    const stopMs = workers.map((w) => Date.parse(String(w.logs().find((r) => r.event === 'stopped')?.time)) - Date.parse(String(w.logs().find((r) => r.event === 'stop')?.time)));
    console.log(`requests ${feeds.log.length}, ${feeds.log.filter((r) => r.startedAt > resumedAt).length} after the restart; SIGTERM to "stopped": ${stopMs.join(', ')} ms`);
  }, 150_000);
});
