import type { Dispatcher } from 'undici';
import type { Config, FeedSourceConfig, SeedSourceConfig } from '../config/config.js';
import type { Logger } from '../log/logger.js';
import type { Store } from '../store/store.js';
import type { SourceState } from '../model/source-state.js';
import { outputsReady, publishStep } from './publish-claimed.js';
import { workerIdOf } from '../config/cluster-schema.js';
import { buildPublishInput } from './publish-input.js';
import { pingWebSub } from '../publish/ping-websub.js';
import { createHttpAgent, type HttpSettings } from '../sources/http/http-client.js';
import { buildId, USER_AGENT, workerUserAgent } from '../version.js';
import type { ClaimOptions, SourceQueue } from '../store/source-queue.js';
import { runClaimLoop } from './claim-loop.js';
import { keepLeases } from './lease-keeper.js';
import { harvestClaim } from './harvest-claim.js';
import { logFailure } from './log-failure.js';
import { harvestSeedSource, logFolderUnchanged } from './harvest-seeds.js';
import { harvestFeeds } from './harvest-feeds.js';
import type { FeedHarvest } from './harvest-feed.js';
import { loadMirrorDirectory } from './load-mirror-lists.js';
import type { MirrorDirectory } from '../lib/mirror-directory.js';
import { runRecords, type RunRecords } from './run-records.js';
import { addFeedHarvest, addSeedHarvest, addStored, emptyReport, type RunReport } from './run-report.js';
import { StoreBatch } from './store-batch.js';
import { nextSeedState } from './seed-state.js';
import { applyRetention } from './retention.js';
import { PROGRESS_INTERVAL_MS, startProgress, type ProgressWatcher, type RunProgress } from './run-progress.js';
import { plural } from '../lib/plural.js';

export interface RunDeps {
  config: Config;
  store: Store;
  logger: Logger;
  now: () => Date;
  /** HTTP dispatcher; tests inject undici's MockAgent. Defaults to a fresh pooled Agent closed after the run. */
  dispatcher?: Dispatcher;
  signal?: AbortSignal;
  /** How often a long run logs its progress (ms); PROGRESS_INTERVAL_MS by default. */
  progressIntervalMs?: number;
  /** Where an s3:// outputDir's credentials are read from (AWS_ACCESS_KEY_ID…); process.env by default. */
  env?: Record<string, string | undefined>;
  /** A worker of a fleet (PostgreSQL): harvest the sources it claims rather than every configured one. */
  fleet?: FleetWork;
  /** Shown each change of the run's progress as it happens (the CLI's line on a terminal). */
  progressWatcher?: ProgressWatcher;
}

export interface FleetWork {
  queue: SourceQueue;
  workerId: string;
  claim: ClaimOptions;
  /** No claim is made after this time (epoch ms: run --max-time, the daemon's publish window). */
  claimUntil: number;
  /** No claim is made once this aborts (SIGTERM); claims in flight finish or are given back. */
  stopClaiming?: AbortSignal;
  /** Publish even when nothing was claimed (`run`); the daemon does not. */
  publishWhenIdle: boolean;
}

/** How often a fleet worker with claims in flight asks again for sources that fell due meanwhile (ms). */
const CLAIM_POLL_MS = 1_000;

export interface RunOptions {
  /** Fetch every source even if not due (schedule, backoff, Retry-After). */
  all?: boolean;
  /** Only these sources (ids). */
  only?: string[];
  /**
   * Do everything as if for the first time: no record of the last run is trusted (seeds-folder
   * stamps, feed bodies and items, what the last publish wrote), see run-records.ts.
   */
  refresh?: boolean;
}

export type { RunReport } from './run-report.js';

/** What the steps of one run share. */
interface Run {
  deps: RunDeps;
  options: RunOptions;
  started: Date;
  report: RunReport;
  records: RunRecords;
  http: HttpSettings;
  /** The run's HTTP dispatcher, created on first use: a seeds-only run never opens a connection pool. */
  dispatcher: () => Dispatcher;
  progress: RunProgress;
}

