import type postgres from 'postgres';
import { CLAIM_LOCK, LOCK_SPACE } from './postgres-migrations.js';
import { REMOVED_FROM_CONFIG, type ClaimedSource, type ClaimedWrites, type ClaimOptions, type ClaimOutcome, type QueuedSource, type SourceQueue } from './source-queue.js';
import type { SourceState } from '../model/source-state.js';
import type { UpsertSummary } from './store.js';
import { texts } from './postgres-upsert.js';
import { writeArticles, writeDocuments, writeSourceStates } from './postgres-writes.js';

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
   * Serialised across the fleet by an advisory lock (per-host counts are then exact): disables
   * the sources that keep losing their lease, then claims the oldest due sources whose hosts have
   * room left. SKIP LOCKED passes over rows a completion is writing at that moment. One statement,
   * the function of migration 8 with bound parameters: the lock is taken inside it, so it is held
   * only while the server works, never while a worker waits to be scheduled to read a result (on
   * a busy host that held it for tens of milliseconds, and every other claimer queued behind it:
   * docs/performance-history.md, "Cluster").
   */
  async claimDue(workerId: string, options: ClaimOptions): Promise<ClaimOutcome> {
    const window = Math.max(CLAIM_WINDOW_MIN, options.batch * CLAIM_WINDOW_PER_SLOT);
    const error = stalledError(options.maxAttempts);
    const rows = await this.sql<{ id: string; url: string | null; claim_seq: string | null; claim_attempts: number | null; disabled_error: string | null }[]>`
      SELECT * FROM feedmirror_claim_sources(${workerId}, ${options.batch}, ${options.leaseSeconds}, ${options.perHost}, ${options.maxAttempts}, ${error}, ${window})`;
    const claimed = rows.filter((row) => row.disabled_error === null).map((row) => ({ id: row.id, url: row.url!, claimSeq: Number(row.claim_seq), claimAttempts: Number(row.claim_attempts) }));
    const disabled = rows.filter((row) => row.disabled_error !== null).map((row) => ({ id: row.id, error: row.disabled_error! }));
    return { claimed: claimed.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)), disabled };
  }

  async syncSources(sources: QueuedSource[]): Promise<{ added: number; removed: number }> {
    const sql = this.sql;
    const column = (pick: (source: QueuedSource) => string) => texts(sql, sources.map(pick));
    return sql.begin(async (tx) => {
      const added = await tx<{ inserted: boolean }[]>`
        INSERT INTO sources (id, url, host)
        SELECT * FROM unnest(${column((s) => s.id)}::text[], ${column((s) => s.url)}::text[], ${column((s) => s.host)}::text[])
        ON CONFLICT (id) DO UPDATE SET url = excluded.url, host = excluded.host,
          enabled = sources.enabled OR sources.disabled_error IS NOT DISTINCT FROM ${REMOVED_FROM_CONFIG},
          disabled_error = nullif(sources.disabled_error, ${REMOVED_FROM_CONFIG})
        WHERE (sources.url, sources.host) IS DISTINCT FROM (excluded.url, excluded.host) OR sources.disabled_error IS NOT DISTINCT FROM ${REMOVED_FROM_CONFIG}
        RETURNING (xmax = 0) AS inserted`;
      const removed = await tx`
        UPDATE sources SET enabled = false, disabled_error = ${REMOVED_FROM_CONFIG}
        WHERE enabled AND id <> ALL(${column((s) => s.id)})`;
      return { added: added.filter((row) => row.inserted).length, removed: removed.count };
    });
  }

  async claimSources(workerId: string, ids: string[], leaseSeconds: number): Promise<ClaimedSource[]> {
    if (ids.length === 0) return [];
    return this.sql.begin(async (tx) => {
      await tx`SELECT pg_advisory_xact_lock(${LOCK_SPACE}::int, ${CLAIM_LOCK}::int)`;
      const rows = await tx<{ id: string; url: string; claim_seq: string; claim_attempts: number }[]>`
        WITH free AS (
          SELECT id FROM sources WHERE id = ANY(${texts(tx, ids)}) AND disabled_error IS DISTINCT FROM ${REMOVED_FROM_CONFIG}
            AND (claimed_by IS NULL OR next_due_at <= now())
          ORDER BY id FOR UPDATE SKIP LOCKED
        )
        UPDATE sources s SET next_due_at = now() + make_interval(secs => ${leaseSeconds}), claimed_by = ${workerId}, claimed_at = now(),
               claim_seq = s.claim_seq + 1, claim_attempts = 1, enabled = true, disabled_error = NULL
        FROM free WHERE s.id = free.id
        RETURNING s.id, s.url, s.claim_seq, s.claim_attempts`;
      return rows.map((row) => ({ id: row.id, url: row.url, claimSeq: Number(row.claim_seq), claimAttempts: row.claim_attempts })).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    });
  }

  /**
   * The claim is ended first: its row stays locked until the commit, so no claimer can take the
   * source between the fence and the writes, and a lost lease costs no write at all.
   */
  async completeHarvest(claim: ClaimedSource, writes: ClaimedWrites, nextDueInSeconds: number, now: Date): Promise<UpsertSummary | null> {
    return this.sql.begin(async (tx) => {
      if (!(await finishClaim(tx, claim, nextDueInSeconds, 0))) return null;
      const summary = writes.articles.length > 0 ? await writeArticles(tx, writes.articles, now) : { inserted: 0, updated: 0, unchanged: 0 };
      if (writes.state) await writeSourceStates(tx, [writes.state]);
      if (writes.record) await writeDocuments(tx, [writes.record]);
      return summary;
    });
  }

  async sourceStates(ids: string[]): Promise<Map<string, SourceState>> {
    const rows = await this.sql<{ state: string }[]>`SELECT state FROM source_state WHERE source_id = ANY(${texts(this.sql, ids)})`;
    const states = rows.map((row) => JSON.parse(row.state) as SourceState);
    return new Map(states.map((state) => [state.sourceId, state]));
  }

  async complete(claim: ClaimedSource, nextDueInSeconds: number): Promise<boolean> {
    return this.finish(claim, nextDueInSeconds, 0);
  }

  async release(claim: ClaimedSource): Promise<boolean> {
    return this.finish(claim, 0, claim.claimAttempts - 1);
  }

  async renewLeases(workerId: string, claims: ClaimedSource[], leaseSeconds: number): Promise<string[]> {
    if (claims.length === 0) return [];
    const rows = await this.sql<{ id: string }[]>`
      UPDATE sources s SET next_due_at = now() + make_interval(secs => ${leaseSeconds})
      FROM unnest(${texts(this.sql, claims.map((c) => c.id))}, ${this.sql.array(claims.map((c) => String(c.claimSeq)))}::bigint[]) AS held(id, seq)
      WHERE s.id = held.id AND s.claim_seq = held.seq AND s.claimed_by = ${workerId}
      RETURNING s.id`;
    return rows.map((row) => row.id);
  }

  private async finish(claim: ClaimedSource, nextDueInSeconds: number, attempts: number): Promise<boolean> {
    return finishClaim(this.sql, claim, nextDueInSeconds, attempts);
  }
}

