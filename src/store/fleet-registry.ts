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

export interface FleetStatus {
  claims: ClaimRow[];
  disabled: { sourceId: string; error: string }[];
  workers: WorkerRow[];
}

/** The workers table (PostgreSQL migration 5): who works on the queue, and the fleet's state for `status`. */
export interface FleetRegistry {
  /** Records this worker as started (a restarted worker of the same id starts afresh). */
  register(workerId: string, host: string, pid: number, status: string): Promise<void>;
  /** The worker is alive (and what it is doing): by the database's clock. */
  heartbeat(workerId: string, status: string): Promise<void>;
  fleetStatus(): Promise<FleetStatus>;
}
