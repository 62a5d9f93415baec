/**
 * The fleet's work queue on PostgreSQL (`npm run test:pg`): claimers never get the same source,
 * a claim is a lease that comes back by itself, and a completion by a worker whose lease was lost
 * is refused. Each worker is a store of its own (its own connections), as separate processes are.
 * No test waits on the clock: a lease of 0 s is one already run out.
 */
import { afterEach, describe, expect, it } from 'vitest';
import postgres from 'postgres';
import { openPostgresStore, type PostgresStore } from '../src/store/postgres-store.js';
import { PostgresSourceQueue } from '../src/store/postgres-source-queue.js';
import type { ClaimedSource, ClaimOptions, QueuedSource, SourceQueue } from '../src/store/source-queue.js';
import { createTestDatabase, dropTestDatabase, ON_POSTGRES, queryDatabase as query } from './helpers/test-store.js';
import { makeArticle } from './helpers/builders.js';
import { emptySourceState } from '../src/model/source-state.js';
import { migrateStore } from '../src/store/open-store.js';
import { PG_LATEST_VERSION, PG_MIGRATIONS } from '../src/store/postgres-migrations.js';
import { planNodes, recordPlans, type PlanNode } from './helpers/nested-plans.js';

const HOUR = 3600; // seconds
/** No per-host limit and no disabling, unless a test asks for them. */
const OPEN: ClaimOptions = { leaseSeconds: HOUR, batch: 10, perHost: 1_000_000, maxAttempts: 1_000_000 };

/** The sources a claim got. */
async function claim(queue: SourceQueue, worker: string, options: Partial<ClaimOptions> = {}): Promise<ClaimedSource[]> {
  return (await queue.claimDue(worker, { ...OPEN, ...options })).claimed;
}

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
    for (let got = await claim(queue, worker, { batch }); got.length > 0; got = await claim(queue, worker, { batch })) claimed.push(...got);
  }));
  return claimed;
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
    const claims = await claim(first!, 'worker-a');
    expect(claims.map((c) => [c.id, c.claimSeq, c.claimAttempts])).toEqual([['s0000', 1, 1], ['s0001', 1, 1], ['s0002', 1, 1]]);
    expect(await claim(second!, 'worker-b')).toEqual([]);
    const dueIn = [HOUR, 0, HOUR];
    for (const [i, claim] of claims.entries()) expect(await first!.complete(claim, dueIn[i]!)).toBe(true);
    expect((await claim(second!, 'worker-b')).map((c) => [c.id, c.claimSeq, c.claimAttempts])).toEqual([['s0001', 2, 1]]);
    expect(await claim(first!, 'worker-a')).toEqual([]);
  });

  it('a lease that ran out: the source goes to another worker, and the first one\'s completion is refused', async () => {
    const { url, queues } = await fleet(2, 1);
    const [slow, other] = queues;
    const [lost] = await claim(slow!, 'worker-slow', { leaseSeconds: 0, batch: 1 });
    const [taken] = await claim(other!, 'worker-other', { batch: 1 });
    expect(taken).toMatchObject({ id: lost!.id, claimSeq: 2, claimAttempts: 2 });
    expect(await slow!.complete(lost!, HOUR)).toBe(false);
    expect(await slow!.release(lost!)).toBe(false);
    expect(await query(url, (sql) => sql`SELECT claimed_by, claim_seq::int AS seq FROM sources`)).toEqual([{ claimed_by: 'worker-other', seq: 2 }]);
    expect(await other!.complete(taken!, HOUR)).toBe(true);
    expect(await query(url, (sql) => sql`SELECT claimed_by, claim_attempts FROM sources`)).toEqual([{ claimed_by: null, claim_attempts: 0 }]);
  });

  it('a released source is due at once for any worker, and the release does not count as an attempt', async () => {
    const { queues } = await fleet(2, 1);
    const [held] = await claim(queues[0]!, 'worker-a', { batch: 1 });
    expect(await queues[0]!.release(held!)).toBe(true);
    expect((await claim(queues[1]!, 'worker-b', { batch: 1 })).map((c) => [c.id, c.claimSeq, c.claimAttempts])).toEqual([[held!.id, 2, 1]]);
  });
});

