/**
 * Dirty outputs on PostgreSQL (run only on the PostgreSQL pass: FEEDMIRROR_TEST_STORE=postgres):
 * ingest and prune mark exactly the outputs that show a changed source, in their own transaction;
 * claims never give one output to two workers, come back when a lease runs out, and are fenced by
 * claim_seq; a change committed while an output is being published makes it dirty again. Each
 * worker is a store of its own (its own connections), as separate processes are. No test waits on
 * the clock: a lease of 0 s is one already run out, a debounce of an hour one not yet passed.
 */
import type postgres from 'postgres';
import { afterEach, describe, expect, it } from 'vitest';
import { openPostgresStore, type PostgresStore } from '../../src/store/postgres-store.js';
import type { ClaimedOutput, OutputClaimOptions, OutputQueue, QueuedOutput } from '../../src/store/output-queue.js';
import { writeArticles } from '../../src/store/postgres-writes.js';
import { makeArticle } from '../helpers/builders.js';
import { deferred } from '../helpers/deferred.js';
import { createTestDatabase, dropTestDatabase, queryDatabase as query } from '../helpers/test-store.js';

const HOUR = 3600; // seconds
const T1 = new Date('2024-01-01T00:00:00.000Z');
const OUTPUTS: QueuedOutput[] = [
  { id: 'alpha-only', sourceIds: ['alpha'], configHash: 'h1' },
  { id: 'beta-only', sourceIds: ['beta'], configHash: 'h1' },
  { id: 'alpha-gamma', sourceIds: ['alpha', 'gamma'], configHash: 'h1' },
  { id: 'everything', sourceIds: ['*'], configHash: 'h1' },
];
const IDS = OUTPUTS.map((o) => o.id);
const NOW_OPTIONS: OutputClaimOptions = { leaseSeconds: HOUR, debounceSeconds: 0, batch: 100, outputIds: IDS };

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Worker {
  store: PostgresStore;
  queue: OutputQueue;
}

/** `count` workers on one fresh database whose outputs table holds `outputs`, none of them dirty. */
async function fleet(count: number, outputs = OUTPUTS): Promise<{ url: string; workers: Worker[] }> {
  const url = await createTestDatabase();
  cleanups.push(() => dropTestDatabase(url));
  const workers: Worker[] = [];
  for (let i = 0; i < count; i++) {
    const store = await openPostgresStore(url);
    workers.push({ store, queue: store.outputQueue() });
  }
  cleanups.push(() => Promise.all(workers.map(({ store }) => store.close())));
  await workers[0]!.queue.syncOutputs(outputs);
  await settle(workers[0]!.queue, outputs.map((o) => o.id));
  return { url, workers };
}

/** Claims and completes everything dirty: a clean slate. */
async function settle(queue: OutputQueue, ids = IDS): Promise<void> {
  for (const claim of await queue.claimDirty('settler', { ...NOW_OPTIONS, outputIds: ids })) await queue.complete(claim, { items: 0, archivePages: 0, updated: '' });
}

const dirtyOutputs = (url: string) => query(url, async (sql) => (await sql<{ id: string }[]>`SELECT id FROM outputs WHERE dirty ORDER BY id`).map((row) => row.id));

/** Runs `work` in a transaction on a connection of its own, and keeps the transaction open until `commit()`. */
async function heldTransaction(url: string, work: (tx: postgres.TransactionSql) => Promise<unknown>): Promise<{ commit: () => Promise<void> }> {
  const worked = deferred();
  const finish = deferred();
  const done = query(url, (sql) =>
    sql.begin(async (tx) => {
      await work(tx);
      worked.resolve();
      await finish.promise;
    }),
  );
  await Promise.race([worked.promise, done]);
  return {
    commit: async () => {
      finish.resolve();
      await done;
    },
  };
}

function item(id: string, sourceId: string, title = `Item ${id}`) {
  return makeArticle({ id, sourceId, kind: 'feed', guid: `https://${sourceId}.example/${id}`, url: `https://${sourceId}.example/${id}`, title });
}

