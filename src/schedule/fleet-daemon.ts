import { finishWithin } from './grace.js';
import type { Config } from '../config/config.js';
import type { RunReport } from '../pipeline/run-once.js';
import { plural } from '../lib/plural.js';
import { fleetWork, startFleetWorker, syncConfigSources, type FleetWorker } from './fleet-worker.js';
import { runAndRecord } from './run-exclusive.js';
import type { Daemon, DaemonOptions } from './daemon.js';
import { startChores, type Chores } from './chores.js';
import { logCycleFailure } from './fleet-outage.js';
import { nextCronTime } from '../lib/cron-next.js';

/** How long a worker claims before it publishes what it stored (ms): the publish after each batch. */
const PUBLISH_WINDOW_MS = 10_000;
/** How long an idle worker waits before asking the queue again (ms). */
const IDLE_POLL_MS = 2_000;
/** The longest delay a Node timer takes. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** How long a worker waits after the store failed before trying again (ms). */
const ERROR_PAUSE_MS = 5_000;

/**
 * `feedmirror daemon` on PostgreSQL: no cron tick runs everything; the worker keeps claiming due
 * sources, `fetch.concurrency` in flight, publishes after each window of claims, and asks again
 * every few seconds when idle. SIGTERM/SIGINT: no new claim; in-flight fetches get the grace
 * period, then are aborted and their claims given back (due at once); exit 0. SIGHUP reloads the
 * config and syncs its sources into the queue.
 */
export async function startFleetDaemon(options: DaemonOptions, first: Config): Promise<Daemon> {
  const { logger } = options;
  let config = first;
  const worker = await startFleetWorker(config, logger, 'daemon');
  const stopClaiming = new AbortController();
  const abort = new AbortController();
  let wake: (() => void) | null = null;
  try {
    await syncConfigSources(worker, config, logger);
  } catch (error) {
    await worker.close('failed');
    throw error;
  }
  // The fleet's chores: every worker schedules them, each fire runs on one worker of the fleet.
  const startFleetChores = () => startChores({ config: () => config, logger, onChore: options.onChore });
  let chores: Chores = startFleetChores();

  const pause = (ms: number) => new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    wake = () => (clearTimeout(timer), resolve());
  });
  const cycle = async () => {
    const started = Date.now();
    try {
      const fleet = fleetWork(worker, config, { claimUntil: started + PUBLISH_WINDOW_MS, stopClaiming: stopClaiming.signal, publishWhenIdle: false });
      const report = await runAndRecordIfAny(worker, config, options, fleet, abort.signal);
      if (report) options.onRun?.(report, null, Date.now() - started);
      return report ? 0 : IDLE_POLL_MS;
    } catch (error) {
      logCycleFailure(logger, worker.workerId, config.database, error, ERROR_PAUSE_MS);
      options.onRun?.(null, error as Error, Date.now() - started);
      return ERROR_PAUSE_MS;
    }
  };
  const loop = (async () => {
    // --no-initial-run: the first claim waits for the first tick of schedule.cron
    const firstTick = options.runAtStart ? 0 : nextCronTime(config.schedule.cron, new Date(), config.schedule.timezone).getTime();
    while (!stopClaiming.signal.aborted && Date.now() < firstTick) await pause(Math.min(firstTick - Date.now(), MAX_TIMER_MS));
    while (!stopClaiming.signal.aborted) {
      const wait = await cycle();
      if (wait > 0 && !stopClaiming.signal.aborted) await pause(wait);
    }
    // A window publishes only the outputs past their debounce: the rest of what this worker
    // changed goes out now, before it exits (no claim is made once stopClaiming has aborted).
    await cycle();
  })();

  let stopped: Promise<void> | null = null;
  const stop = (reason: string): Promise<void> => {
    stopped ??= (async () => {
      logger.info({ event: 'stop', reason, worker: worker.workerId }, `${reason}: stopping (no new claims; in-flight fetches get ${options.graceMs} ms, then their claims are given back)`);
      worker.setStatus('stopping');
      stopClaiming.abort();
      wake?.();
      await chores.stop();
      await finishWithin(loop, abort, options.graceMs);
      process.off('SIGTERM', onTerm).off('SIGINT', onInt).off('SIGHUP', onHup);
      await worker.close('stopped');
      logger.info({ event: 'stopped', worker: worker.workerId }, 'stopped');
    })();
    return stopped;
  };
  const reload = async () => {
    try {
      const next = await options.loadConfig();
      const choresChanged = JSON.stringify(next.cluster.chores) !== JSON.stringify(config.cluster.chores);
      config = next;
      await syncConfigSources(worker, config, logger);
      if (choresChanged) {
        await chores.stop();
        chores = startFleetChores();
      }
      logger.info({ event: 'reload' }, `config reloaded (${plural(config.sources.length, 'source')})`);
    } catch (error) {
      logger.error({ event: 'reload-failed' }, `config not reloaded, keeping the previous one: ${(error as Error).message}`);
    }
  };
  const onTerm = () => void stop('SIGTERM');
  const onInt = () => void stop('SIGINT');
  const onHup = () => void reload();
  process.on('SIGTERM', onTerm).on('SIGINT', onInt).on('SIGHUP', onHup);
  logger.info({ event: 'start', worker: worker.workerId, concurrency: config.fetch.concurrency, cron: config.schedule.cron, timezone: config.schedule.timezone }, `worker ${worker.workerId} started: claiming due sources, ${config.fetch.concurrency} in flight, lease ${config.cluster.lease}`);
  // A loop that ends by itself (it does not) would leave the daemon waiting: stopped follows it too.
  return { stopped: loop.then(() => stopped ?? undefined), stop };
}

/** One window of claims, published and recorded; null when nothing was due. */
async function runAndRecordIfAny(worker: FleetWorker, config: Config, options: DaemonOptions, fleet: ReturnType<typeof fleetWork>, signal: AbortSignal): Promise<RunReport | null> {
  const report = await runAndRecord(worker.store, { config, store: worker.store, logger: options.logger, now: () => new Date(), signal, fleet }, {});
  return report.sources > 0 ? report : null;
}
