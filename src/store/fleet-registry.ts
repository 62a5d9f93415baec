import type { ChoreRun } from './chore-log.js';

/** A worker of a fleet as `status` shows it. */
export interface WorkerRow {
  workerId: string;
  host: string;
  pid: number;
  startedAt: string;
  heartbeatAt: string;
  /** Seconds since the last heartbeat, by the database's clock. */
  silentSeconds: number;
  status: string;
}

export interface ClaimRow {
  sourceId: string;
  workerId: string;
  claimedAt: string | null;
  leaseUntil: string;
  /** The lease ran out: another worker may take the source now. */
  expired: boolean;
}

/** An output waiting to be published, or being published: dirty, claimed, or both. */
export interface OutputRow {
  outputId: string;
  /** A change since its last publish (or since the claim in progress) is not out yet. */
  dirty: boolean;
  /** When it became dirty; null when it is not (a publish in progress took the change). */
  dirtySince: string | null;
  /** The worker publishing it, and until when it holds it. */
  claimedBy: string | null;
  claimedAt: string | null;
  leaseUntil: string | null;
  /** The lease ran out: another worker may publish it now. */
  expired: boolean;
  lastPublishedAt: string | null;
}

export interface FleetStatus {
  claims: ClaimRow[];
  disabled: { sourceId: string; error: string }[];
  workers: WorkerRow[];
  outputs: OutputRow[];
  /** Each chore's last run that finished, on whichever worker (chore-log.ts). */
  chores: ChoreRun[];
}

/** The workers table (PostgreSQL migration 5): who works on the queue, and the fleet's state for `status`. */
export interface FleetRegistry {
  /** Records this worker as started (a restarted worker of the same id starts afresh). */
  register(workerId: string, host: string, pid: number, status: string): Promise<void>;
  /** The worker is alive (and what it is doing): by the database's clock. */
  heartbeat(workerId: string, status: string): Promise<void>;
  fleetStatus(): Promise<FleetStatus>;
}
