import { hostname } from 'node:os';
import type { Config } from '../config/config.js';
import type { Logger } from '../log/logger.js';
import { workerIdOf } from '../config/cluster-schema.js';
import { openFleetStore, type FleetStore } from '../store/open-store.js';
import type { QueuedSource } from '../store/source-queue.js';
import type { FleetWork } from '../pipeline/run-once.js';
import { plural } from '../lib/plural.js';
import { isStoreUnreachable, unreachableText } from '../store/store-unreachable.js';

/** How often a worker tells the workers table it is alive (ms). */
export const HEARTBEAT_MS = 5_000;

/** A worker of a fleet on a PostgreSQL store: its queue, its id, and its heartbeat while it runs. */
export interface FleetWorker extends FleetStore {
  workerId: string;
  /** What `status` shows this worker doing ("run", "daemon", "stopping"). */
  setStatus(status: string): void;
  /** Stops the heartbeat, records the final status and closes the store. */
  close(status: string): Promise<void>;
}

/** Opens the store, records the worker (status `status`) and starts its heartbeat. */
export async function startFleetWorker(config: Config, logger: Logger, status: string): Promise<FleetWorker> {
  const opened = await openFleetStore(config.database);
  const workerId = workerIdOf(config.cluster);
  let current = status;
  try {
    await opened.fleet.register(workerId, hostname(), process.pid, status);
  } catch (error) {
    await opened.store.close();
    throw error;
  }
  const beat = () => opened.fleet.heartbeat(workerId, current).catch((error: unknown) => logger.warn({ worker: workerId }, `heartbeat of worker ${workerId} not recorded: ${isStoreUnreachable(error) ? unreachableText(config.database, error) : (error as Error).message}`));
  const timer = setInterval(() => void beat(), HEARTBEAT_MS);
  timer.unref();
  return {
    ...opened,
    workerId,
    setStatus: (next) => void (current = next),
    async close(final) {
      clearInterval(timer);
      current = final;
      await beat();
      await opened.store.close();
    },
  };
}

/**
 * The config's sources into the queue. A source the config no longer lists is disabled (kept, with
 * its due time, should it come back); a seeds folder is queued like a feed, so one worker of the
 * fleet reads it at a time (every host must see the same folder at that path).
 */
export async function syncConfigSources(worker: FleetWorker, config: Config, logger: Logger): Promise<void> {
  const { added, removed } = await worker.queue.syncSources(config.sources.map(queuedSource));
  if (added + removed > 0) logger.info({ event: 'sources-synced', added, removed }, `queue: ${plural(added, 'source')} added, ${plural(removed, 'source')} no longer in the config disabled`);
}

function queuedSource(source: Config['sources'][number]): QueuedSource {
  if (source.kind === 'seeds') return { id: source.id, url: source.seeds, host: `seeds:${source.id}` };
  return { id: source.id, url: source.url, host: new URL(source.url).host };
}

/** The claim settings of this worker, from the config. */
export function fleetWork(worker: FleetWorker, config: Config, extra: Pick<FleetWork, 'claimUntil' | 'stopClaiming' | 'publishWhenIdle'>): FleetWork {
  const { cluster, fetch } = config;
  return {
    queue: worker.queue,
    workerId: worker.workerId,
    claim: { leaseSeconds: cluster.leaseSeconds, batch: cluster.claimBatch, perHost: fetch.perHostConcurrency, maxAttempts: cluster.maxAttempts },
    ...extra,
  };
}
