import cron, { type ScheduledTask } from 'node-cron';
import { finishWithin } from './grace.js';
import type { Config } from '../config/config.js';
import type { Logger } from '../log/logger.js';
import type { RunReport } from '../pipeline/run-once.js';
import { runExclusive } from './run-exclusive.js';
import { isPostgresUrl } from '../lib/database-url.js';
import { plural } from '../lib/plural.js';
import type { ChoreResultKind } from './chores.js';

export interface DaemonOptions {
  /** Loads (or reloads, on SIGHUP) the config; throws on an invalid one. */
  loadConfig: () => Promise<Config>;
  logger: Logger;
  /** How long in-flight fetches may go on after SIGTERM before they are aborted. */
  graceMs: number;
  /** Run once at start, before the first scheduled tick. */
  runAtStart: boolean;
  /** Called after every run (metrics). */
  onRun?: (report: RunReport | null, error: Error | null, durationMs: number) => void;
  /** Called for every fire of a fleet chore on this worker (metrics). */
  onChore?: (chore: string, result: ChoreResultKind) => void;
}

export interface Daemon {
  /** Resolves when the daemon has stopped (after a signal and the in-flight run's end). */
  stopped: Promise<void>;
  stop(reason: string): Promise<void>;
}

/**
 * One node-cron ticker on the global schedule (noOverlap); each tick runs the sources that are
 * due, under the same lock as `feedmirror run`, so cron and the daemon can never overlap either.
 * SIGTERM/SIGINT: no new runs, in-flight fetches aborted after the grace period, the run still
 * publishes what it stored, the lock is released, and the process can exit 0.
 * SIGHUP: reload the config; an invalid one is logged and the old one kept.
 */
export async function startDaemon(options: DaemonOptions): Promise<Daemon> {
  const { logger } = options;
  const first = await options.loadConfig();
  // A PostgreSQL store's workers claim sources continuously rather than on a schedule's ticks.
  if (isPostgresUrl(first.database)) return (await import('./fleet-daemon.js')).startFleetDaemon(options, first);
  cron.setLogger({ info: (m) => logger.debug(m), warn: (m) => logger.warn(m), error: (m) => logger.error(m), debug: (m) => logger.debug(m) });
  let config = first;
  let stopping = false;
  let inFlight: Promise<void> | null = null;
  const abort = new AbortController();
  let resolveStopped!: () => void;
  const stopped = new Promise<void>((resolve) => (resolveStopped = resolve));

  const tick = async () => {
    if (stopping || inFlight) return;
    inFlight = runTick();
    await inFlight;
    inFlight = null;
  };
  const runTick = async () => {
    const started = Date.now();
    try {
      const outcome = await runExclusive({ config, logger, signal: abort.signal }, { lock: 'skip' });
      if (outcome.status === 'locked') logger.info({ event: 'locked' }, 'another run is in progress; skipping this tick');
      options.onRun?.(outcome.status === 'ran' ? outcome.report : null, null, Date.now() - started);
    } catch (error) {
      // Never let an error escape into node-cron: it would keep counting a task that throws.
      logger.error({ err: error }, `scheduled run failed: ${(error as Error).message}`);
      options.onRun?.(null, error as Error, Date.now() - started);
    }
  };
  let task = schedule(config);
  function schedule(current: Config): ScheduledTask {
    return cron.schedule(current.schedule.cron, tick, { name: 'feedmirror', noOverlap: true, timezone: current.schedule.timezone });
  }

  const reload = async () => {
    try {
      const next = await options.loadConfig();
      if (next.schedule.cron !== config.schedule.cron || next.schedule.timezone !== config.schedule.timezone) {
        await task.destroy();
        task = schedule(next);
      }
      config = next;
      logger.info({ event: 'reload' }, `config reloaded (${plural(config.sources.length, 'source')}, schedule "${config.schedule.cron}" ${config.schedule.timezone})`);
    } catch (error) {
      logger.error({ event: 'reload-failed' }, `config not reloaded, keeping the previous one: ${(error as Error).message}`);
    }
  };
  const stop = async (reason: string) => {
    if (stopping) return stopped;
    stopping = true;
    logger.info({ event: 'stop', reason }, `${reason}: stopping (no new runs; in-flight fetches get ${options.graceMs} ms)`);
    await task.destroy();
    await finishWithin(inFlight, abort, options.graceMs);
    process.off('SIGTERM', onTerm).off('SIGINT', onInt).off('SIGHUP', onHup);
    logger.info({ event: 'stopped' }, 'stopped');
    resolveStopped();
    return stopped;
  };
  const onTerm = () => void stop('SIGTERM');
  const onInt = () => void stop('SIGINT');
  const onHup = () => void reload();
  process.on('SIGTERM', onTerm).on('SIGINT', onInt).on('SIGHUP', onHup);
  logger.info({ event: 'start', cron: config.schedule.cron, timezone: config.schedule.timezone }, `daemon started: schedule "${config.schedule.cron}" (${config.schedule.timezone})`);
  if (options.runAtStart) void tick();
  return { stopped, stop };
}
