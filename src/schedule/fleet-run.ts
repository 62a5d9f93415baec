import type { RunOptions } from '../pipeline/run-once.js';
import { fleetWork, startFleetWorker, syncConfigSources } from './fleet-worker.js';
import { runAndRecord, type ExclusiveDeps, type ExclusiveOutcome, type FleetRunOptions } from './run-exclusive.js';

/**
 * `feedmirror run` on PostgreSQL, safe on several hosts at once: no run lock; the config's
 * sources are synced into the queue, then this process claims and harvests due sources until
 * nothing is due (or --max-time is up), publishes and ends. With --all / --source it claims those
 * sources by name, due or not, but never one another worker holds.
 */
export async function runFleet(deps: ExclusiveDeps, options: RunOptions & FleetRunOptions): Promise<ExclusiveOutcome> {
  const { config, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const worker = await startFleetWorker(config, logger, 'run');
  try {
    await syncConfigSources(worker, config, logger);
    const claimUntil = options.maxTimeMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + options.maxTimeMs;
    const fleet = fleetWork(worker, config, { claimUntil, publishWhenIdle: true });
    const report = await runAndRecord(worker.store, { config, store: worker.store, logger, now, dispatcher: deps.dispatcher, signal: deps.signal, progressIntervalMs: deps.progressIntervalMs, progressWatcher: deps.progressWatcher, fleet }, options);
    return { status: 'ran', report };
  } finally {
    await worker.close('exited');
  }
}
