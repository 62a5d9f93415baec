import type { RunCoordinator } from 'node-cron';

/** One fire of a fleet-wide chore that ran on some worker. */
export interface ChoreRun {
  chore: string;
  /** node-cron's fire key ("<chore>:<fire time ISO>"): the same on every instance for one fire. */
  fireKey: string;
  workerId: string;
  startedAt: string;
  finishedAt: string;
  outcome: 'ok' | 'failed';
  /** What the chore did, or why it failed. */
  detail: string | null;
}

/**
 * What the fleet's chores need from a PostgreSQL store: node-cron's coordinator on it, a record
 * of every chore fire that ran, and the database's clock. A SQLite store has one process at a
 * time, so it has no chores of the fleet.
 */
export interface ChoreStore {
  runCoordinator(workerId: string): RunCoordinator;
  /** Records a chore fire that ran; its times are the database's (finished now, started `durationMs` earlier). */
  recordChoreRun(run: Omit<ChoreRun, 'startedAt' | 'finishedAt'> & { durationMs: number }): Promise<void>;
  /** The last run of each chore, by chore name. */
  lastChoreRuns(): Promise<ChoreRun[]>;
  /** Drops fire rows and chore records older than `olderThanSeconds`; how many of each. */
  pruneChoreRecords(olderThanSeconds: number): Promise<{ fires: number; runs: number }>;
  /** This host's clock minus the database's, in ms. */
  clockSkewMs(): Promise<number>;
}
