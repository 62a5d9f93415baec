import type { FeedSourceConfig } from '../config/config.js';
import type { SourceState } from '../model/source-state.js';
import { createKeyedLimiter, createLimiter } from '../lib/limiter.js';
import { isDue } from './backoff.js';
import { harvestFeedSource, type FeedHarvest, type FeedHarvestDeps } from './harvest-feed.js';

export interface HarvestPlan {
  sources: FeedSourceConfig[];
  states: Map<string, SourceState>;
  /** Fetch every source, due or not. */
  force: boolean;
  /** Told as each fetch leaves the queue (progress). */
  onStart?: (source: FeedSourceConfig) => void;
}

/**
 * Every due remote source, at most `concurrency` at once and `perHostConcurrency` per host
 * (politeness toward one publisher with many feeds). Results come back as each finishes.
 */
export async function harvestFeeds(plan: HarvestPlan, deps: FeedHarvestDeps, onDone: (source: FeedSourceConfig, harvest: FeedHarvest) => Promise<void>): Promise<{ skipped: string[] }> {
  const global = createLimiter(deps.config.fetch.concurrency);
  const perHost = createKeyedLimiter(deps.config.fetch.perHostConcurrency);
  const skipped: string[] = [];
  const jobs = plan.sources.map(async (source) => {
    const state = plan.states.get(source.id);
    if (!plan.force && !isDue(state, deps.now)) {
      skipped.push(source.id);
      return;
    }
    const host = new URL(state?.url ?? source.url).host;
    const harvest = await global(() =>
      perHost(host, () => {
        plan.onStart?.(source);
        return harvestFeedSource(source, state, deps);
      }),
    );
    await onDone(source, harvest);
  });
  await Promise.all(jobs);
  return { skipped };
}
