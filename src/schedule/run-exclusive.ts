import type { Dispatcher } from 'undici';
import type { Config } from '../config/config.js';
import type { Logger } from '../log/logger.js';
import { openSqliteStore } from '../store/sqlite-store.js';
import { runOnce, type RunOptions, type RunReport } from '../pipeline/run-once.js';
import { acquireLockWaiting, tryAcquireLock, type LockInfo } from './run-lock.js';

export type LockMode = 'skip' | 'wait';

export type ExclusiveOutcome = { status: 'ran'; report: RunReport } | { status: 'locked'; holder: LockInfo | null };

export interface ExclusiveDeps {
  config: Config;
  logger: Logger;
  now?: () => Date;
  dispatcher?: Dispatcher;
  signal?: AbortSignal;
}

export function lockFileFor(config: Config): string {
  return `${config.database}.lock`;
}

/**
 * A run that never overlaps another on the same store: the lock is taken before the store is
 * opened and released after it is closed. A failed run is recorded (for /healthz) and rethrown.
 */
export async function runExclusive(deps: ExclusiveDeps, options: RunOptions & { lock: LockMode }): Promise<ExclusiveOutcome> {
  const file = lockFileFor(deps.config);
  let lock;
  if (options.lock === 'wait') lock = await acquireLockWaiting(file, 1000, deps.signal);
  else {
    const attempt = await tryAcquireLock(file);
    if (!attempt.acquired) return { status: 'locked', holder: attempt.holder };
    lock = attempt.lock;
  }
  const now = deps.now ?? (() => new Date());
  try {
    const store = openSqliteStore(deps.config.database);
    const started = now();
    try {
      const report = await runOnce({ config: deps.config, store, logger: deps.logger, now, dispatcher: deps.dispatcher, signal: deps.signal }, options);
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