describe('marking outputs dirty', () => {
  it('a source with new or changed articles dirties exactly the outputs that show it, and "*" outputs', async () => {
    const { url, workers } = await fleet(1);
    const { store, queue } = workers[0]!;
    await store.upsertArticles([item('a1', 'alpha')], T1);
    expect(await dirtyOutputs(url)).toEqual(['alpha-gamma', 'alpha-only', 'everything']);
    await settle(queue);
    await store.upsertArticles([item('g1', 'gamma')], T1);
    expect(await dirtyOutputs(url)).toEqual(['alpha-gamma', 'everything']);
    await settle(queue);
    await store.upsertArticles([item('a1', 'alpha', 'A changed title')], T1);
    expect(await dirtyOutputs(url)).toEqual(['alpha-gamma', 'alpha-only', 'everything']);
  });

  it('an ingest that changes nothing dirties nothing, nor does a source no output shows but "*"', async () => {
    const { url, workers } = await fleet(1);
    const { store, queue } = workers[0]!;
    await store.upsertArticles([item('a1', 'alpha'), item('b1', 'beta')], T1);
    await settle(queue);
    await store.upsertArticles([item('a1', 'alpha'), item('b1', 'beta')], T1);
    expect(await dirtyOutputs(url)).toEqual([]);
    await store.upsertArticles([item('d1', 'delta')], T1);
    expect(await dirtyOutputs(url)).toEqual(['everything']);
  });

  it('an output already dirty keeps the time it became dirty (the debounce counts from the first change)', async () => {
    const { url, workers } = await fleet(1);
    await workers[0]!.store.upsertArticles([item('a1', 'alpha')], T1);
    const since = () => query(url, async (sql) => (await sql<{ t: Date }[]>`SELECT dirty_since AS t FROM outputs WHERE id = 'alpha-only'`)[0]!.t.getTime());
    const first = await since();
    await query(url, (sql) => sql`SELECT pg_sleep(0.01)`);
    await workers[0]!.store.upsertArticles([item('a2', 'alpha')], T1);
    expect(await since()).toBe(first);
  });

  it('retention removing a source\'s articles dirties the outputs that show it, in the same transaction', async () => {
    const { url, workers } = await fleet(1);
    const { store, queue } = workers[0]!;
    await store.upsertArticles([item('b1', 'beta'), makeArticle({ ...item('b2', 'beta'), published: '2023-01-01T00:00:00.000Z' })], T1);
    await settle(queue);
    const removed = await store.pruneArticles({ sourceIds: ['alpha', 'beta'], publishedBefore: null, keepPerSource: 1, apply: true });
    expect(removed).toEqual(new Map([['beta', 1]]));
    expect(await dirtyOutputs(url)).toEqual(['beta-only', 'everything']);
    await settle(queue);
    await store.pruneArticles({ sourceIds: ['alpha', 'beta'], publishedBefore: null, keepPerSource: 1, apply: true });
    expect(await dirtyOutputs(url)).toEqual([]);
  });

  it('a changed config dirties that output only; an unchanged one nothing; an output no longer configured goes; refresh dirties all', async () => {
    const { url, workers } = await fleet(1);
    const { queue } = workers[0]!;
    await queue.syncOutputs(OUTPUTS);
    expect(await dirtyOutputs(url)).toEqual([]);
    const changed = OUTPUTS.filter((o) => o.id !== 'beta-only').map((o) => (o.id === 'alpha-only' ? { ...o, configHash: 'h2' } : o));
    await queue.syncOutputs([...changed, { id: 'new-one', sourceIds: ['beta'], configHash: 'h1' }]);
    expect(await dirtyOutputs(url)).toEqual(['alpha-only', 'new-one']);
    expect(await query(url, async (sql) => (await sql`SELECT id FROM outputs ORDER BY id`).map((r) => r.id))).toEqual(['alpha-gamma', 'alpha-only', 'everything', 'new-one']);
    await queue.syncOutputs([...changed, { id: 'new-one', sourceIds: ['beta'], configHash: 'h1' }], true);
    expect(await dirtyOutputs(url)).toEqual(['alpha-gamma', 'alpha-only', 'everything', 'new-one']);
  });

  it('a source an output gains in the config dirties it and is marked from then on', async () => {
    const { url, workers } = await fleet(1);
    const { store, queue } = workers[0]!;
    await queue.syncOutputs(OUTPUTS.map((o) => (o.id === 'beta-only' ? { ...o, sourceIds: ['beta', 'delta'], configHash: 'h2' } : o)));
    await settle(queue);
    await store.upsertArticles([item('d1', 'delta')], T1);
    expect(await dirtyOutputs(url)).toEqual(['beta-only', 'everything']);
  });
});