describe.runIf(ON_POSTGRES)('PostgreSQL source queue: sources from the config', () => {
  it('a worker starting with the config keeps known sources\' due times and claims, and takes a changed URL', async () => {
    const { url, queues } = await fleet(2, 2);
    const [held] = await claim(queues[0]!, 'worker-a', { batch: 1 });
    await queues[1]!.upsertSources([source(0, 'moved.example'), source(1), source(2)]);
    const rows = await query(url, (sql) => sql`SELECT id, host, claimed_by, next_due_at <= now() AS due FROM sources ORDER BY id`);
    expect(rows).toEqual([
      { id: 's0000', host: 'moved.example', claimed_by: 'worker-a', due: false },
      { id: 's0001', host: 'host1.example', claimed_by: null, due: true },
      { id: 's0002', host: 'host2.example', claimed_by: null, due: true },
    ]);
    expect(await queues[0]!.complete(held!, HOUR)).toBe(true);
    expect((await claim(queues[1]!, 'worker-b')).map((c) => [c.id, c.url])).toEqual([['s0001', 'https://host1.example/feed/1.xml'], ['s0002', 'https://host2.example/feed/2.xml']]);
  });
});

describe.runIf(ON_POSTGRES)('PostgreSQL source queue: per-host limit and sources that never complete', () => {
  it('no host gets more unexpired claims than perHost across workers; a completion or an expired lease makes room', async () => {
    const { url, queues } = await fleet(3, 0);
    await queues[0]!.upsertSources(Array.from({ length: 12 }, (_, i) => source(i, i < 8 ? 'busy.example' : 'quiet.example')));
    const perHost = { perHost: 2, batch: 20 };
    const [a, b, c] = await Promise.all(queues.map((queue, i) => claim(queue, `worker-${i}`, perHost)));
    const hosts = await query(url, (sql) => sql<{ host: string; n: number }[]>`SELECT host, count(*)::int AS n FROM sources WHERE claimed_by IS NOT NULL GROUP BY 1 ORDER BY 1`);
    expect(hosts).toEqual([{ host: 'busy.example', n: 2 }, { host: 'quiet.example', n: 2 }]);
    expect(a!.length + b!.length + c!.length).toBe(4);
    const busyClaim = [...a!, ...b!, ...c!].find((claimed) => Number(claimed.id.slice(1)) < 8)!;
    expect(await queues[0]!.complete(busyClaim, HOUR)).toBe(true);
    expect((await claim(queues[1]!, 'worker-1', perHost)).map((claimed) => claimed.url)).toEqual([expect.stringContaining('busy.example')]);
    expect(await claim(queues[2]!, 'worker-2', perHost)).toEqual([]);
    const expiring = await claim(queues[0]!, 'worker-0', { ...perHost, leaseSeconds: 0 });
    expect(expiring).toEqual([]); // busy.example and quiet.example are both full
    await query(url, (sql) => sql`UPDATE sources SET next_due_at = now() WHERE claimed_by IS NOT NULL AND host = 'quiet.example'`); // their leases ran out
    expect((await claim(queues[2]!, 'worker-2', perHost)).map((claimed) => claimed.url)).toEqual([expect.stringContaining('quiet.example'), expect.stringContaining('quiet.example')]);
  });

  it('the oldest few hundred due sources all on a host at its limit: a younger due source on another host is still claimed', async () => {
    const { url, queues } = await fleet(2, 0);
    const crowd = Array.from({ length: 300 }, (_, i) => ({ id: `b${String(i).padStart(3, '0')}`, url: `https://busy.example/${i}.xml`, host: 'busy.example' }));
    await queues[0]!.upsertSources([...crowd, { id: 'q', url: 'https://quiet.example/feed.xml', host: 'quiet.example' }]);
    // busy.example's sources fell due first, one millisecond apart; quiet.example's a minute ago
    await query(url, (sql) => sql`UPDATE sources SET next_due_at = now() - interval '1 hour' + make_interval(secs => substr(id, 2)::int / 1000.0) WHERE host = 'busy.example'`);
    await query(url, (sql) => sql`UPDATE sources SET next_due_at = now() - interval '1 minute' WHERE id = 'q'`);
    expect((await claim(queues[0]!, 'worker-0', { perHost: 2, batch: 2 })).map((c) => c.id)).toEqual(['b000', 'b001']);
    expect((await claim(queues[1]!, 'worker-1', { perHost: 2, batch: 5 })).map((c) => c.id)).toEqual(['q']);
  });

  it('a source whose lease runs out maxAttempts times in a row is disabled with an error, and never claimed again', async () => {
    const { url, queues } = await fleet(2, 1);
    const stalls = { leaseSeconds: 0, batch: 1, maxAttempts: 3 };
    for (let attempt = 1; attempt <= 3; attempt++) {
      expect((await claim(queues[attempt % 2]!, `worker-${attempt}`, stalls)).map((c) => [c.id, c.claimAttempts])).toEqual([['s0000', attempt]]);
    }
    const outcome = await queues[0]!.claimDue('worker-4', { ...OPEN, ...stalls });
    expect(outcome).toEqual({ claimed: [], disabled: [{ id: 's0000', error: expect.stringMatching(/^claimed 3 times without completing .*: disabled$/) }] });
    await queues[1]!.upsertSources([source(0), source(1)]);
    expect((await claim(queues[1]!, 'worker-5')).map((c) => c.id)).toEqual(['s0001']);
    expect(await query(url, (sql) => sql`SELECT id, enabled, claimed_by, disabled_error IS NOT NULL AS has_error FROM sources ORDER BY id`)).toEqual([
      { id: 's0000', enabled: false, claimed_by: null, has_error: true },
      { id: 's0001', enabled: true, claimed_by: 'worker-5', has_error: false },
    ]);
  });

  it('a completion resets the count: a source that fails now and then is never disabled', async () => {
    const { queues } = await fleet(1, 1);
    const stalls = { leaseSeconds: 0, batch: 1, maxAttempts: 2 };
    for (let round = 0; round < 3; round++) {
      await claim(queues[0]!, 'worker', stalls);
      const [next] = await claim(queues[0]!, 'worker', stalls);
      expect(next?.claimAttempts).toBe(2);
      expect(await queues[0]!.complete(next!, 0)).toBe(true);
    }
  });
});

