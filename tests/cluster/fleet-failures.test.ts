/**
 * What a fleet does when a worker fails: SIGKILL (its claims come back after the lease, to other
 * workers), SIGTERM (claims given back at once, exit 0), a lease lost while fetching (the
 * completion is rolled back and logged). Real `feedmirror daemon` processes on PostgreSQL.
 */
import { describe, expect, it } from 'vitest';
import { opsScope, waitFor, waitForExit, waitForLogs } from '../operations/helpers/ops-scope.js';
import { LEASE_SECONDS, startFleet } from './helpers/fleet.js';

const scope = opsScope();
/** Long enough that no source falls due twice during a test. */
const ONCE = 3600;

describe('fleet failures on PostgreSQL', () => {
  it('SIGKILL of one of 3 workers: only its claims are requested again, each once and not before its lease ran out; none is left claimed with an expired lease', async () => {
    const fleet = await startFleet(scope, { sources: 30, latencyMs: 1_500, interval: ONCE, concurrency: 4 });
    const [victim, ...others] = await Promise.all(['w1', 'w2', 'w3'].map((id) => fleet.daemon(id)));
    await waitFor(() => fleet.server.log.some((r) => r.worker === 'w1' && r.endedAt === null), 'a request of w1 in flight');
    victim!.signal('SIGKILL');
    await waitForExit(victim!);
    const lost = await fleet.query((sql) => sql<{ id: string; lease_end: Date }[]>`SELECT id, next_due_at AS lease_end FROM sources WHERE claimed_by = 'w1' ORDER BY id`);
    expect(lost.length).toBeGreaterThan(0);
    expect(lost.length).toBeLessThanOrEqual(4); // its concurrency
    const lostIndexes = lost.map((row) => fleet.ids.indexOf(row.id));

    const requestsOf = (i: number) => fleet.server.log.filter((r) => r.source === i);
    await waitFor(() => lostIndexes.every((i) => requestsOf(i).some((r) => r.worker !== 'w1' && r.endedAt !== null)), 'the killed worker\'s sources fetched by the others', 90_000);
    await waitFor(async () => (await fleet.query((sql) => sql<{ n: number }[]>`SELECT count(*)::int AS n FROM sources WHERE claimed_by IS NOT NULL`))[0]!.n === 0, 'every claim completed');

    for (const [k, i] of lostIndexes.entries()) {
      const again = requestsOf(i).filter((r) => r.worker !== 'w1');
      expect(again, `source ${i}`).toHaveLength(1);
      // The database's clock and this process's are the same machine's: a little slack for rounding only.
      expect(again[0]!.startedAt).toBeGreaterThanOrEqual(lost[k]!.lease_end.getTime() - 100);
    }
    for (const [i] of fleet.ids.entries()) {
      const expected = lostIndexes.includes(i) ? [1, 2] : [1];
      expect(expected, `requests for source ${i}`).toContain(requestsOf(i).length);
    }
    for (const worker of others) worker!.signal('SIGTERM');
    for (const worker of others) expect((await waitForExit(worker!)).code).toBe(0);
  }, 180_000);

  it('SIGTERM while fetches hang: no new claim, the in-flight claims given back due at once, exit 0; the workers table says stopped', async () => {
    const fleet = await startFleet(scope, { sources: 20, latencyMs: 10, interval: ONCE, concurrency: 5 });
    const release = fleet.server.hold();
    scope.defer(release);
    const worker = await fleet.daemon('w1');
    await waitFor(() => fleet.server.log.length >= 5, 'five requests in flight');
    worker.signal('SIGTERM');
    expect(await waitForExit(worker), worker.stderr()).toEqual({ code: 0, signal: null });
    expect(fleet.server.log).toHaveLength(5);
    await waitForLogs(worker, (r) => r.event === 'stopped', 'the "stopped" line');
    const rows = await fleet.query((sql) => sql<{ claimed: number; due: number; attempts: number }[]>`
      SELECT count(*) FILTER (WHERE claimed_by IS NOT NULL)::int AS claimed, count(*) FILTER (WHERE next_due_at <= now())::int AS due,
             sum(claim_attempts)::int AS attempts FROM sources`);
    expect(rows[0]).toEqual({ claimed: 0, due: 20, attempts: 0 });
    const workers = await fleet.query((sql) => sql<{ worker_id: string; status: string }[]>`SELECT worker_id, status FROM workers`);
    expect(workers).toEqual([{ worker_id: 'w1', status: 'stopped' }]);
  }, 120_000);

  it('a lease lost while fetching (another worker took the source): the harvest is rolled back, nothing of it is stored, and a warning names the source and the worker', async () => {
    const fleet = await startFleet(scope, { sources: 1, latencyMs: 10, interval: ONCE });
    const release = fleet.server.hold();
    scope.defer(release);
    const worker = await fleet.daemon('w1');
    await waitFor(() => fleet.server.log.length === 1, 'the request in flight');
    // What another worker's claim after the lease ran out does to the row.
    await fleet.query((sql) => sql`UPDATE sources SET claim_seq = claim_seq + 1, claimed_by = 'w2', next_due_at = now() + interval '1 hour'`);
    release();
    const [lost] = await waitForLogs(worker, (r) => r.event === 'lease-lost', 'the lost-lease warning');
    expect(lost).toMatchObject({ level: 40, source: 's0000', worker: 'w1' });
    expect(lost!.msg).toMatch(/source s0000: worker w1 lost its claim .*rolled back/);
    const stored = await fleet.query((sql) => sql<{ articles: number; states: number; owner: string }[]>`
      SELECT (SELECT count(*)::int FROM articles) AS articles, (SELECT count(*)::int FROM source_state) AS states, (SELECT claimed_by FROM sources) AS owner`);
    expect(stored[0]).toEqual({ articles: 0, states: 0, owner: 'w2' });
    worker.signal('SIGTERM');
    expect((await waitForExit(worker)).code).toBe(0);
  }, 120_000);
});