/**
 * How many of the oldest due rows a claim ranks by host first (at least CLAIM_WINDOW_MIN, or
 * CLAIM_WINDOW_PER_SLOT per source asked for). Ranking every due row costs a scan and a sort of
 * all of them, under the lock every claimer waits for: 0.2 s at 20,000 due rows, more than a
 * second at 100,000 (docs/performance-history.md, "Cluster").
 */
const CLAIM_WINDOW_MIN = 200;
const CLAIM_WINDOW_PER_SLOT = 20;

/** Ends a claim if it is still this one (same claim_seq): false when its lease ran out and another worker claimed the source. */
async function finishClaim(sql: postgres.Sql | postgres.TransactionSql, claim: ClaimedSource, nextDueInSeconds: number, attempts: number): Promise<boolean> {
  const result = await sql`
    UPDATE sources SET next_due_at = now() + make_interval(secs => ${nextDueInSeconds}), claimed_by = NULL, claimed_at = NULL,
           claim_attempts = ${Math.max(0, attempts)}
    WHERE id = ${claim.id} AND claim_seq = ${claim.claimSeq}`;
  return result.count === 1;
}

function stalledError(maxAttempts: number): string {
  return `claimed ${maxAttempts} times without completing (each worker that took it died or stalled past its lease): disabled`;
}
