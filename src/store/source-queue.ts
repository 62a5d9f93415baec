import type { Article } from '../model/article.js';
import type { SourceState } from '../model/source-state.js';
import type { CachedDocument, UpsertSummary } from './store.js';

/** A configured source as the shared queue knows it. */
export interface QueuedSource {
  id: string;
  url: string;
  /** The host fetched, for per-host limits across the fleet. */
  host: string;
}

/** A source this worker holds until its lease runs out. */
export interface ClaimedSource {
  id: string;
  url: string;
  /** Fences the claim: a completion with an older number is refused. */
  claimSeq: number;
  /** Claims in a row that were not completed: a source that keeps killing workers shows here. */
  claimAttempts: number;
}

export interface ClaimOptions {
  leaseSeconds: number;
  /** At most this many sources per claim. */
  batch: number;
  /** Unexpired claims on one host, fleet-wide. */
  perHost: number;
  /** Claims in a row that ran out before a source is disabled (it kills or stalls the workers that take it). */
  maxAttempts: number;
}

/** What a harvest of a claimed source writes, in the transaction that completes the claim. */
export interface ClaimedWrites {
  articles: Article[];
  /** null: the stored state says this already. */
  state: SourceState | null;
  /** The harvest's record (run-records.ts), as a document, when it changed. */
  record: { key: string; document: CachedDocument } | null;
}

/** Why a source in the table is disabled when the config no longer lists it (re-enabled if it comes back). */
export const REMOVED_FROM_CONFIG = 'not in the config any more';

export interface ClaimOutcome {
  claimed: ClaimedSource[];
  /** Sources this claim disabled, with the error now stored on them. */
  disabled: { id: string; error: string }[];
}

/**
 * Sources shared by a fleet of workers (PostgreSQL only: a SQLite store has one process at a
 * time, and its run lock is the whole of its coordination). Every time is the database's.
 */
export interface SourceQueue {
  /** Adds sources, due at once, and updates the URL and host of known ones, keeping their due times, claims and a disabling. */
  upsertSources(sources: QueuedSource[]): Promise<void>;
  /**
   * Claims due sources for this worker: no two claimers ever get the same source while its lease
   * runs, and no host gets more than `perHost` unexpired claims across the fleet. A source whose
   * lease ran out `maxAttempts` times in a row without a completion is disabled instead.
   */
  claimDue(workerId: string, options: ClaimOptions): Promise<ClaimOutcome>;
  /** Ends the claim, the source due again in `nextDueInSeconds`; false when the lease was lost. */
  complete(claim: ClaimedSource, nextDueInSeconds: number): Promise<boolean>;
  /** Gives the source back, due at once and this attempt not counted (a worker shutting down); false when the lease was lost. */
  release(claim: ClaimedSource): Promise<boolean>;
  /**
   * Moves the end of the lease of claims this worker still holds to `leaseSeconds` from now, for
   * a harvest that outlasts a lease (full-text pages, a slow store); answers the ids renewed. A
   * claim another worker has taken since (its lease ran out first) is not renewed.
   */
  renewLeases(workerId: string, claims: ClaimedSource[], leaseSeconds: number): Promise<string[]>;
  /**
   * Makes the table the config's list: adds new sources (due at once), updates known ones as
   * upsertSources does, disables those the config no longer lists (REMOVED_FROM_CONFIG, so that
   * none is claimed) and re-enables those it lists again, keeping their due times.
   */
  syncSources(sources: QueuedSource[]): Promise<{ added: number; removed: number }>;
  /**
   * `run --all` / `--source`: claims these sources whether due or not (a disabled one is enabled
   * again: an operator asked for it by name), but never one another worker holds an unexpired lease on.
   */
  claimSources(workerId: string, ids: string[], leaseSeconds: number): Promise<ClaimedSource[]>;
  /**
   * Writes a claimed source's harvest and ends the claim, due again in `nextDueInSeconds`, in one
   * transaction fenced by claim_seq: null (nothing written) when the lease was lost.
   */
  completeHarvest(claim: ClaimedSource, writes: ClaimedWrites, nextDueInSeconds: number, now: Date): Promise<UpsertSummary | null>;
  /** The stored fetch states of these sources. */
  sourceStates(ids: string[]): Promise<Map<string, SourceState>>;
}
