/** A configured output as the fleet's publish queue knows it. */
export interface QueuedOutput {
  id: string;
  /** The sources it shows, resolved from ids and tags; ["*"] for every configured source. */
  sourceIds: string[];
  /** A hash of everything in the config its files are rendered from: when it changes, the output is dirty. */
  configHash: string;
}

/** An output this worker publishes until its lease runs out. */
export interface ClaimedOutput {
  id: string;
  /** Fences the claim: a completion with an older number is refused. */
  claimSeq: number;
}

export interface OutputClaimOptions {
  leaseSeconds: number;
  /** Only outputs dirty for at least this long are claimed: a burst of changes goes out in one publish. */
  debounceSeconds: number;
  /** At most this many outputs per claim. */
  batch: number;
  /** Only outputs this worker's config knows (a worker with an older config leaves the others alone). */
  outputIds: string[];
}

/** What the index shows of an output, written by the publish that completed it. */
export interface OutputSummaryRecord {
  items: number;
  archivePages: number;
  updated: string;
}

/** Dirty outputs that changed at or before a moment: what a worker that made those changes waits for. */
export interface PendingOutputs {
  /** How many, held by a publisher or not. */
  waiting: number;
  /** Seconds until the first one no publisher holds may be claimed (0: now); null when publishers hold them all. */
  claimableInSeconds: number | null;
}

/**
 * Outputs shared by a fleet of workers (PostgreSQL only: on SQLite one process publishes
 * everything after its run). Ingest marks an output dirty in the transaction that changes one of
 * its sources' articles; a worker claims dirty outputs, renders them from committed data and
 * completes the claim. Every time is the database's.
 */
export interface OutputQueue {
  /**
   * Makes the table match the config: new outputs and those whose hash changed are dirty; outputs
   * no longer configured go. `dirtyAll`: every output is dirty (everything is published again).
   */
  syncOutputs(outputs: QueuedOutput[], dirtyAll?: boolean): Promise<void>;
  /**
   * Claims dirty outputs for this worker, clearing `dirty`: no two claimers ever hold one output
   * while its lease runs, and an output whose lease ran out (its worker died) is claimed again.
   */
  claimDirty(workerId: string, options: OutputClaimOptions): Promise<ClaimedOutput[]>;
  /** Ends the claim and keeps what the index shows of the output; false when the lease was lost. */
  complete(claim: ClaimedOutput, summary: OutputSummaryRecord): Promise<boolean>;
  /** Ends a claim whose publish failed: the output is dirty again, for a later try. */
  release(claim: ClaimedOutput): Promise<boolean>;
  /** Of these outputs, the dirty ones that changed at or before `since`, and when the first may be claimed. */
  pending(since: Date, debounceSeconds: number, outputIds: string[]): Promise<PendingOutputs>;
  /** What the index shows of each output published so far, by id. */
  summaries(): Promise<Map<string, OutputSummaryRecord>>;
  /** The database's clock: the one the queue's times are on, whatever this host's says. */
  now(): Promise<Date>;
  /** Runs `task` while no other worker of the fleet runs one (the site-wide files have one writer at a time). */
  withSiteLock<T>(task: () => Promise<T>): Promise<T>;
}