describe.runIf(ON_POSTGRES)('PostgreSQL source queue: the config synced, forced claims, fenced harvests', () => {
  const NOW = new Date('2026-01-02T03:04:05.000Z');
  const writes = (id: string) => ({ articles: [makeArticle({ sourceId: id, guid: `${id}-1` })], state: { ...emptySourceState(id), lastStatus: 200 }, record: { key: `harvest:${id}`, document: { body: 'r', etag: null, lastModified: null, fetchedAt: NOW.toISOString() } } });

  it('a source the config drops is disabled (not claimed); when it comes back it is enabled with its due time; a source disabled for stalling stays disabled', async () => {
    const { url, queues } = await fleet(1, 3);
    const [queue] = queues;
    const [first] = await claim(queue!, 'worker-a', { batch: 1 });
    expect(await queue!.complete(first!, HOUR)).toBe(true);
    await query(url, (sql) => sql`UPDATE sources SET enabled = false, disabled_error = 'claimed 3 times' WHERE id = 's0002'`);
    expect(await queue!.syncSources([source(1), source(2)])).toEqual({ added: 0, removed: 1 });
    expect(await claim(queue!, 'worker-a')).toEqual([expect.objectContaining({ id: 's0001' })]);
    expect(await queue!.syncSources([source(0), source(1), source(2), source(3)])).toEqual({ added: 1, removed: 0 });
    const rows = await query(url, (sql) => sql`SELECT id, enabled, disabled_error, next_due_at > now() AS later FROM sources ORDER BY id`);
    expect(rows).toEqual([
      { id: 's0000', enabled: true, disabled_error: null, later: true },
      { id: 's0001', enabled: true, disabled_error: null, later: true },
      { id: 's0002', enabled: false, disabled_error: 'claimed 3 times', later: false },
      { id: 's0003', enabled: true, disabled_error: null, later: false },
    ]);
  });

  it('forced claims take sources not due (and enable a stalled one), never one another worker holds', async () => {
    const { url, queues } = await fleet(2, 3);
    const [held] = await claim(queues[0]!, 'worker-a', { batch: 1 });
    const [done] = await claim(queues[0]!, 'worker-a', { batch: 1 });
    expect(await queues[0]!.complete(done!, HOUR)).toBe(true);
    await query(url, (sql) => sql`UPDATE sources SET enabled = false, disabled_error = 'stalled' WHERE id = 's0002'`);
    const forced = await queues[1]!.claimSources('worker-b', ['s0000', 's0001', 's0002'], HOUR);
    expect(forced.map((c) => c.id)).toEqual(['s0001', 's0002']);
    expect(held!.id).toBe('s0000');
    expect(await query(url, (sql) => sql`SELECT id, claimed_by, enabled FROM sources ORDER BY id`)).toEqual([
      { id: 's0000', claimed_by: 'worker-a', enabled: true }, { id: 's0001', claimed_by: 'worker-b', enabled: true }, { id: 's0002', claimed_by: 'worker-b', enabled: true },
    ]);
  });

  it('a harvest completes its claim in the transaction that stores it; after a lost lease nothing of it is stored', async () => {
    const { url, queues } = await fleet(2, 2);
    const [slow, other] = queues;
    const [kept, lost] = await claim(slow!, 'worker-slow', { leaseSeconds: HOUR, batch: 2 });
    await query(url, (sql) => sql`UPDATE sources SET next_due_at = now() WHERE id = ${lost!.id}`); // its lease ran out
    const [taken] = await claim(other!, 'worker-other', { batch: 1 });
    expect(taken!.id).toBe(lost!.id);
    expect(await slow!.completeHarvest(lost!, writes(lost!.id), HOUR, NOW)).toBeNull();
    expect(await slow!.completeHarvest(kept!, writes(kept!.id), HOUR, NOW)).toEqual({ inserted: 1, updated: 0, unchanged: 0 });
    const stored = await query(url, (sql) => sql`
      SELECT (SELECT array_agg(source_id ORDER BY source_id) FROM articles) AS articles, (SELECT array_agg(source_id) FROM source_state) AS states,
             (SELECT array_agg(key) FROM documents WHERE key LIKE 'harvest:%') AS records, (SELECT array_agg(coalesce(claimed_by, '-') ORDER BY id) FROM sources) AS owners`);
    expect(stored).toEqual([{ articles: [kept!.id], states: [kept!.id], records: [`harvest:${kept!.id}`], owners: ['-', 'worker-other'] }]);
  });
});

