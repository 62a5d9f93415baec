import type { FeedSourceConfig } from '../config/config.js';
import type { SourceState } from '../model/source-state.js';
import { createKeyedLimiter, createLimiter } from '../lib/limiter.js';
import { isDue } from './backoff.js';
import { harvestFeedSource, type FeedHarvest, type FeedHarvestDeps } from './harvest-feed.js';
import type { ExtractedPageStore } from '../store/extracted-pages.js';
import { dispatcherForSource } from '../sources/http/http-client.js';

export interface FeedsDeps extends FeedHarvestDeps {
  /** Where full text remembers the pages it extracted. */
  pages: ExtractedPageStore;
}

type Schedule = <T>(host: string, task: () => Promise<T>) => Promise<T>;

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
export async function harvestFeeds(plan: HarvestPlan, deps: FeedsDeps, onDone: (source: FeedSourceConfig, harvest: FeedHarvest) => Promise<void>): Promise<{ skipped: string[] }> {
  const global = createLimiter(deps.config.fetch.concurrency);
  const perHost = createKeyedLimiter(deps.config.fetch.perHostConcurrency);
  // Article pages wait their turn like feeds; a source's pages are fetched after its feed's slot is freed.
  const schedule: Schedule = (host, task) => global(() => perHost(host, task));
  const skipped: string[] = [];
  const jobs = plan.sources.map(async (source) => {
    const state = plan.states.get(source.id);
    if (!plan.force && !isDue(state, deps.now)) {
      skipped.push(source.id);
      return;
    }
    const host = new URL(state?.url ?? source.url).host;
    const harvest = await schedule(host, () => {
      plan.onStart?.(source);
      return harvestFeedSource(source, state, deps);
    });
    await onDone(source, await withFullText(source, harvest, deps, schedule));
  });
  await Promise.all(jobs);
  return { skipped };
}

/**
 * The harvest with full text added when the source asks for it. Loaded on first use: a run
 * without full text never loads Readability. A failure here (the store) costs the source its full
 * text for this run, never its items.
 */
async function withFullText(source: FeedSourceConfig, harvest: FeedHarvest, deps: FeedsDeps, schedule: Schedule): Promise<FeedHarvest> {
  if (!source.fullText || harvest.articles.length === 0) return harvest;
  const { config, dispatcher, directory, logger, now, signal } = deps;
  try {
    const { addFullText } = await import('./full-text.js');
    const http = { ...deps.http, ...source.fetch };
    // The page comes the way the feed came: through the source's own proxy when it has one.
    const pageDeps = { store: deps.pages, http, dispatcher: dispatcherForSource(dispatcher, source.proxy), directory, logger, now, signal, limits: config.limits, schedule };
    const { articles, record, counts } = await addFullText(source, source.fullText, harvest.articles, harvest.record, pageDeps);
    return { ...harvest, articles, record, fullText: counts };
  } catch (error) {
    logger.error({ source: source.id, err: error }, `full text for ${source.id} failed (${(error as Error).message}); its items keep their feed content`);
    return harvest;
  }
}
