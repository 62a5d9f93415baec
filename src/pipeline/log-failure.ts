import type { FeedSourceConfig } from '../config/config.js';
import type { Logger } from '../log/logger.js';
import type { FeedHarvest } from './harvest-feed.js';

/** The error line of a feed that failed, the same whichever engine's run harvested it. */
export function logFailure(logger: Logger, source: FeedSourceConfig, { error, state }: FeedHarvest, extra: Record<string, unknown> = {}): void {
  const url = state.url ?? source.url;
  logger.error(
    { source: source.id, url, code: error!.code, failures: state.failures, nextFetchAt: state.nextFetchAt, ...extra },
    `feed ${url}: ${error!.message} (failure ${state.failures} in a row; next try after ${state.nextFetchAt})`,
  );
}