describe.runIf(ON_POSTGRES)('PostgreSQL source queue: a claim on a large table', () => {
  it('20,000 due sources: a claim reads the oldest due rows through the sources_due index, not every due row (plan of the claim inside the function, from auto_explain)', async () => {
    const { url, queues } = await fleet(1, 0);
    await queues[0]!.upsertSources(Array.from({ length: 20_000 }, (_, i) => source(i, `host${i % 1000}.example`)));
    await query(url, (sql) => sql`UPDATE sources SET next_due_at = now() - interval '1 hour' + make_interval(secs => substr(id, 2)::int / 100.0)`);
    await query(url, (sql) => sql`ANALYZE sources`);
    const nodes = await claimPlanNodes(url, { ...OPEN, batch: 8, perHost: 2 });
    const onSources = nodes.filter((node) => node['Relation Name'] === 'sources');
    expect(onSources.map((node) => node['Node Type'])).not.toContain('Seq Scan');
    expect(onSources.map((node) => node['Index Name'])).toContain('sources_due');
    const rowsRead = onSources.reduce((sum, node) => sum + Number(node['Actual Rows']) * Number(node['Actual Loops']), 0);
    expect(rowsRead).toBeLessThan(1_000);
  });
});

describe.runIf(ON_POSTGRES)('PostgreSQL source queue: a claim is one statement with bound parameters', () => {
  it('a claim (with the disabling of stalled sources) is one message to the server, the lock taken inside it, so no claimer waits while another\'s client reads a result', async () => {
    const { url } = await fleet(1, 3);
    const sent: { query: string; parameters: unknown[] }[] = [];
    const sql = postgres(url, { max: 1, onnotice: () => undefined, debug: (_connection, query, parameters) => void sent.push({ query, parameters }) });
    cleanups.push(() => sql.end());
    const { claimed } = await new PostgresSourceQueue(sql).claimDue('worker-a', { ...OPEN, batch: 5, maxAttempts: 3 });
    expect(claimed.map((c) => c.id)).toEqual(['s0000', 's0001', 's0002']);
    const toQueue = sent.filter((s) => s.query.includes('sources')); // not the client's own look-up of types on connecting
    expect(toQueue).toHaveLength(1);
    expect(toQueue[0]!.query).toMatch(/^\s*SELECT \* FROM feedmirror_claim_sources\(\$1, \$2, \$3, \$4, \$5, \$6, \$7\)\s*$/);
    expect(toQueue[0]!.parameters.map(String).slice(0, 5)).toEqual(['worker-a', '5', '3600', '1000000', '3']);
  });

  // Values the old multi-statement query wrote into its text as literals: data now, whatever they hold.
  const ODD_VALUES = [
    ["quotes and a statement", "w'1\\'; DROP TABLE sources; --"],
    ['backslashes and an escape string', "E'\\x41\\\\\\'"],
    ['dollar quotes', '$claim$ $$ $1'],
    ['unicode: accents, CJK, emoji, RTL', 'wörker-東京-🚀-עברית'],
    ['a combining mark and a non-breaking space', 'e\u0301\u00a0w'],
    ['a line break and a tab', 'host-a\n\tworker 1'],
  ];

  it.each(ODD_VALUES)('a worker id with %s is stored as it is, and only it owns the claims', async (_what, worker) => {
    const { url, queues } = await fleet(2, 3);
    const claimed = await claim(queues[0]!, worker!, { batch: 2 });
    expect(claimed.map((c) => c.id)).toEqual(['s0000', 's0001']);
    const owners = await query(url, (db) => db<{ id: string; claimed_by: string | null }[]>`SELECT id, claimed_by FROM sources ORDER BY id`);
    expect(owners).toEqual([{ id: 's0000', claimed_by: worker }, { id: 's0001', claimed_by: worker }, { id: 's0002', claimed_by: null }]);
    expect(await query(url, (db) => db`SELECT count(*)::int AS n FROM sources`)).toEqual([{ n: 3 }]);
  });

  it.each(ODD_VALUES)('a source id and URL with %s reach the claim unchanged', async (_what, odd) => {
    const { queues } = await fleet(1, 0);
    const url = `https://odd.example/${odd}`;
    await queues[0]!.upsertSources([{ id: odd!, url, host: 'odd.example' }]);
    expect(await claim(queues[0]!, 'worker-a')).toEqual([{ id: odd, url, claimSeq: 1, claimAttempts: 1 }]);
  });
});

