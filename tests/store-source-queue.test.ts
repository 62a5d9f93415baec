/**
 * The fleet's work queue on PostgreSQL (`npm run test:pg`): claimers never get the same source,
 * a claim is a lease that comes back by itself, and a completion by a worker whose lease was lost
 * is refused. Each worker is a store of its own (its own connections), as separate processes are.
 * No test waits on the clock: a lease of 0 s is one already run out.
 */
import postgres from 'postgres';
import { afterEach, describe, expect, it } from 'vitest';
import { openPostgresStore, type PostgresStore } from '../src/store/postgres-store.js';
import type { ClaimedSource, QueuedSource, SourceQueue } from '../src/store/source-queue.js';
import { createTestDatabase, dropTestDatabase, ON_POSTGRES } from './helpers/test-store.js';

const HOUR = 3600; // seconds

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** `count` workers on one fresh database holding `sources` sources, all due. */
async function fleet(count: number, sources: number): Promise<{ url: string; queues: SourceQueue[] }> {
  const url = await createTestDatabase();
  cleanups.push(() => dropTestDatabase(url));
  const stores: PostgresStore[] = [];
  for (let i = 0; i < count; i++) stores.push(await openPostgresStore(url));
  cleanups.push(() => Promise.all(stores.map((store) => store.close())));
  const queues = stores.map((store) => store.sourceQueue());
  await queues[0]!.upsertSources(Array.from({ length: sources }, (_, i) => source(i)));
  return { url, queues };
}

function source(i: number, host = `host${i % 5}.example`): QueuedSource {
  return { id: `s${String(i).padStart(4, '0')}`, url: `https://${host}/feed/${i}.xml`, host };
}

/** Claims until nothing is due, with `parallel` claims in flight: every claim made. */
async function drain(queue: SourceQueue, worker: string, parallel: number, batch: number): Promise<ClaimedSource[]> {
  const claimed: ClaimedSource[] = [];
  await Promise.all(Array.from({ length: parallel }, async () => {
    for (let got = await queue.claimDue(worker, HOUR, batch); got.length > 0; got = await queue.claimDue(worker, HOUR, batch)) claimed.push(...got);
  }));
  return claimed;
}

async function query<T>(url: string, use: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(url, { max: 1, onnotice: () => undefined });
  try {
    return await use(sql);
  } finally {
    await sql.end();
  }
}

describe.runIf(ON_POSTGRES)('PostgreSQL source queue: claims', () => {
  it('two workers claiming at once, several claims in flight each: every due source goes to exactly one of them', async () => {
    const { url, queues } = await fleet(2, 600);
    const [a, b] = await Promise.all([drain(queues[0]!, 'worker-a', 4, 7), drain(queues[1]!, 'worker-b', 4, 7)]);
    const ids = [...a, ...b].map((claim) => claim.id);
    expect(ids).toHaveLength(600);
    expect(new Set(ids).size).toBe(600);
    expect(a.length).toBeGreaterThan(0);
    expect(b.length).toBeGreaterThan(0);
    const owners = await query(url, (sql) => sql<{ claimed_by: string; n: number }[]>`SELECT claimed_by, count(*)::int AS n FROM sources GROUP BY 1 ORDER BY 1`);
    expect(owners).toEqual([{ claimed_by: 'worker-a', n: a.length }, { claimed_by: 'worker-b', n: b.length }]);
  });

  it('a claimed source is not claimed again while its lease runs; a completed one not before it is due again', async () => {
    const { queues } = await fleet(2, 3);
    const [first, second] = queues;
    const claims = await first!.claimDue('worker-a', HOUR, 10);
    expect(claims.map((c) => [c.id, c.claimSeq, c.claimAttempts])).toEqual([['s0000', 1, 1], ['s0001', 1, 1], ['s0002', 1, 1]]);
    expect(await second!.claimDue('worker-b', HOUR, 10)).toEqual([]);
    const dueIn = [HOUR, 0, HOUR];
    for (const [i, claim] of claims.entries()) expect(await first!.complete(claim, dueIn[i]!)).toBe(true);
    expect((await second!.claimDue('worker-b', HOUR, 10)).map((c) => [c.id, c.claimSeq, c.claimAttempts])).toEqual([['s0001', 2, 1]]);
    expect(await first!.claimDue('worker-a', HOUR, 10)).toEqual([]);
  });

  it('a lease that ran out: the source goes to another worker, and the first one\'s completion is refused', async () => {
    const { url, queues } = await fleet(2, 1);
    const [slow, other] = queues;
    const [lost] = await slow!.claimDue('worker-slow', 0, 1);
    const [taken] = await other!.claimDue('worker-other', HOUR, 1);
    expect(taken).toMatchObject({ id: lost!.id, claimSeq: 2, claimAttempts: 2 });
    expect(await slow!.complete(lost!, HOUR)).toBe(false);
    expect(await slow!.release(lost!)).toBe(false);
    expect(await query(url, (sql) => sql`SELECT claimed_by, claim_seq::int AS seq FROM sources`)).toEqual([{ claimed_by: 'worker-other', seq: 2 }]);
    expect(await other!.complete(taken!, HOUR)).toBe(true);
    expect(await query(url, (sql) => sql`SELECT claimed_by, claim_attempts FROM sources`)).toEqual([{ claimed_by: null, claim_attempts: 0 }]);
  });

  it('a released source is due at once for any worker, and the release does not count as an attempt', async () => {
    const { queues } = await fleet(2, 1);
    const [claim] = await queues[0]!.claimDue('worker-a', HOUR, 1);
    expect(await queues[0]!.release(claim!)).toBe(true);
    expect((await queues[1]!.claimDue('worker-b', HOUR, 1)).map((c) => [c.id, c.claimSeq, c.claimAttempts])).toEqual([[claim!.id, 2, 1]]);
  });
});

describe.runIf(ON_POSTGRES)('PostgreSQL source queue: sources from the config', () => {
  it('a worker starting with the config keeps known sources\' due times and claims, and takes a changed URL', async () => {
    const { url, queues } = await fleet(2, 2);
    const [claim] = await queues[0]!.claimDue('worker-a', HOUR, 1);
    await queues[1]!.upsertSources([source(0, 'moved.example'), source(1), source(2)]);
    const rows = await query(url, (sql) => sql`SELECT id, host, claimed_by, next_due_at <= now() AS due FROM sources ORDER BY id`);
    expect(rows).toEqual([
      { id: 's0000', host: 'moved.example', claimed_by: 'worker-a', due: false },
      { id: 's0001', host: 'host1.example', claimed_by: null, due: true },
      { id: 's0002', host: 'host2.example', claimed_by: null, due: true },
    ]);
    expect(await queues[0]!.complete(claim!, HOUR)).toBe(true);
    expect((await queues[1]!.claimDue('worker-b', HOUR, 10)).map((c) => [c.id, c.url])).toEqual([['s0001', 'https://host1.example/feed/1.xml'], ['s0002', 'https://host2.example/feed/2.xml']]);
  });
});
