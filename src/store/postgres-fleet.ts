import type postgres from 'postgres';
import type { FleetRegistry, FleetStatus, OutputRow } from './fleet-registry.js';
import { PostgresChoreLog } from './postgres-chore-log.js';

/** The fleet's workers and claims on a PostgreSQL store; every time is the database's. */
export class PostgresFleet implements FleetRegistry {
  constructor(private readonly sql: postgres.Sql) {}

  async register(workerId: string, host: string, pid: number, status: string): Promise<void> {
    await this.sql`
      INSERT INTO workers (worker_id, host, pid, status) VALUES (${workerId}, ${host}, ${pid}, ${status})
      ON CONFLICT (worker_id) DO UPDATE SET host = excluded.host, pid = excluded.pid, started_at = now(), heartbeat_at = now(), status = excluded.status`;
  }

  async heartbeat(workerId: string, status: string): Promise<void> {
    await this.sql`UPDATE workers SET heartbeat_at = now(), status = ${status} WHERE worker_id = ${workerId}`;
  }

  async fleetStatus(): Promise<FleetStatus> {
    const claims = await this.sql<{ id: string; claimed_by: string; claimed_at: Date | null; next_due_at: Date; expired: boolean }[]>`
      SELECT id, claimed_by, claimed_at, next_due_at, next_due_at <= now() AS expired FROM sources WHERE claimed_by IS NOT NULL ORDER BY id`;
    const disabled = await this.sql<{ id: string; disabled_error: string | null }[]>`SELECT id, disabled_error FROM sources WHERE NOT enabled ORDER BY id`;
    const workers = await this.sql<{ worker_id: string; host: string; pid: number; started_at: Date; heartbeat_at: Date; silent: number; status: string }[]>`
      SELECT worker_id, host, pid, started_at, heartbeat_at, extract(epoch FROM now() - heartbeat_at)::float8 AS silent, status FROM workers ORDER BY worker_id`;
    return {
      outputs: await this.outputRows(),
      chores: await new PostgresChoreLog(this.sql).lastChoreRuns(),
      claims: claims.map((row) => ({ sourceId: row.id, workerId: row.claimed_by, claimedAt: row.claimed_at?.toISOString() ?? null, leaseUntil: row.next_due_at.toISOString(), expired: row.expired })),
      disabled: disabled.map((row) => ({ sourceId: row.id, error: row.disabled_error ?? 'disabled' })),
      workers: workers.map((row) => ({
        workerId: row.worker_id, host: row.host, pid: row.pid, startedAt: row.started_at.toISOString(), heartbeatAt: row.heartbeat_at.toISOString(),
        silentSeconds: Math.round(row.silent), status: row.status,
      })),
    };
  }

  /** The outputs a publish has yet to write or is writing, the longest waiting first. */
  private async outputRows(): Promise<OutputRow[]> {
    const rows = await this.sql<{ id: string; dirty: boolean; dirty_since: Date | null; claimed_by: string | null; claimed_at: Date | null; lease_until: Date | null; expired: boolean; last_published_at: Date | null }[]>`
      SELECT id, dirty, dirty_since, claimed_by, claimed_at, lease_until, coalesce(lease_until <= now(), false) AS expired, last_published_at
      FROM outputs WHERE dirty OR claimed_by IS NOT NULL ORDER BY coalesce(dirty_since, claimed_at), id`;
    const iso = (date: Date | null) => date?.toISOString() ?? null;
    return rows.map((row) => ({
      outputId: row.id, dirty: row.dirty, dirtySince: iso(row.dirty_since), claimedBy: row.claimed_by, claimedAt: iso(row.claimed_at),
      leaseUntil: iso(row.lease_until), expired: row.expired, lastPublishedAt: iso(row.last_published_at),
    }));
  }
}
