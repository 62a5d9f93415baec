import type postgres from 'postgres';
import { LOCK_SPACE, SITE_LOCK } from './postgres-migrations.js';
import { texts } from './postgres-upsert.js';
import type { ClaimedOutput, OutputClaimOptions, OutputQueue, OutputSummaryRecord, PendingOutputs, QueuedOutput } from './output-queue.js';

/**
 * The fleet's publish queue on one PostgreSQL store: the `outputs` table (migration 6). Claims
 * take the same shape as the sources' (postgres-source-queue.ts): one statement, `FOR UPDATE
 * SKIP LOCKED`, a lease in `lease_until`, `claim_seq` fencing the completion. `dirty` is cleared
 * at claim time, so an ingest that commits while the output is being rendered sets it again and
 * the output is published once more, from data that includes the change.
 */
export class PostgresOutputQueue implements OutputQueue {
  constructor(private readonly sql: postgres.Sql) {}

  async syncOutputs(outputs: QueuedOutput[], dirtyAll = false): Promise<void> {
    const sql = this.sql;
    if (dirtyAll) await sql`UPDATE outputs SET dirty = true, dirty_since = now() WHERE id IN (SELECT id FROM outputs WHERE NOT dirty ORDER BY id FOR UPDATE)`;
    const known = new Map((await sql<{ id: string; config_hash: string }[]>`SELECT id, config_hash FROM outputs`).map((row) => [row.id, row.config_hash]));
    // Only rows that differ are written: every worker syncs at every run, and a row lock taken
    // for nothing would queue behind the ingests marking that output.
    const changed = outputs.filter((o) => known.get(o.id) !== o.configHash).sort((a, b) => (a.id < b.id ? -1 : 1));
    const gone = [...known.keys()].filter((id) => !outputs.some((o) => o.id === id));
    if (changed.length === 0 && gone.length === 0) return;
    await sql.begin(async (tx) => {
      for (const output of changed) {
        await tx`
          INSERT INTO outputs (id, source_ids, config_hash) VALUES (${output.id}, ${texts(tx, output.sourceIds)}::text[], ${output.configHash})
          ON CONFLICT (id) DO UPDATE SET source_ids = excluded.source_ids, config_hash = excluded.config_hash,
            dirty = true, dirty_since = CASE WHEN outputs.dirty THEN outputs.dirty_since ELSE now() END
          WHERE outputs.config_hash <> excluded.config_hash`;
      }
      if (gone.length > 0) await tx`DELETE FROM outputs WHERE id = ANY(${texts(tx, gone)}::text[])`;
    });
  }

