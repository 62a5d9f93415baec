import type { Logger } from '../log/logger.js';
import { isStoreUnreachable, unreachableText } from '../store/store-unreachable.js';

/**
 * A worker's cycle that failed. The database out of reach (stopped, restarting, the network) is
 * an outage the worker waits out: one `store-unreachable` error naming the database (never its
 * password) and when it tries again; anything else is logged with its own message.
 */
export function logCycleFailure(logger: Logger, workerId: string, database: string, error: unknown, retryMs: number): void {
  const retry = `trying again in ${retryMs / 1000} s`;
  if (isStoreUnreachable(error)) {
    logger.error({ event: 'store-unreachable', code: 'FM_STORE', worker: workerId }, `worker ${workerId}: ${unreachableText(database, error)}; claiming paused, ${retry}`);
    return;
  }
  logger.error({ err: error, worker: workerId }, `worker ${workerId}: ${(error as Error).message}; ${retry}`);
}