describe.runIf(ON_POSTGRES)('PostgreSQL source queue: the claim function', () => {
  it('a database migrated by the previous feedmirror (schema 7, no function) gains the function on migrate, and its sources are claimed as before', async () => {
    const url = await createTestDatabase();
    cleanups.push(() => dropTestDatabase(url));
    await query(url, async (sql) => {
      await sql`CREATE TABLE schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`;
      for (const migration of PG_MIGRATIONS.filter((m) => m.version <= 7)) {
        await sql.unsafe(migration.sql);
        await sql`INSERT INTO schema_migrations (version) VALUES (${migration.version})`;
      }
      await sql`INSERT INTO sources (id, url, host, claimed_by, claim_seq, claim_attempts, next_due_at)
                VALUES ('old-due', 'https://a.example/1', 'a.example', NULL, 4, 0, now() - interval '1 minute'),
                       ('old-held', 'https://a.example/2', 'a.example', 'w-old', 2, 1, now() + interval '1 hour')`;
    });
    const functions = () => query(url, (sql) => sql<{ n: number }[]>`SELECT count(*)::int AS n FROM pg_proc WHERE proname = 'feedmirror_claim_sources'`);
    expect(await functions()).toEqual([{ n: 0 }]);
    expect(await migrateStore(url)).toEqual({ from: 7, to: PG_LATEST_VERSION });
    expect(await functions()).toEqual([{ n: 1 }]);
    const store = await openPostgresStore(url);
    cleanups.push(() => store.close());
    expect(await claim(store.sourceQueue(), 'worker-new')).toEqual([{ id: 'old-due', url: 'https://a.example/1', claimSeq: 5, claimAttempts: 1 }]);
  });
});

/**
 * One claim made through the queue with auto_explain on its connection: every node of the plan of
 * the statement inside the claim function that claims (the one with SKIP LOCKED), as it ran.
 */
async function claimPlanNodes(url: string, options: ClaimOptions): Promise<PlanNode[]> {
  const statements = await recordPlans(url, async (sql) => void (await new PostgresSourceQueue(sql).claimDue('planner', options)));
  const claimStatement = statements.find((statement) => statement.query.includes('SKIP LOCKED'));
  if (!claimStatement) throw new Error(`no claim among the plans of: ${statements.map((s) => s.query.slice(0, 60)).join(' | ')}`);
  return planNodes(claimStatement.plan);
}