/** One pass: every source → store → every output. A failing source is logged and skipped; the run goes on. */
export async function runOnce(deps: RunDeps, options: RunOptions = {}): Promise<RunReport> {
  const { config, store } = deps;
  const started = deps.now();
  const selected = config.sources.filter((s) => !options.only || options.only.includes(s.id));
  const http: HttpSettings = { ...config.fetch, userAgent: config.fetch.userAgent ?? (deps.fleet ? workerUserAgent(deps.fleet.workerId) : USER_AGENT) };
  const pool: { own: Dispatcher | null } = { own: null };
  const run: Run = {
    deps, options, started, http,
    report: emptyReport(selected.length),
    records: runRecords(store, { build: buildId(), refresh: options.refresh === true, now: started }),
    dispatcher: () => deps.dispatcher ?? (pool.own ??= createHttpAgent(http)),
    progress: startProgress(deps.logger, selected.length, { intervalMs: deps.progressIntervalMs ?? PROGRESS_INTERVAL_MS, watcher: deps.progressWatcher }),
  };
  try {
    const directory = await loadMirrorDirectory({ config, store, logger: deps.logger, now: started, http, dispatcher: run.dispatcher });
    if (deps.fleet) {
      const harvested = await harvestClaimed(run, deps.fleet, directory);
      if (deps.fleet.publishWhenIdle) {
        // `run` sums up as on SQLite, every selected source counted: those it did not claim were
        // not due (or taken by another worker). A daemon's window counts what it harvested.
        run.report.skippedSources.push(...selected.filter((s) => !harvested.has(s.id)).map((s) => s.id));
      } else {
        run.report.sources = harvested.size;
        if (harvested.size === 0 && !(await outputsReady(store, config.outputs.map((o) => o.id), debounceSeconds(config, deps)))) return run.report;
      }
    } else {
      await harvestSeeds(run, selected.filter((s) => s.kind === 'seeds'));
      await harvestRemote(run, selected.filter((s) => s.kind === 'feed'), directory);
    }
    await applyRetention(config, store, deps.logger, started);
    run.report.published = await publishStep(await buildPublishInput(config, store, directory, started), store, run.records, { logger: deps.logger, signal: deps.signal, refresh: options.refresh, access: { s3: config.s3, env: deps.env ?? process.env, refresh: options.refresh === true }, debounceSeconds: debounceSeconds(config, deps), drain: deps.fleet?.publishWhenIdle !== false, leaseSeconds: config.cluster.leaseSeconds, workerId: deps.fleet?.workerId ?? workerIdOf(config.cluster) });
    await notifyHub(run, run.report.published.changedFeeds);
  } finally {
    run.progress.stop();
    await pool.own?.close();
  }
  run.report.durationMs = deps.now().getTime() - started.getTime();
  // An idle daemon's publish of outputs that came ready is not a run: its publish lines say it all.
  if (!(deps.fleet?.publishWhenIdle === false && run.report.sources === 0)) logSummary(deps.logger, run.report);
  return run.report;
}

async function harvestSeeds(run: Run, sources: SeedSourceConfig[]) {
  const { config, store, logger } = run.deps;
  const states = sources.length > 0 ? await store.getSourceStates() : new Map<string, SourceState>();
  for (const source of sources) {
    run.progress.started(source.id);
    const harvest = await harvestSeedSource({ source, site: config.site, previous: await run.records.read('seedFolder', source.id), store });
    addSeedHarvest(run.report, source.id, harvest);
    run.progress.finished(source.id, harvest.articles.length + (harvest.unchangedSince?.articles ?? 0), harvest.problems.length > 0 ? 'failed' : 'ok');
    const state = nextSeedState(source.id, states.get(source.id), harvest.problems);
    if (state) await store.saveSourceStates([state]);
    for (const problem of harvest.problems) logger.error({ source: problem.sourceId, file: problem.target, code: problem.code }, `seed ${problem.target} ${problem.message}`);
    if (harvest.unchangedSince) {
      logFolderUnchanged(logger, source, harvest.unchangedSince);
      continue;
    }
    addStored(run.report, await store.upsertArticles(harvest.articles, run.started));
    if (harvest.fingerprint) await run.records.save('seedFolder', source.id, { fingerprint: harvest.fingerprint, articles: harvest.articles.length, readProblems: harvest.readProblems });
  }
}

async function harvestRemote(run: Run, sources: FeedSourceConfig[], directory: MirrorDirectory | null) {
  if (sources.length === 0) return;
  const { config, store, logger, signal } = run.deps;
  const { report, records, started: now } = run;
  const batch = new StoreBatch(store, now, (summary) => addStored(report, summary));
  const plan = { sources, states: await store.getSourceStates(), force: run.options.all === true || run.options.only !== undefined, onStart: (source: FeedSourceConfig) => run.progress.started(source.id) };
  const lastHarvest = (sourceId: string) => records.read('harvest', sourceId);
  try {
    const { skipped } = await harvestFeeds(plan, { config, directory, http: run.http, dispatcher: run.dispatcher(), logger, now, signal, lastHarvest, pages: store }, async (source, harvest) => {
      addFeedHarvest(report, source, harvest);
      run.progress.finished(source.id, harvest.articles.length + harvest.unchanged, harvest.error ? (harvest.error.code === 'FM_ABORTED' ? 'aborted' : `failed: ${harvest.error.code}`) : (harvest.state.lastOutcome ?? 'ok'));
      if (harvest.error?.code === 'FM_ABORTED') return;
      await batch.add({ articles: harvest.articles, state: harvest.state, record: harvest.record && records.document('harvest', source.id, harvest.record) });
      if (harvest.error) logFailure(logger, source, harvest);
    });
    report.skippedSources.push(...skipped);
    for (const id of skipped) run.progress.finished(id, 0, 'not due');
  } finally {
    await batch.flush();
  }
}

/**
 * A fleet worker's harvest: claims due sources (or, with --all / --source, those named) and
 * harvests each as it is claimed, `fetch.concurrency` at once; the per-host limit is the fleet's,
 * kept by the claim. Answers the ids of the sources it harvested.
 */
