import type postgres from 'postgres';
import type { ClaimedSource, QueuedSource, SourceQueue } from './source-queue.js';

/**
 * The work queue of a fleet of workers on one PostgreSQL store: the `sources` table (migration 2).
 * A claim is one statement with `FOR UPDATE SKIP LOCKED`, so concurrent claimers never take the
 * same row and never wait for one another; it moves `next_due_at` to the end of the lease, so a
 * worker that dies gives its sources back by itself. Only the database's clock is read: workers'
 * clocks may disagree, and due times and leases must not.
 */
export class PostgresSourceQueue implements SourceQueue {
  constructor(private readonly sql: postgres.Sql) {}

  async upsertSources(sources: QueuedSource[]): Promise<void> {
    if (sources.length === 0) return;
    const sql = this.sql;
    const column = (pick: (source: QueuedSource) => string) => sql.array(sources.map(pick));
    // A known source keeps its due time and any claim on it: a worker starting with the config
    // must not make every source due again, nor take a source from the worker fetching it.
    await sql`
      INSERT INTO sources (id, url, host)
      SELECT * FROM unnest(${column((s) => s.id)}::text[], ${column((s) => s.url)}::text[], ${column((s) => s.host)}::text[])
      ON CONFLICT (id) DO UPDATE SET url = excluded.url, host = excluded.host
      WHERE (sources.url, sources.host) IS DISTINCT FROM (excluded.url, excluded.host)`;
  }

  async claimDue(workerId: string, leaseSeconds: number, batch: number): Promise<ClaimedSource[]> {
    const rows = await this.sql<{ id: string; url: string; claim_seq: string; claim_attempts: number }[]>`
      UPDATE sources s SET next_due_at = now() + make_interval(secs => ${leaseSeconds}), claimed_by = ${workerId}, claimed_at = now(),
             claim_seq = s.claim_seq + 1, claim_attempts = s.claim_attempts + 1
      FROM (SELECT id FROM sources WHERE enabled AND next_due_at <= now() ORDER BY next_due_at, id LIMIT ${batch} FOR UPDATE SKIP LOCKED) due
      WHERE s.id = due.id
      RETURNING s.id, s.url, s.claim_seq, s.claim_attempts`;
    return rows.map((row) => ({ id: row.id, url: row.url, claimSeq: Number(row.claim_seq), claimAttempts: row.claim_attempts }));
  }

  async complete(claim: ClaimedSource, nextDueInSeconds: number): Promise<boolean> {
    return this.finish(claim, nextDueInSeconds, 0);
  }

  async release(claim: ClaimedSource): Promise<boolean> {
    return this.finish(claim, 0, claim.claimAttempts - 1);
  }

  /** Ends a claim if it is still this one (same claim_seq): false when its lease ran out and another worker claimed the source. */
  private async finish(claim: ClaimedSource, nextDueInSeconds: number, attempts: number): Promise<boolean> {
    const result = await this.sql`
      UPDATE sources SET next_due_at = now() + make_interval(secs => ${nextDueInSeconds}), claimed_by = NULL, claimed_at = NULL,
             claim_attempts = ${Math.max(0, attempts)}
      WHERE id = ${claim.id} AND claim_seq = ${claim.claimSeq}`;
    return result.count === 1;
  }
}
