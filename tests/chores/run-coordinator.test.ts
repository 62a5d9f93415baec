/**
 * node-cron's RunCoordinator over PostgreSQL (src/store/postgres-run-coordinator.ts), on a real
 * database of the test server: one winner per fire key however coordinators race, an expired
 * unfinished fire can be taken over, a completed one never runs again, a coordinator whose row was
 * taken over completes nothing, and a database that cannot answer makes shouldRun throw (node-cron
 * then skips the fire, fail-closed). PostgreSQL only (tests/chores is left out of the SQLite pass).
 */
import postgres from 'postgres';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import { measureClockSkew, PostgresRunCoordinator } from '../../src/store/postgres-run-coordinator.js';
import { createTestDatabase, dropTestDatabase, queryDatabase } from '../helpers/test-store.js';

const LEASE_MS = 60_000;
let url = '';
const pools: postgres.Sql[] = [];

/** A coordinator on a connection pool of its own, as each worker has. */
function coordinator(workerId: string, timeoutMs?: number): PostgresRunCoordinator {
  const sql = postgres(url, { max: 2, onnotice: () => undefined });
  pools.push(sql);
  return new PostgresRunCoordinator(sql, workerId, timeoutMs);
}

interface FireRow {
  key: string;
  token: string;
  worker_id: string;
  completed_at: Date | null;
}

const fireRow = (key: string) => queryDatabase(url, async (sql) => (await sql<FireRow[]>`SELECT key, token, worker_id, completed_at FROM cron_fires WHERE key = ${key}`)[0]);
/** As if the lease had run out: the row's expiry moved into the past (the database's clock decides). */
const expire = (key: string) => queryDatabase(url, (sql) => sql`UPDATE cron_fires SET expires_at = now() - interval '1 second' WHERE key = ${key}`);

beforeEach(async () => {
  url = await createTestDatabase();
  await (await openStore(url)).close(); // migrated
});

afterEach(async () => {
  for (const sql of pools.splice(0)) await sql.end({ timeout: 1 });
  await dropTestDatabase(url);
});

describe('PostgreSQL run coordinator', () => {
  it('elects exactly one of several coordinators racing for each of 40 fire keys', async () => {
    const racers = ['w1', 'w2', 'w3'].map((id) => coordinator(id));
    const keys = Array.from({ length: 40 }, (_, i) => `chore:site:2026-01-01T00:00:${String(i).padStart(2, '0')}.000Z`);
    const results = await Promise.all(keys.map((key) => Promise.all(racers.map((c) => c.shouldRun(key, LEASE_MS)))));
    for (const [i, answers] of results.entries()) expect(answers.filter(Boolean), keys[i]).toHaveLength(1);
    const rows = await queryDatabase(url, (sql) => sql`SELECT count(*)::int AS n FROM cron_fires`);
    expect(rows[0]!.n).toBe(40);
  });

  it('refuses a fire held under an unexpired lease, and gives an expired unfinished one to the next asker', async () => {
    const [a, b] = [coordinator('a'), coordinator('b')];
    const key = 'chore:housekeeping:2026-01-01T00:15:00.000Z';
    expect(await a.shouldRun(key, LEASE_MS)).toBe(true);
    expect(await b.shouldRun(key, LEASE_MS)).toBe(false);
    await expire(key); // a died while running it
    expect(await b.shouldRun(key, LEASE_MS)).toBe(true);
    expect(await fireRow(key)).toMatchObject({ worker_id: 'b', completed_at: null });
    expect(await a.shouldRun(key, LEASE_MS)).toBe(false);
  });

  it('never runs a completed fire again, even after its lease (an instance whose timer fires late)', async () => {
    const [a, late] = [coordinator('a'), coordinator('late')];
    const key = 'chore:site:2026-01-01T00:01:00.000Z';
    expect(await a.shouldRun(key, LEASE_MS)).toBe(true);
    await a.onComplete(key);
    expect((await fireRow(key))!.completed_at).toBeInstanceOf(Date);
    expect(await late.shouldRun(key, LEASE_MS)).toBe(false);
    await expire(key);
    expect(await late.shouldRun(key, LEASE_MS)).toBe(false);
  });

  it('onComplete by a coordinator whose row was taken over changes nothing; the new holder completes it', async () => {
    const [a, b] = [coordinator('a'), coordinator('b')];
    const key = 'chore:site:2026-01-01T00:02:00.000Z';
    expect(await a.shouldRun(key, LEASE_MS)).toBe(true);
    await expire(key);
    expect(await b.shouldRun(key, LEASE_MS)).toBe(true);
    const taken = await fireRow(key);
    await a.onComplete(key); // a's token is no longer the row's
    expect(await fireRow(key)).toEqual(taken);
    await b.onComplete(key);
    expect(await fireRow(key)).toMatchObject({ worker_id: 'b', token: taken!.token, completed_at: expect.any(Date) });
    await a.onComplete('chore:site:never-asked'); // a key it never held: nothing to do, no error
  });

  it('throws when the database is gone, so node-cron skips the fire (fail-closed)', async () => {
    const c = coordinator('a');
    await dropTestDatabase(url);
    await expect(c.shouldRun('chore:site:2026-01-01T00:03:00.000Z', LEASE_MS)).rejects.toThrow(/does not exist|terminat/);
    url = await createTestDatabase(); // for afterEach
  });

  it('throws when the database does not answer within its timeout', async () => {
    const key = 'chore:site:2026-01-01T00:04:00.000Z';
    const blocker = postgres(url, { max: 1, onnotice: () => undefined });
    pools.push(blocker);
    // An uncommitted insert of the same key: the coordinator's insert waits on it until cancelled.
    const reserved = await blocker.reserve();
    await reserved`BEGIN`;
    await reserved`INSERT INTO cron_fires (key, token, worker_id, expires_at) VALUES (${key}, 'x', 'blocker', now() + interval '1 minute')`;
    try {
      await expect(coordinator('a', 300).shouldRun(key, LEASE_MS)).rejects.toThrow(/no answer from the database within 300 ms/);
    } finally {
      await reserved`ROLLBACK`;
      reserved.release();
    }
  });

  it('measures how far the local clock is from the database clock', async () => {
    const sql = postgres(url, { max: 1, onnotice: () => undefined });
    pools.push(sql);
    expect(Math.abs(await measureClockSkew(sql))).toBeLessThan(1_000); // one host: the same clock
    const skew = await measureClockSkew(sql, () => Date.now() + 120_000);
    expect(skew).toBeGreaterThan(119_000);
    expect(skew).toBeLessThan(121_000);
  });
});
