import type { Dispatcher } from 'undici';
import type { Config } from '../config/config.js';
import type { Logger } from '../log/logger.js';
import { isPostgresUrl } from '../lib/database-url.js';
import { openStore } from '../store/open-store.js';
import { runOnce, type RunOptions, type RunReport } from '../pipeline/run-once.js';
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

/** A SQLite store's lock is a file beside it; a PostgreSQL store's is an advisory lock in the database, good across hosts. */
function lockFor(config: Config): () => Promise<LockAttempt> {
  if (!isPostgresUrl(config.database)) return () => tryAcquireLock(lockFileFor(config));
  return async () => (await import('../store/postgres-run-lock.js')).tryAcquirePostgresRunLock(config.database);
}

/**
 * A run that never overlaps another on the same store: the lock is taken before the store is
 * opened and released after it is closed. A failed run is recorded (for /healthz) and rethrown.
 */
export async function runExclusive(deps: ExclusiveDeps, options: RunOptions & { lock: LockMode }): Promise<ExclusiveOutcome> {
  const tryLock = lockFor(deps.config);
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
    const started = now();
    try {
      const report = await runOnce({ config: deps.config, store, logger: deps.logger, now, dispatcher: deps.dispatcher, signal: deps.signal, progressIntervalMs: deps.progressIntervalMs, progressWatcher: deps.progressWatcher }, options);
      await store.recordRun({ startedAt: started.toISOString(), finishedAt: now().toISOString(), durationMs: report.durationMs, outcome: 'ok', summary: summarize(report) });
      return { status: 'ran', report };
    } catch (error) {
      await store.recordRun({ startedAt: started.toISOString(), finishedAt: now().toISOString(), durationMs: now().getTime() - started.getTime(), outcome: 'failed', summary: { error: (error as Error).message } }).catch(() => undefined);
      throw error;
    } finally {
      await store.close();
    }
  } finally {
    await lock.release();
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
