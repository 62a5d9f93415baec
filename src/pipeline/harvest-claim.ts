import type { Dispatcher } from 'undici';
import type { Config, FeedSourceConfig, SeedSourceConfig } from '../config/config.js';
import type { Logger } from '../log/logger.js';
import type { Store } from '../store/store.js';
import type { ClaimedSource, ClaimedWrites, SourceQueue } from '../store/source-queue.js';
import type { MirrorDirectory } from '../lib/mirror-directory.js';
import type { HttpSettings } from '../sources/http/http-client.js';
import { nextCronTime } from '../lib/cron-next.js';
import { isStoreUnreachable, unreachableText } from '../store/store-unreachable.js';
import { harvestFeeds } from './harvest-feeds.js';
import type { FeedHarvest } from './harvest-feed.js';
import { harvestSeedSource, logFolderUnchanged } from './harvest-seeds.js';
import { logFailure } from './log-failure.js';
import { nextSeedState } from './seed-state.js';
import type { RunRecords } from './run-records.js';
import { addFeedHarvest, addSeedHarvest, addStored, type RunReport } from './run-report.js';
import type { RunProgress } from './run-progress.js';

/** What harvesting one claimed source needs: a fleet worker's run. */
export interface ClaimHarvestDeps {
  config: Config;
  store: Store;
  queue: SourceQueue;
  workerId: string;
  logger: Logger;
  now: () => Date;
  signal?: AbortSignal;
  http: HttpSettings;
  dispatcher: () => Dispatcher;
  directory: MirrorDirectory | null;
  records: RunRecords;
  report: RunReport;
  progress: RunProgress;
}

/**
 * Harvests one claimed source (a feed, or a seeds folder: any worker may read it, so it must be
 * the same folder on every host) and completes the claim with its writes in one transaction. A
 * lost lease writes nothing and is logged; a fetch cut short by a shutdown gives the claim back.
 */
export async function harvestClaim(deps: ClaimHarvestDeps, claim: ClaimedSource): Promise<void> {
  const source = sourcesById(deps.config).get(claim.id);
  try {
    if (!source) {
      // Another worker's config lists it and ours does not: not ours to fetch.
      await deps.queue.release(claim);
      return;
    }
    deps.progress.started(source.id);
    if (source.kind === 'seeds') await harvestSeeds(deps, claim, source);
    else await harvestFeed(deps, claim, source);
  } catch (error) {
    // The store failed: the claim runs out by itself and the source comes back after its lease.
    const why = isStoreUnreachable(error) ? unreachableText(deps.config.database, error) : (error as Error).message;
    deps.logger.error({ source: claim.id, worker: deps.workerId, err: error }, `source ${claim.id}: could not be stored (${why}); it is due again when its lease runs out`);
  }
}

async function harvestFeed(deps: ClaimHarvestDeps, claim: ClaimedSource, source: FeedSourceConfig): Promise<void> {
  const { config, store, logger, records, report } = deps;
  const now = deps.now();
  const plan = { sources: [source], states: await deps.queue.sourceStates([source.id]), force: true };
  const feedsDeps = { config, directory: deps.directory, http: deps.http, dispatcher: deps.dispatcher(), logger, now, signal: deps.signal, lastHarvest: (id: string) => records.read('harvest', id), pages: store };
  await harvestFeeds(plan, feedsDeps, async (_, harvest) => {
    addFeedHarvest(report, source, harvest);
    deps.progress.finished(source.id, harvest.articles.length + harvest.unchanged, outcomeOf(harvest));
    if (harvest.error?.code === 'FM_ABORTED') {
      await deps.queue.release(claim);
      return;
    }
    const writes = { articles: harvest.articles, state: harvest.state, record: harvest.record && records.document('harvest', source.id, harvest.record) };
    await complete(deps, claim, writes, nextDueOfFeed(source, harvest, now));
    if (harvest.error) logFailure(logger, source, harvest, { worker: deps.workerId });
  });
}

