import type postgres from 'postgres';
import { CLAIM_LOCK, LOCK_SPACE } from './postgres-migrations.js';
import type { ClaimedSource, ClaimOptions, ClaimOutcome, QueuedSource, SourceQueue } from './source-queue.js';

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

  /**
   * In one transaction, serialised across the fleet by an advisory lock (a claim takes about a
   * millisecond, so queueing them costs nothing, and per-host counts are then exact): disables
   * the sources that keep losing their lease, then claims the oldest due sources whose hosts have
   * room left. SKIP LOCKED passes over rows a completion is writing at that moment.
   */
  async claimDue(workerId: string, options: ClaimOptions): Promise<ClaimOutcome> {
    return this.sql.begin(async (tx) => {
      await tx`SELECT pg_advisory_xact_lock(${LOCK_SPACE}::int, ${CLAIM_LOCK}::int)`;
      const disabled = await disableStalled(tx, options.maxAttempts);
      const rows = await tx<{ id: string; url: string; claim_seq: string; claim_attempts: number }[]>`
        WITH busy AS (
          SELECT host, count(*) AS n FROM sources WHERE claimed_by IS NOT NULL AND next_due_at > now() GROUP BY host
        ), ranked AS (
          SELECT id, next_due_at, row_number() OVER (PARTITION BY host ORDER BY next_due_at, id) + coalesce(busy.n, 0) AS load
          FROM sources LEFT JOIN busy USING (host) WHERE enabled AND next_due_at <= now()
        ), due AS (
          SELECT s.id FROM sources s JOIN ranked r ON r.id = s.id WHERE r.load <= ${options.perHost}
          ORDER BY r.next_due_at, r.id LIMIT ${options.batch} FOR UPDATE OF s SKIP LOCKED
        )
        UPDATE sources s SET next_due_at = now() + make_interval(secs => ${options.leaseSeconds}), claimed_by = ${workerId}, claimed_at = now(),
               claim_seq = s.claim_seq + 1, claim_attempts = s.claim_attempts + 1
        FROM due WHERE s.id = due.id
        RETURNING s.id, s.url, s.claim_seq, s.claim_attempts`;
      const claimed = rows.map((row) => ({ id: row.id, url: row.url, claimSeq: Number(row.claim_seq), claimAttempts: row.claim_attempts }));
      return { claimed: claimed.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)), disabled };
    });
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

/** Sources whose lease ran out `maxAttempts` times in a row: disabled, with an error that says so, so that status shows why. */
async function disableStalled(tx: postgres.TransactionSql, maxAttempts: number): Promise<{ id: string; error: string }[]> {
  const error = `claimed ${maxAttempts} times without completing (each worker that took it died or stalled past its lease): disabled`;
  const rows = await tx<{ id: string }[]>`
    UPDATE sources SET enabled = false, disabled_error = ${error}, claimed_by = NULL, claimed_at = NULL
    WHERE enabled AND claimed_by IS NOT NULL AND next_due_at <= now() AND claim_attempts >= ${maxAttempts}
    RETURNING id`;
  return rows.map((row) => ({ id: row.id, error }));
}