async function harvestClaimed(run: Run, fleet: FleetWork, directory: MirrorDirectory | null): Promise<Set<string>> {
  const { config, store, logger, signal } = run.deps;
  const forced = run.options.all || run.options.only ? [...(run.options.only ?? config.sources.map((s) => s.id))] : null;
  const claimDeps = { config, store, queue: fleet.queue, workerId: fleet.workerId, logger, now: run.deps.now, signal, http: run.http, dispatcher: run.dispatcher, directory, records: run.records, report: run.report, progress: run.progress };
  const harvested = new Set<string>();
  const leases = keepLeases(fleet.queue, fleet.workerId, fleet.claim.leaseSeconds, logger);
  try {
    await runClaimLoop({
      capacity: config.fetch.concurrency,
      batch: fleet.claim.batch,
      claim: (room) => (forced ? claimNamed(fleet, logger, forced, room) : claimDue(fleet, logger, room)),
      work: (claim) => {
        harvested.add(claim.id);
        leases.hold(claim);
        return harvestClaim(claimDeps, claim).finally(() => leases.drop(claim));
      },
      release: async (claim) => void (await fleet.queue.release(claim)),
      stopClaiming: () => fleet.stopClaiming?.aborted === true || Date.now() >= fleet.claimUntil,
      pollMs: CLAIM_POLL_MS,
    });
  } finally {
    leases.stop();
  }
  return harvested;
}

async function claimDue(fleet: FleetWork, logger: Logger, room: number) {
  const outcome = await fleet.queue.claimDue(fleet.workerId, { ...fleet.claim, batch: room });
  for (const { id, error } of outcome.disabled) logger.error({ event: 'source-disabled', source: id, worker: fleet.workerId }, `source ${id} disabled: ${error}`);
  return outcome.claimed;
}

/** The next of the named sources that can be claimed; those another worker holds are left to it. */
async function claimNamed(fleet: FleetWork, logger: Logger, names: string[], room: number) {
  while (names.length > 0) {
    const asked = names.splice(0, room);
    const claimed = await fleet.queue.claimSources(fleet.workerId, asked, fleet.claim.leaseSeconds);
    const held = asked.filter((id) => !claimed.some((claim) => claim.id === id));
    if (held.length > 0) logger.info({ event: 'claimed-elsewhere', sources: held }, `${plural(held.length, 'source')} claimed by another worker right now, left to it: ${held.join(', ')}`);
    if (claimed.length > 0) return claimed;
  }
  return [];
}

/** WebSub: one ping for every feed file whose bytes changed; a failure is logged, never fatal. */
async function notifyHub({ deps, http, dispatcher }: Run, changed: string[]) {
  const hub = deps.config.site.websub?.hub;
  if (!hub || changed.length === 0) return;
  const ping = await pingWebSub(hub, changed, dispatcher(), http.userAgent);
  if (ping.ok) deps.logger.info({ hub, feeds: changed.length }, `WebSub hub ${hub} notified of ${plural(changed.length, 'changed feed')}`);
  else deps.logger.warn({ hub, status: ping.status }, `WebSub hub ${hub} ping failed (${ping.error}); subscribers will see the change on the hub's next poll`);
}

function logSummary(logger: Logger, report: RunReport) {
  const { stored, published } = report;
  const aborted = report.abortedSources.length > 0 ? `, ${report.abortedSources.length} aborted` : '';
  const badFiles = report.badSeedFiles > 0 ? `${plural(report.badSeedFiles, 'seed file')} not read, ` : '';
  logger.info(
    {
      event: 'run', sources: report.sources, fetched: report.fetched, notModified: report.notModified, failed: report.failedSources.length, failedSources: report.failedSources,
      skipped: report.skippedSources.length, aborted: report.abortedSources.length, badSeedFiles: report.badSeedFiles, pages: report.pages, inserted: stored.inserted, updated: stored.updated, unchanged: stored.unchanged,
      filesWritten: published.written.length, filesUnchanged: published.unchanged, publishSkipped: published.skipped === true, problems: report.problems.length, durationMs: report.durationMs,
    },
    `run done: ${plural(report.sources, 'source')} (${report.fetched} fetched, ${report.notModified} not modified, ${report.failedSources.length} failed, ${report.skippedSources.length} not due${aborted}), ` +
      `${badFiles}${stored.inserted} new, ${stored.updated} updated${describePages(report.pages)}, ${plural(published.written.length, 'file')} written, ${report.durationMs} ms`,
  );
}

/** Full text's part of the summary line, when it did anything. */
function describePages(pages: RunReport['pages']): string {
  if (pages.fetched + pages.reused + pages.deferred === 0) return '';
  return `, ${pages.fetched} article pages fetched (${pages.extracted} full texts added, ${pages.reused} remembered, ${pages.deferred} left for the next run)`;
}

/** cluster.publishDebounce, but none for a worker that is stopping: what it changed goes out before it exits. */
function debounceSeconds(config: Config, deps: RunDeps): number {
  return deps.fleet?.stopClaiming?.aborted === true ? 0 : config.cluster.publishDebounceMs / 1000;
}
