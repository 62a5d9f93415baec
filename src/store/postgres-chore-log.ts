import type postgres from 'postgres';
import type { ChoreRun, ChoreStore } from './chore-log.js';
import { measureClockSkew, PostgresRunCoordinator, pruneFires } from './postgres-run-coordinator.js';

interface ChoreRunRow {
  chore: string;
  fire_key: string;
  worker_id: string;
  started_at: Date;
  finished_at: Date;
  outcome: 'ok' | 'failed';
  detail: string | null;
}

/** Migration 4's `cron_fires` and `chore_runs`, on the store's connections. */
export class PostgresChoreLog implements ChoreStore {
  constructor(private readonly sql: postgres.Sql) {}

  runCoordinator(workerId: string): PostgresRunCoordinator {
    return new PostgresRunCoordinator(this.sql, workerId);
  }

  async recordChoreRun(run: Omit<ChoreRun, 'startedAt' | 'finishedAt'> & { durationMs: number }): Promise<void> {
    await this.sql`
      INSERT INTO chore_runs (chore, fire_key, worker_id, started_at, finished_at, outcome, detail)
      VALUES (${run.chore}, ${run.fireKey}, ${run.workerId}, now() - make_interval(secs => ${run.durationMs / 1000}), now(), ${run.outcome}, ${run.detail})`;
  }

  async lastChoreRuns(): Promise<ChoreRun[]> {
    const rows = await this.sql<ChoreRunRow[]>`
      SELECT DISTINCT ON (chore) chore, fire_key, worker_id, started_at, finished_at, outcome, detail
      FROM chore_runs ORDER BY chore, finished_at DESC`;
    return rows.map((row) => ({
      chore: row.chore, fireKey: row.fire_key, workerId: row.worker_id, startedAt: row.started_at.toISOString(),
      finishedAt: row.finished_at.toISOString(), outcome: row.outcome, detail: row.detail,
    }));
  }

  async pruneChoreRecords(olderThanSeconds: number): Promise<{ fires: number; runs: number }> {
    const fires = await pruneFires(this.sql, olderThanSeconds);
    const result = await this.sql`DELETE FROM chore_runs WHERE finished_at < now() - make_interval(secs => ${olderThanSeconds})`;
    return { fires, runs: result.count };
  }

  clockSkewMs(): Promise<number> {
    return measureClockSkew(this.sql);
  }
}