  async claimDirty(workerId: string, options: OutputClaimOptions): Promise<ClaimedOutput[]> {
    const rows = await this.sql<{ id: string; claim_seq: string }[]>`
      WITH due AS (
        SELECT id FROM outputs
        WHERE id = ANY(${texts(this.sql, options.outputIds)}) AND ((dirty AND claimed_by IS NULL AND dirty_since <= now() - make_interval(secs => ${options.debounceSeconds}))
           OR (claimed_by IS NOT NULL AND lease_until <= now()))
        ORDER BY coalesce(dirty_since, lease_until), id LIMIT ${options.batch} FOR UPDATE SKIP LOCKED
      )
      UPDATE outputs o SET dirty = false, dirty_since = NULL, claimed_by = ${workerId}, claimed_at = now(),
             lease_until = now() + make_interval(secs => ${options.leaseSeconds}), claim_seq = o.claim_seq + 1
      FROM due WHERE o.id = due.id
      RETURNING o.id, o.claim_seq`;
    return rows.map((row) => ({ id: row.id, claimSeq: Number(row.claim_seq) })).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  async complete(claim: ClaimedOutput, summary: OutputSummaryRecord): Promise<boolean> {
    const result = await this.sql`
      UPDATE outputs SET claimed_by = NULL, claimed_at = NULL, lease_until = NULL, last_published_at = now(), summary = ${JSON.stringify(summary)}
      WHERE id = ${claim.id} AND claim_seq = ${claim.claimSeq}`;
    return result.count === 1;
  }

  async release(claim: ClaimedOutput): Promise<boolean> {
    const result = await this.sql`
      UPDATE outputs SET claimed_by = NULL, claimed_at = NULL, lease_until = NULL, dirty = true, dirty_since = coalesce(dirty_since, now())
      WHERE id = ${claim.id} AND claim_seq = ${claim.claimSeq}`;
    return result.count === 1;
  }

  async pending(since: Date, debounceSeconds: number, outputIds: string[]): Promise<PendingOutputs> {
    const [row] = await this.sql<{ waiting: number; wait: number | null }[]>`
      SELECT count(*)::int AS waiting,
             extract(epoch FROM min(dirty_since) FILTER (WHERE claimed_by IS NULL) + make_interval(secs => ${debounceSeconds}) - now())::float8 AS wait
      FROM outputs WHERE dirty AND dirty_since <= ${since.toISOString()}::timestamptz AND id = ANY(${texts(this.sql, outputIds)})`;
    return { waiting: row!.waiting, claimableInSeconds: row!.wait === null ? null : Math.max(0, row!.wait) };
  }

  async summaries(): Promise<Map<string, OutputSummaryRecord>> {
    const rows = await this.sql<{ id: string; summary: string }[]>`SELECT id, summary FROM outputs WHERE summary IS NOT NULL`;
    return new Map(rows.map((row) => [row.id, JSON.parse(row.summary) as OutputSummaryRecord]));
  }

  async now(): Promise<Date> {
    const [row] = await this.sql<{ now: Date }[]>`SELECT now() AS now`;
    return row!.now;
  }

  /**
   * A transaction-level advisory lock, so a worker that dies lets go of it with its connection.
   * Writers of the index take turns, and each reads the summaries after the one before it wrote:
   * the last index written shows every publish completed before it.
   */
  async withSiteLock<T>(task: () => Promise<T>): Promise<T> {
    return this.sql.begin(async (tx) => {
      await tx`SELECT pg_advisory_xact_lock(${LOCK_SPACE}::int, ${SITE_LOCK}::int)`;
      return task();
    }) as Promise<T>;
  }
}

/**
 * Marks dirty, in the caller's transaction, every output that shows one of these sources.
 *
 * Every such output is first locked FOR KEY SHARE until the caller commits, dirty or not. A claim
 * (FOR UPDATE SKIP LOCKED) clears `dirty` and renders what is committed; without the lock, an
 * output already dirty would be left alone here, a claim could clear it before this transaction
 * commits, and its publish would miss these articles with nothing left dirty to publish them
 * later. KEY SHARE conflicts with the claim's FOR UPDATE and with nothing ingests take, so ingests
 * marking the same outputs never wait for each other here. The lock answers each row as it is
 * now (after a claim it waited for), and while it is held no claim can clear `dirty`: an output it
 * answers dirty stays dirty, and only the others are written.
 *
 * Those are written FOR NO KEY UPDATE (which the key-share locks of other ingests let through), in
 * id order, so two ingests cannot deadlock; the output every source feeds (`"*"`) is written once
 * per publish, not once per ingest.
 */
export async function markOutputsDirty(tx: postgres.TransactionSql, sourceIds: string[]): Promise<void> {
  if (sourceIds.length === 0) return;
  const shown = await tx<{ id: string; dirty: boolean }[]>`
    SELECT id, dirty FROM outputs WHERE source_ids && ${texts(tx, sourceIds)}::text[] OR '*' = ANY(source_ids) ORDER BY id FOR KEY SHARE`;
  const clean = shown.filter((output) => !output.dirty).map((output) => output.id);
  if (clean.length === 0) return;
  await tx`
    UPDATE outputs SET dirty = true, dirty_since = now()
    WHERE id IN (SELECT id FROM outputs WHERE id = ANY(${texts(tx, clean)}::text[]) AND NOT dirty ORDER BY id FOR NO KEY UPDATE)`;
}
