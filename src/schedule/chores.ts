import { workerIdOf as workerIdFor } from '../config/cluster-schema.js';
import cron, { type RunCoordinator, type ScheduledTask, type SkipReason, type TaskContext } from 'node-cron';
import type { Config } from '../config/config.js';
import type { Logger } from '../log/logger.js';
import type { PostgresStore } from '../store/postgres-store.js';
import type { ChoreStore } from '../store/chore-log.js';
import { FLEET_CHORES, type ChoreName } from '../pipeline/fleet-chores.js';
import { plural } from '../lib/plural.js';

/**
 * How long a fire's row holds it (node-cron's distributedLease). It must exceed the longest run
 * (a site refresh takes seconds; retention on a large store, minutes) plus maxRandomDelay (0):
 * a completed fire keeps its row anyway, so the lease only matters for a fire whose worker died.
 */
export const CHORE_LEASE_MS = 10 * 60_000;
/** Over this, the clock check warns: node-cron names each fire after the local clock, to the second. */
export const CLOCK_WARN_MS = 1_000;
/** Over this, the worker takes no part in the chores: it would run each one a minute or more off its schedule. */
export const CLOCK_REFUSE_MS = 60_000;
/** How soon a worker that could not reach the database at start-up tries again to schedule its chores. */
export const CHORE_RETRY_MS = 10_000;

/** What happened to one fire on this worker, for /metrics. */
export type ChoreResultKind = 'ok' | 'failed' | SkipReason;

export interface ChoreOptions {
  /** The current config (SIGHUP may replace it); read at each fire. */
  config: () => Config;
  logger: Logger;
  onChore?: (chore: ChoreName, result: ChoreResultKind) => void;
  /** Opens the PostgreSQL store (a test may give another). */
  openStore?: (url: string) => Promise<PostgresStore>;
}

export interface Chores {
  stop(): Promise<void>;
}

/** The worker's name in the store: the same as its claims' (cluster-schema.ts). */
export function workerIdOf(config: Config): string {
  return workerIdFor(config.cluster);
}

/**
 * The fleet's chores (cluster.chores) as node-cron tasks with `distributed: true`: every worker
 * schedules them, and the PostgreSQL coordinator elects one worker per fire. A worker that cannot
 * reach the database at start tries again every CHORE_RETRY_MS; one whose clock is too far from
 * the database's takes no part (see checkClock).
 */
export function startChores(options: ChoreOptions): Chores {
  const { logger } = options;
  routeCronLog(logger);
  let stopped = false;
  let store: PostgresStore | null = null;
  let tasks: ScheduledTask[] = [];
  let retry: NodeJS.Timeout | undefined;
  const begin = async () => {
    try {
      const open = options.openStore ?? (async (url: string) => (await import('../store/postgres-store.js')).openPostgresStore(url));
      store = await open(options.config().database);
      if (stopped || !(await checkClock(store.chores(), logger))) return;
      tasks = scheduleTasks(store, options);
    } catch (error) {
      await store?.close().catch(() => undefined);
      store = null;
      if (stopped) return;
      logger.error({ event: 'chores-not-started', err: error }, `chores: not scheduled on this worker (${(error as Error).message}); trying again in ${CHORE_RETRY_MS / 1000} s`);
      retry = setTimeout(() => void begin(), CHORE_RETRY_MS);
      retry.unref();
    }
  };
  const starting = begin();
  return {
    async stop() {
      stopped = true;
      clearTimeout(retry);
      await starting;
      for (const task of tasks) await task.destroy();
      await store?.close();
    },
  };
}

/**
 * node-cron's own messages into the worker's log, so that `--log-format json` stays one JSON record
 * a line. Its coordinator failures come with a stack for every fire while the database is out of
 * reach; they are already logged as `chore-skipped` (FM_CHORE_COORDINATOR), so they go to debug.
 */
function routeCronLog(logger: Logger): void {
  const coordinator = (m: string | Error) => String(m).startsWith('Run coordinator');
  cron.setLogger({
    info: (m) => logger.debug(m),
    warn: (m) => logger.warn(m),
    error: (m, err) => (coordinator(m) ? logger.debug({ err }, String(m)) : logger.error({ err }, String(m))),
    debug: (m, err) => logger.debug({ err }, String(m)),
  });
}

