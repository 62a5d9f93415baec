import type { Dispatcher } from 'undici';
import type { Config } from '../config/config.js';
import type { Logger } from '../log/logger.js';
import { isPostgresUrl } from '../lib/database-url.js';
import { openStore } from '../store/open-store.js';
import { runOnce, type RunDeps, type RunOptions, type RunReport } from '../pipeline/run-once.js';
import type { Store } from '../store/store.js';
import type { ProgressWatcher } from '../pipeline/run-progress.js';
import { pollLock, tryAcquireLock, type LockAttempt, type LockInfo } from './run-lock.js';

export type LockMode = 'skip' | 'wait';

export type ExclusiveOutcome = { status: 'ran'; report: RunReport } | { status: 'locked'; holder: LockInfo | null };

export interface ExclusiveDeps {
  config: Config;
  logger: Logger;
  now?: () => Date;
  dispatcher?: Dispatcher;
  signal?: AbortSignal;
  progressIntervalMs?: number;
  progressWatcher?: ProgressWatcher;
}

export function lockFileFor(config: Config): string {
  return `${config.database}.lock`;
}

/**
 * The lock of the config's store for whatever must not overlap it: a SQLite store's is a file
 * beside it, which every run takes; a PostgreSQL store's is an advisory lock in the database,
 * good across hosts, which `prune` takes (runs on PostgreSQL take none: they share the sources
 * through claims).
 */
export function runLockFor(config: Config): () => Promise<LockAttempt> {
  if (!isPostgresUrl(config.database)) return () => tryAcquireLock(lockFileFor(config));
  return async () => (await import('../store/postgres-run-lock.js')).tryAcquirePostgresRunLock(config.database);
}

export interface FleetRunOptions {
  /** On PostgreSQL: no claim is made after this long (ms); what was claimed is finished and published. */
  maxTimeMs?: number;
}

/**
 * A run that never overlaps another on the same store: the lock is taken before the store is
 * opened and released after it is closed. A failed run is recorded (for /healthz) and rethrown.
 */
export async function runExclusive(deps: ExclusiveDeps, options: RunOptions & FleetRunOptions & { lock: LockMode }): Promise<ExclusiveOutcome> {
  // A PostgreSQL store takes no run lock: its workers share the sources through claims.
  if (isPostgresUrl(deps.config.database)) return (await import('./fleet-run.js')).runFleet(deps, options);
  const tryLock = runLockFor(deps.config);
  let lock;
  if (options.lock === 'wait') lock = await pollLock(tryLock, 1000, deps.signal);
  else {
    const attempt = await tryLock();
    if (!attempt.acquired) return { status: 'locked', holder: attempt.holder };
    lock = attempt.lock;
  }
  const now = deps.now ?? (() => new Date());
  try {
    const store = await openStore(deps.config.database);
    try {
      return { status: 'ran', report: await runAndRecord(store, { config: deps.config, store, logger: deps.logger, now, dispatcher: deps.dispatcher, signal: deps.signal, progressIntervalMs: deps.progressIntervalMs, progressWatcher: deps.progressWatcher }, options) };
    } finally {
      await store.close();
    }
  } finally {
    await lock.release();
  }
}

/** One run, recorded in the store (for /healthz) whether it went well or not; a failure is rethrown. */
export async function runAndRecord(store: Store, runDeps: RunDeps, options: RunOptions): Promise<RunReport> {
  const started = runDeps.now();
  try {
    const report = await runOnce(runDeps, options);
    // A fleet worker's idle poll (nothing was due) is not a run.
    if (report.sources === 0 && runDeps.fleet?.publishWhenIdle === false) return report;
    await store.recordRun({ startedAt: started.toISOString(), finishedAt: runDeps.now().toISOString(), durationMs: report.durationMs, outcome: 'ok', summary: summarize(report) });
    return report;
  } catch (error) {
    await store.recordRun({ startedAt: started.toISOString(), finishedAt: runDeps.now().toISOString(), durationMs: runDeps.now().getTime() - started.getTime(), outcome: 'failed', summary: { error: (error as Error).message } }).catch(() => undefined);
    throw error;
  }
}

function summarize(report: RunReport): Record<string, number | string[]> {
  return {
    sources: report.sources,
    fetched: report.fetched,
    notModified: report.notModified,
    failed: report.failedSources.length,
    failedSources: report.failedSources,
    inserted: report.stored.inserted,
    updated: report.stored.updated,
    pagesFetched: report.pages.fetched,
    fullTexts: report.pages.extracted,
    filesWritten: report.published.written.length,
  };
}
