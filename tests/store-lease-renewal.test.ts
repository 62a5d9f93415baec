/**
 * Renewing leases on PostgreSQL (`npm run test:pg`): a worker moves the end of the leases it
 * still holds, and only those. No test waits on the clock: a lease of 0 s is one already run out.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { openPostgresStore, type PostgresStore } from '../src/store/postgres-store.js';
import type { ClaimedSource, ClaimOptions, SourceQueue } from '../src/store/source-queue.js';
import { createTestDatabase, dropTestDatabase, ON_POSTGRES, queryDatabase as query } from './helpers/test-store.js';

const HOUR = 3600;
const OPEN: ClaimOptions = { leaseSeconds: HOUR, batch: 10, perHost: 1_000_000, maxAttempts: 1_000_000 };

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function twoWorkers(sources: number): Promise<{ url: string; a: SourceQueue; b: SourceQueue }> {
  const url = await createTestDatabase();
  cleanups.push(() => dropTestDatabase(url));
  const stores: PostgresStore[] = [await openPostgresStore(url), await openPostgresStore(url)];
  cleanups.push(() => Promise.all(stores.map((store) => store.close())));
  const [a, b] = stores.map((store) => store.sourceQueue());
  await a!.upsertSources(Array.from({ length: sources }, (_, i) => ({ id: `s${i}`, url: `https://host${i}.example/feed.xml`, host: `host${i}.example` })));
  return { url, a: a!, b: b! };
}

async function claim(queue: SourceQueue, worker: string, options: Partial<ClaimOptions> = {}): Promise<ClaimedSource[]> {
  return (await queue.claimDue(worker, { ...OPEN, ...options })).claimed;
}

/** Seconds until each source's lease runs out, by the database's clock, rounded. */
async function leaseLeft(url: string): Promise<Record<string, number>> {
  const rows = await query(url, (sql) => sql<{ id: string; left: number }[]>`SELECT id, round(extract(epoch FROM next_due_at - now()))::int AS left FROM sources ORDER BY id`);
  return Object.fromEntries(rows.map((row) => [row.id, row.left]));
}

describe.runIf(ON_POSTGRES)('PostgreSQL source queue: renewing leases', () => {
  it('moves the end of held leases to a full lease from now; a lease that ran out but was not taken is renewed too', async () => {
    const { url, a, b } = await twoWorkers(2);
    const claims = await claim(a, 'worker-a', { leaseSeconds: 0 });
    expect(claims).toHaveLength(2);
    expect((await a.renewLeases('worker-a', claims, HOUR)).sort()).toEqual(['s0', 's1']);
    expect(await leaseLeft(url)).toEqual({ s0: HOUR, s1: HOUR });
    // held again, so no other worker gets them, and the claims' fences are unchanged
    expect(await claim(b, 'worker-b')).toEqual([]);
    for (const held of claims) expect(await a.complete(held, HOUR)).toBe(true);
  });

  it('does not renew a claim another worker took after its lease ran out, nor a completed one, nor another worker\'s', async () => {
    const { url, a, b } = await twoWorkers(3);
    const [lost, done, kept] = await claim(a, 'worker-a', { leaseSeconds: 0 });
    expect((await a.renewLeases('worker-a', [done!, kept!], HOUR)).sort()).toEqual(['s1', 's2']);
    const taken = await claim(b, 'worker-b', { batch: 1 });
    expect(taken.map((c) => [c.id, c.claimSeq])).toEqual([['s0', 2]]);
    expect(await a.complete(done!, HOUR)).toBe(true);
    expect(await a.renewLeases('worker-a', [lost!, done!, kept!], 2 * HOUR)).toEqual(['s2']);
    // worker-b's claim of s0 keeps its own lease, and a's completion of it stays refused
    expect(await b.renewLeases('worker-b', [lost!], 2 * HOUR)).toEqual([]);
    expect(await leaseLeft(url)).toEqual({ s0: HOUR, s1: HOUR, s2: 2 * HOUR });
    expect(await a.complete(lost!, 0)).toBe(false);
    expect(await b.complete(taken[0]!, 0)).toBe(true);
  });

  it('nothing held: no statement, nothing renewed', async () => {
    const { a } = await twoWorkers(1);
    expect(await a.renewLeases('worker-a', [], HOUR)).toEqual([]);
  });
});
