import type { Config } from '../config/config.js';
import type { Logger } from '../log/logger.js';
import type { PrunePolicy, Store } from '../store/store.js';
import { plural } from '../lib/plural.js';

const DAY_MS = 86_400_000;

/** The config's `retention` as a store policy at `now`; null when it keeps everything. */
export function retentionPolicy(config: Config, now: Date, apply: boolean): PrunePolicy | null {
  const retention = config.retention;
  if (!retention || (retention.maxAgeDays === undefined && retention.maxItemsPerSource === undefined)) return null;
  return {
    sourceIds: config.sources.filter((s) => s.kind === 'feed').map((s) => s.id),
    publishedBefore: retention.maxAgeDays === undefined ? null : new Date(now.getTime() - retention.maxAgeDays * DAY_MS).toISOString(),
    keepPerSource: retention.maxItemsPerSource ?? null,
    apply,
  };
}

/** After a run's harvest: the articles `retention` drops leave the store, one info line per source. */
export async function applyRetention(config: Config, store: Store, logger: Logger, now: Date): Promise<number> {
  const policy = retentionPolicy(config, now, true);
  if (!policy) return 0;
  const removed = await store.pruneArticles(policy);
  for (const [sourceId, count] of removed) logger.info({ event: 'pruned', source: sourceId, count }, `retention: ${plural(count, 'article')} of ${sourceId} removed`);
  return [...removed.values()].reduce((a, b) => a + b, 0);
}