/** Warns of a skewed clock; false (and an error logged) when it is too far off to take part. */
async function checkClock(chores: ChoreStore, logger: Logger): Promise<boolean> {
  const skew = await chores.clockSkewMs();
  const fields = { event: 'clock-skew', code: 'FM_CLOCK_SKEW', skewMs: skew };
  if (Math.abs(skew) > CLOCK_REFUSE_MS) {
    logger.error(fields, `chores: this host's clock is ${skew} ms off the database's (over ${CLOCK_REFUSE_MS} ms): this worker runs no chores; fix NTP`);
    return false;
  }
  if (Math.abs(skew) > CLOCK_WARN_MS) logger.warn(fields, `chores: this host's clock is ${skew} ms off the database's; fires are named after the local clock, so keep the fleet on NTP`);
  return true;
}

function scheduleTasks(store: PostgresStore, options: ChoreOptions): ScheduledTask[] {
  const config = options.config();
  const workerId = workerIdOf(config);
  const coordinator = remembering(store.chores().runCoordinator(workerId));
  const tasks = (Object.keys(FLEET_CHORES) as ChoreName[]).map((chore) => {
    const task = cron.schedule(config.cluster.chores[chore], (context) => runChore(chore, context, store, workerId, options), {
      name: `chore:${chore}`, distributed: true, runCoordinator: coordinator, distributedLease: CHORE_LEASE_MS, noOverlap: true, timezone: config.schedule.timezone,
    });
    task.on('execution:skipped', (context) => reportSkip(chore, context, coordinator.failure(fireKey(chore, context)), options));
    return task;
  });
  const schedules = tasks.map((t, i) => `${Object.keys(FLEET_CHORES)[i]} "${t.getPattern()}"`).join(', ');
  options.logger.info({ event: 'chores', workerId }, `chores: ${plural(tasks.length, 'chore')} scheduled on this worker as ${workerId} (${schedules}); each fire runs on one worker of the fleet`);
  return tasks;
}

/** node-cron's key of a fire (its task name and fire time), as the coordinator sees it. */
function fireKey(chore: ChoreName, context: TaskContext): string {
  return `chore:${chore}:${context.date.toISOString()}`;
}

async function runChore(chore: ChoreName, context: TaskContext, store: PostgresStore, workerId: string, options: ChoreOptions): Promise<void> {
  const { logger } = options;
  const key = fireKey(chore, context);
  const started = performance.now();
  let outcome: 'ok' | 'failed' = 'ok';
  let detail: string;
  try {
    const result = await FLEET_CHORES[chore]({ config: options.config(), store, chores: store.chores(), logger, now: new Date() });
    detail = result.detail;
    logger[result.changed ? 'info' : 'debug']({ event: 'chore', chore, fireKey: key, workerId }, `chore ${chore}: ${detail}`);
  } catch (error) {
    outcome = 'failed';
    detail = (error as Error).message;
    logger.error({ event: 'chore-failed', code: 'FM_CHORE_FAILED', chore, fireKey: key, err: error }, `chore ${chore} failed: ${detail}`);
  }
  const durationMs = Math.round(performance.now() - started);
  // Never thrown into node-cron: the fire is over either way.
  await store.chores().recordChoreRun({ chore, fireKey: key, workerId, durationMs, outcome, detail }).catch((error: unknown) => {
    logger.error({ event: 'chore-not-recorded', chore, fireKey: key, err: error }, `chore ${chore}: its run could not be recorded: ${(error as Error).message}`);
  });
  options.onChore?.(chore, outcome);
}

/** A coordinator-error is what an operator must hear of (the fire may have run nowhere); not-elected is the normal case. */
function reportSkip(chore: ChoreName, context: TaskContext, cause: Error | undefined, options: ChoreOptions): void {
  const reason = context.reason ?? 'not-elected';
  const fields = { event: 'chore-skipped', chore, reason, fireKey: fireKey(chore, context) };
  if (reason === 'coordinator-error') {
    const why = cause ? `: ${cause.message}` : '';
    options.logger.error({ ...fields, code: 'FM_CHORE_COORDINATOR' }, `chore ${chore}: fire ${context.date.toISOString()} skipped, the coordinator could not reach the database${why}; it may have run on no worker`);
  } else options.logger.debug(fields, `chore ${chore}: fire ${context.date.toISOString()} runs on another worker`);
  options.onChore?.(chore, reason);
}

/** The coordinator, keeping the error of each fire it failed so the skip that follows can say why (node-cron passes no error with it). */
function remembering(inner: RunCoordinator): RunCoordinator & { failure(key: string): Error | undefined } {
  const failures = new Map<string, Error>();
  return {
    async shouldRun(key, ttlMs) {
      try {
        return await inner.shouldRun(key, ttlMs);
      } catch (error) {
        failures.set(key, error as Error);
        throw error;
      }
    },
    onComplete: (key) => inner.onComplete?.(key),
    failure(key) {
      const error = failures.get(key);
      failures.delete(key);
      return error;
    },
  };
}