describe('claiming dirty outputs', () => {
  const many: QueuedOutput[] = Array.from({ length: 60 }, (_, i) => ({ id: `o${String(i).padStart(2, '0')}`, sourceIds: ['*'], configHash: 'h' }));
  const manyIds = many.map((o) => o.id);

  it('three workers claiming at once, several claims in flight each: every dirty output goes to exactly one of them', async () => {
    const { workers } = await fleet(3, many);
    await workers[0]!.store.upsertArticles([item('x1', 'alpha')], T1);
    const drain = async (queue: OutputQueue, worker: string) => {
      const got: ClaimedOutput[] = [];
      await Promise.all(Array.from({ length: 3 }, async () => {
        for (let claims = await queue.claimDirty(worker, { ...NOW_OPTIONS, batch: 4, outputIds: manyIds }); claims.length > 0; claims = await queue.claimDirty(worker, { ...NOW_OPTIONS, batch: 4, outputIds: manyIds })) got.push(...claims);
      }));
      return got;
    };
    const claimed = (await Promise.all(workers.map((w, i) => drain(w.queue, `w${i}`)))).flat();
    expect(claimed.map((c) => c.id).sort()).toEqual(manyIds);
  });

  it('only outputs dirty for at least the debounce are claimed', async () => {
    const { workers } = await fleet(1);
    const { store, queue } = workers[0]!;
    await store.upsertArticles([item('a1', 'alpha')], T1);
    expect(await queue.claimDirty('w', { ...NOW_OPTIONS, debounceSeconds: HOUR })).toEqual([]);
    const pending = await queue.pending(await queue.now(), HOUR, IDS);
    expect(pending.waiting).toBe(3);
    expect(pending.claimableInSeconds).toBeGreaterThan(HOUR - 60);
    expect((await queue.claimDirty('w', NOW_OPTIONS)).map((c) => c.id)).toEqual(['alpha-gamma', 'alpha-only', 'everything']);
    expect(await queue.pending(await queue.now(), 0, IDS)).toEqual({ waiting: 0, claimableInSeconds: null });
  });

  it('a claim clears dirty; a change committed during the publish makes the output dirty again, to be published once more', async () => {
    const { url, workers } = await fleet(2);
    const [a, b] = workers;
    await a!.store.upsertArticles([item('a1', 'alpha')], T1);
    const [claim] = await a!.queue.claimDirty('worker-a', { ...NOW_OPTIONS, outputIds: ['alpha-only'] });
    expect(await dirtyOutputs(url)).toEqual(['alpha-gamma', 'everything']);
    await b!.store.upsertArticles([item('a2', 'alpha')], T1);
    // Held by worker-a: no one else publishes it meanwhile, dirty as it is.
    expect(await b!.queue.claimDirty('worker-b', { ...NOW_OPTIONS, outputIds: ['alpha-only'] })).toEqual([]);
    expect(await a!.queue.complete(claim!, { items: 1, archivePages: 0, updated: '2024-01-01T00:00:00.000Z' })).toBe(true);
    expect(await dirtyOutputs(url)).toContain('alpha-only');
    const [again] = await b!.queue.claimDirty('worker-b', { ...NOW_OPTIONS, outputIds: ['alpha-only'] });
    expect(again).toEqual({ id: 'alpha-only', claimSeq: claim!.claimSeq + 1 });
  });

  it('an ingest still committing on an output already dirty: no worker claims that output until it commits, so the publish after the claim shows its articles', async () => {
    const { url, workers } = await fleet(2);
    const [a, b] = workers;
    await a!.store.upsertArticles([item('a1', 'alpha')], T1);
    const ingest = await heldTransaction(url, (tx) => writeArticles(tx, [item('a2', 'alpha')], T1));
    // alpha-only, alpha-gamma and the "*" output are dirty from before, so the ingest writes none of them.
    expect(await b!.queue.claimDirty('worker-b', NOW_OPTIONS)).toEqual([]);
    await ingest.commit();
    expect((await b!.queue.claimDirty('worker-b', NOW_OPTIONS)).map((claim) => claim.id)).toEqual(['alpha-gamma', 'alpha-only', 'everything']);
    expect((await b!.store.listArticles({ sourceIds: ['alpha'], limit: 10 })).map((article) => article.title).sort()).toEqual(['Item a1', 'Item a2']);
  });

  it('an output claimed while an ingest is marking it: the ingest waits for the claim, then marks it dirty again', async () => {
    const { url, workers } = await fleet(2);
    const [a, b] = workers;
    await a!.store.upsertArticles([item('a1', 'alpha')], T1);
    // The claim holds its row lock until its transaction ends, as a claim does for the length of one statement.
    const claim = await heldTransaction(url, (tx) => tx`UPDATE outputs SET dirty = false, dirty_since = NULL, claimed_by = 'worker-a', claim_seq = claim_seq + 1 WHERE id = 'alpha-only'`);
    const ingest = b!.store.upsertArticles([item('a2', 'alpha')], T1);
    await claim.commit();
    await ingest;
    expect(await dirtyOutputs(url)).toEqual(['alpha-gamma', 'alpha-only', 'everything']);
  });

  it('many ingests at once over overlapping outputs, some already dirty, from several stores: none deadlocks, and each output a change reached is dirty', async () => {
    const { url, workers } = await fleet(3);
    const sources = ['alpha', 'beta', 'gamma', 'delta'];
    for (let round = 0; round < 5; round++) {
      await settle(workers[0]!.queue);
      if (round % 2 === 1) await workers[0]!.store.upsertArticles([item(`pre${round}`, 'alpha')], T1);
      await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          workers[i % workers.length]!.store.upsertArticles([item(`r${round}-${i}`, sources[i % sources.length]!), item(`r${round}-${i}b`, sources[(i + 1) % sources.length]!)], T1),
        ),
      );
      expect(await dirtyOutputs(url)).toEqual(['alpha-gamma', 'alpha-only', 'beta-only', 'everything']);
    }
  });

  it('a lease that ran out lets another worker claim the output (even with nothing new), and fences the first worker\'s completion', async () => {
    const { url, workers } = await fleet(2);
    const [a, b] = workers;
    await a!.store.upsertArticles([item('b1', 'beta')], T1);
    const [lost] = await a!.queue.claimDirty('worker-a', { ...NOW_OPTIONS, leaseSeconds: 0, outputIds: ['beta-only'] });
    const [taken] = await b!.queue.claimDirty('worker-b', { ...NOW_OPTIONS, outputIds: ['beta-only'] });
    expect(taken).toEqual({ id: 'beta-only', claimSeq: lost!.claimSeq + 1 });
    expect(await a!.queue.complete(lost!, { items: 9, archivePages: 9, updated: 'stale' })).toBe(false);
    expect(await a!.queue.release(lost!)).toBe(false);
    const row = async () => (await query(url, (sql) => sql`SELECT claimed_by, dirty FROM outputs WHERE id = 'beta-only'`))[0];
    expect(await row()).toEqual({ claimed_by: 'worker-b', dirty: false });
    expect(await b!.queue.complete(taken!, { items: 1, archivePages: 0, updated: 'fresh' })).toBe(true);
    expect(await row()).toEqual({ claimed_by: null, dirty: false });
    expect((await b!.queue.summaries()).get('beta-only')).toEqual({ items: 1, archivePages: 0, updated: 'fresh' });
  });

  it('a failed publish releases its claim: the output is dirty again and claimable', async () => {
    const { url, workers } = await fleet(1);
    const { store, queue } = workers[0]!;
    await store.upsertArticles([item('b1', 'beta')], T1);
    const [claim] = await queue.claimDirty('w', { ...NOW_OPTIONS, outputIds: ['beta-only'] });
    expect(await queue.release(claim!)).toBe(true);
    expect(await dirtyOutputs(url)).toContain('beta-only');
    expect((await queue.claimDirty('w', { ...NOW_OPTIONS, outputIds: ['beta-only'] })).map((c) => c.id)).toEqual(['beta-only']);
  });

  it('an output this worker\'s config does not know is left to the workers that know it', async () => {
    const { workers } = await fleet(1);
    const { store, queue } = workers[0]!;
    await store.upsertArticles([item('b1', 'beta')], T1);
    expect(await queue.claimDirty('w', { ...NOW_OPTIONS, outputIds: ['alpha-only'] })).toEqual([]);
    expect((await queue.pending(await queue.now(), 0, ['alpha-only'])).waiting).toBe(0);
  });
});