async function harvestSeeds(deps: ClaimHarvestDeps, claim: ClaimedSource, source: SeedSourceConfig): Promise<void> {
  const { config, store, records, report } = deps;
  const harvest = await harvestSeedSource({ source, site: config.site, previous: await records.read('seedFolder', source.id), store });
  addSeedHarvest(report, source.id, harvest);
  deps.progress.finished(source.id, harvest.articles.length + (harvest.unchangedSince?.articles ?? 0), harvest.problems.length > 0 ? 'failed' : 'ok');
  const states = await deps.queue.sourceStates([source.id]);
  const record = harvest.fingerprint && !harvest.unchangedSince ? records.document('seedFolder', source.id, { fingerprint: harvest.fingerprint, articles: harvest.articles.length, readProblems: harvest.readProblems }) : null;
  const writes = { articles: harvest.unchangedSince ? [] : harvest.articles, state: nextSeedState(source.id, states.get(source.id), harvest.problems), record };
  await complete(deps, claim, writes, null);
  for (const problem of harvest.problems) deps.logger.error({ source: problem.sourceId, file: problem.target, code: problem.code }, `seed ${problem.target} ${problem.message}`);
  if (harvest.unchangedSince) logFolderUnchanged(deps.logger, source, harvest.unchangedSince);
}

/**
 * When a claimed source is due again: `afterSeconds` from the claim's completion (an interval, a
 * back-off), `at` a time of day (a cron tick), or null: the next tick of schedule.cron, since a
 * fleet has no runs of its own (a source fetched "on every run", a seeds folder).
 */
export type NextDue = { afterSeconds: number } | { at: string } | null;

/**
 * An interval or a back-off runs from the claim's completion, not from the harvest's start: the
 * time the fetch, a loaded worker and the database took would otherwise come off it, and two
 * requests for a source could be closer than its interval. A cron tick after a success is a time
 * of day, and stays one.
 */
export function nextDueOfFeed(source: Pick<FeedSourceConfig, 'schedule'>, harvest: Pick<FeedHarvest, 'state' | 'error'>, startedAt: Date): NextDue {
  const at = harvest.state.nextFetchAt;
  if (!at) return null;
  if (source.schedule && !harvest.error) return { at };
  return { afterSeconds: Math.max(0, (Date.parse(at) - startedAt.getTime()) / 1000) };
}

/** Completes the claim, the source due again when `due` says. */
async function complete(deps: ClaimHarvestDeps, claim: ClaimedSource, writes: ClaimedWrites, due: NextDue): Promise<void> {
  const now = deps.now();
  const summary = await deps.queue.completeHarvest(claim, writes, nextDueInSeconds(deps.config, due, now), now);
  if (summary) {
    addStored(deps.report, summary);
    return;
  }
  deps.logger.warn(
    { event: 'lease-lost', source: claim.id, worker: deps.workerId, claimSeq: claim.claimSeq },
    `source ${claim.id}: worker ${deps.workerId} lost its claim (the lease ran out and another worker took the source); this harvest was rolled back, not stored`,
  );
}

/** `due` as a delay the database adds to its own clock as it completes the claim. */
export function nextDueInSeconds(config: Pick<Config, 'schedule'>, due: NextDue, now: Date): number {
  if (due && 'afterSeconds' in due) return due.afterSeconds;
  const at = due ? Date.parse(due.at) : nextCronTime(config.schedule.cron, now, config.schedule.timezone).getTime();
  return Math.max(0, (at - now.getTime()) / 1000);
}

const byId = new WeakMap<Config, Map<string, Config['sources'][number]>>();

function sourcesById(config: Config): Map<string, Config['sources'][number]> {
  let map = byId.get(config);
  if (!map) byId.set(config, (map = new Map(config.sources.map((s) => [s.id, s]))));
  return map;
}

function outcomeOf(harvest: FeedHarvest): string {
  if (!harvest.error) return harvest.state.lastOutcome ?? 'ok';
  return harvest.error.code === 'FM_ABORTED' ? 'aborted' : `failed: ${harvest.error.code}`;
}
