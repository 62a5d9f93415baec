import type { Dispatcher } from 'undici';
import type { Config } from '../config/config.js';
import type { Logger } from '../log/logger.js';
import type { Article } from '../model/article.js';
import type { InputProblem } from '../model/problem.js';
import type { CachedDocument, Store, UpsertSummary } from '../store/store.js';
import type { SourceState } from '../model/source-state.js';
import type { PublishReport, SourceHealth } from '../publish/publish-types.js';
import { publishIfChanged } from './publish-step.js';
import { pingWebSub } from '../publish/ping-websub.js';
import { createHttpAgent, type HttpSettings } from '../sources/http/http-client.js';
import { GENERATOR, USER_AGENT } from '../version.js';
import { harvestSeedSource, lastSeedHarvest, rememberSeedHarvest } from './ingest-seeds.js';
import { harvestFeeds } from './harvest-feeds.js';
import { feedHarvestDocument, lastFeedHarvest } from './harvest-record.js';
import { loadMirrorDirectory } from './load-mirror-lists.js';
import { buildMirrorMap } from './mirror-map.js';
import type { MirrorDirectory } from '../lib/mirror-directory.js';

export interface RunDeps {
  config: Config;
  store: Store;
  logger: Logger;
  now: () => Date;
  /** HTTP dispatcher; tests inject undici's MockAgent. Defaults to a fresh pooled Agent closed after the run. */
  dispatcher?: Dispatcher;
  signal?: AbortSignal;
}

export interface RunOptions {
  /** Fetch every source even if not due (schedule, backoff, Retry-After). */
  all?: boolean;
  /** Only these sources (ids). */
  only?: string[];
  /**
   * Read every seeds folder and parse every fetched body in full, as if for the first time: the
   * records of the last harvest (seeds-folder stamps, feed bodies and items) are not consulted.
   */
  refresh?: boolean;
}

export interface RunReport {
  sources: number;
  fetched: number;
  notModified: number;
  failedSources: string[];
  skippedSources: string[];
  /** Fetch outcomes by HTTP status or error code ("200", "304", "FM_TIMEOUT"), for metrics. */
  fetchOutcomes: Record<string, number>;
  /** Errors by source id and code, for metrics. */
  sourceErrors: { sourceId: string; code: string }[];
  problems: InputProblem[];
  stored: UpsertSummary;
  published: PublishReport & { skipped?: boolean };
  durationMs: number;
}

/** One pass: every source → store → every output. A failing source is logged and skipped; the run goes on. */
export async function runOnce(deps: RunDeps, options: RunOptions = {}): Promise<RunReport> {
  const { config, store, logger } = deps;
  const started = deps.now();
  const report: RunReport = {
    sources: 0, fetched: 0, notModified: 0, failedSources: [], skippedSources: [], fetchOutcomes: {}, sourceErrors: [], problems: [],
    stored: { inserted: 0, updated: 0, unchanged: 0 }, published: { written: [], unchanged: 0, changedFeeds: [] }, durationMs: 0,
  };
  const selected = config.sources.filter((s) => !options.only || options.only.includes(s.id));
  report.sources = selected.length;
  const addStored = (summary: UpsertSummary) => {
    report.stored.inserted += summary.inserted;
    report.stored.updated += summary.updated;
    report.stored.unchanged += summary.unchanged;
  };
  const http: HttpSettings = { ...config.fetch, userAgent: config.fetch.userAgent ?? USER_AGENT };
  const pool: { own: Dispatcher | null } = { own: null };
  // Created on first use: a seeds-only run never opens a connection pool.
  const dispatcher = () => deps.dispatcher ?? (pool.own ??= createHttpAgent(http));
  try {
    const directory = await loadMirrorDirectory({ config, store, logger, now: started, http, dispatcher });
    await harvestSeeds(deps, options, selected, report, addStored, started);
    await harvestRemote(deps, options, selected, report, addStored, { now: started, http, dispatcher, directory });
    const states = await store.getSourceStates();
    report.published = await publishIfChanged(
      {
        site: config.site,
        // A source without a configured title is shown by its feed's own title.
        sources: config.sources.map((s) => ({ ...s, title: s.title ?? states.get(s.id)?.title ?? undefined, url: s.kind === 'feed' ? s.url : undefined })),
        outputs: config.outputs,
        outputDir: config.outputDir,
        generator: GENERATOR,
        now: started,
        mirrorMap: buildMirrorMap(config, directory),
        health: await sourceHealth(config, store, states),
        checkedOn: utcDay(started.toISOString()),
      },
      store,
    );
    await notifyHub(deps, report.published.changedFeeds, http, dispatcher);
  } finally {
    await pool.own?.close();
  }
  report.durationMs = deps.now().getTime() - started.getTime();
  logSummary(logger, report);
  return report;
}

async function harvestSeeds(deps: RunDeps, options: RunOptions, selected: Config['sources'], report: RunReport, addStored: (s: UpsertSummary) => void, now: Date) {
  const { config, store, logger } = deps;
  for (const source of selected) {
    if (source.kind !== 'seeds') continue;
    const harvest = await harvestSeedSource(source, config.site, options.refresh ? null : await lastSeedHarvest(store, source.id), store);
    for (const problem of harvest.problems) {
      report.problems.push(problem);
      if (problem.code === 'FM_SEED_FOLDER') report.failedSources.push(problem.sourceId);
      logger.error({ source: problem.sourceId, file: problem.target, code: problem.code }, `seed ${problem.target} ${problem.message}`);
    }
    if (harvest.unchangedSince) {
      const { articles } = harvest.unchangedSince;
      logger.debug({ source: source.id, folder: source.seeds, articles }, `seeds ${source.seeds}: no file changed since the last run; not read again`);
      addStored({ inserted: 0, updated: 0, unchanged: articles });
      continue;
    }
    addStored(await store.upsertArticles(harvest.articles, now));
    if (harvest.fingerprint) await rememberSeedHarvest(store, source.id, { fingerprint: harvest.fingerprint, articles: harvest.articles.length, readProblems: harvest.readProblems }, now);
  }
}

interface RemoteContext {
  now: Date;
  http: HttpSettings;
  dispatcher: () => Dispatcher;
  directory: MirrorDirectory | null;
}

async function harvestRemote(deps: RunDeps, options: RunOptions, selected: Config['sources'], report: RunReport, addStored: (s: UpsertSummary) => void, remote: RemoteContext) {
  const sources = selected.filter((s) => s.kind === 'feed');
  if (sources.length === 0) return;
  const { config, store, logger } = deps;
  const { now, http, dispatcher, directory } = remote;
  const states = await store.getSourceStates();
  // What harvests bring is stored in batches: a write transaction per source was a third of a
  // cold run (each commit rewrote the same index pages) and most of a quiet run's store time.
  // Articles go in before the states that say they were fetched, so a crash in between costs a
  // refetch (the store dedupes what it brings), never an item hidden behind a 304.
  // The harvest records (what each feed's last harvest stored) come last, for the same reason.
  const pending: { states: SourceState[]; articles: Article[]; records: { key: string; document: CachedDocument }[] } = { states: [], articles: [], records: [] };
  const flush = async () => {
    // All taken before the first await: a source finishing meanwhile waits for the next batch
    // with its articles, instead of its state slipping into this one.
    const articles = pending.articles.splice(0);
    const fetched = pending.states.splice(0);
    const records = pending.records.splice(0);
    if (articles.length > 0) addStored(await store.upsertArticles(articles, now));
    if (fetched.length > 0) await store.saveSourceStates(fetched);
    if (records.length > 0) await store.saveDocuments(records);
  };
  const recall = async (sourceId: string) => (options.refresh ? null : await lastFeedHarvest(store, sourceId));
  try {
    const { skipped } = await harvestFeeds({ sources, states, force: options.all === true || options.only !== undefined }, { config, directory, http, dispatcher: dispatcher(), logger, now, signal: deps.signal, recall }, async (source, harvest) => {
      // Cut short by shutdown: not the source's fault, so no failure is counted and it stays due.
      if (harvest.error?.code === 'FM_ABORTED') {
        report.skippedSources.push(source.id);
        return;
      }
      for (const article of harvest.articles) pending.articles.push(article);
      pending.states.push(harvest.state);
      if (harvest.record) pending.records.push(feedHarvestDocument(source.id, harvest.record, now));
      if (harvest.unchanged > 0) addStored({ inserted: 0, updated: 0, unchanged: harvest.unchanged });
      if (pending.states.length >= STATE_BATCH || pending.articles.length >= ARTICLE_BATCH) await flush();
      const outcome = harvest.error ? (harvest.error.details.status ? String(harvest.error.details.status) : harvest.error.code) : String(harvest.state.lastStatus ?? 'ok');
      report.fetchOutcomes[outcome] = (report.fetchOutcomes[outcome] ?? 0) + 1;
      if (harvest.error) {
        report.sourceErrors.push({ sourceId: source.id, code: harvest.error.code });
        report.failedSources.push(source.id);
        report.problems.push({ sourceId: source.id, target: harvest.state.url ?? source.url, code: harvest.error.code, message: harvest.error.message });
        logger.error({ source: source.id, url: harvest.state.url ?? source.url, code: harvest.error.code, failures: harvest.state.failures, nextFetchAt: harvest.state.nextFetchAt },
          `feed ${harvest.state.url ?? source.url}: ${harvest.error.message} (failure ${harvest.state.failures} in a row; next try after ${harvest.state.nextFetchAt})`);
        return;
      }
      if (harvest.state.lastOutcome === 'not-modified') report.notModified++;
      else report.fetched++;
    });
    report.skippedSources.push(...skipped);
  } finally {
    await flush();
  }
}

const STATE_BATCH = 100;
/** About 20 feeds' worth: bounded memory, and few enough commits that index pages are not rewritten per feed. */
const ARTICLE_BATCH = 1_000;

async function sourceHealth(config: Config, store: Store, states: Map<string, SourceState>): Promise<SourceHealth[]> {
  const counts = await store.countArticlesBySource(config.sources.map((s) => s.id));
  const health: SourceHealth[] = [];
  for (const source of config.sources) {
    const state = states.get(source.id);
    health.push({
      id: source.id,
      title: source.title ?? state?.title ?? source.id,
      kind: source.kind,
      url: source.kind === 'feed' ? source.url : null,
      lastFetchAt: state?.lastFetchAt ?? null,
      checkedOn: state?.lastFetchAt ? utcDay(state.lastFetchAt) : null,
      lastStatus: state?.lastStatus ?? null,
      failures: state?.failures ?? 0,
      lastError: state?.lastError ?? null,
      items: counts.get(source.id) ?? 0,
    });
  }
  return health;
}

function utcDay(iso: string): string {
  return iso.slice(0, 10);
}

/** WebSub: one ping for every feed file whose bytes changed; a failure is logged, never fatal. */
async function notifyHub(deps: RunDeps, changed: string[], http: HttpSettings, dispatcher: () => Dispatcher) {
  const hub = deps.config.site.websub?.hub;
  if (!hub || changed.length === 0) return;
  const result = await pingWebSub(hub, changed, dispatcher(), http.userAgent);
  if (result.ok) deps.logger.info({ hub, feeds: changed.length }, `WebSub hub ${hub} notified of ${changed.length} changed feed(s)`);
  else deps.logger.warn({ hub, status: result.status }, `WebSub hub ${hub} ping failed (${result.error}); subscribers will see the change on the hub's next poll`);
}

function logSummary(logger: Logger, report: RunReport) {
  const { stored, published } = report;
  logger.info(
    {
      event: 'run', sources: report.sources, fetched: report.fetched, notModified: report.notModified, failed: report.failedSources.length,
      skipped: report.skippedSources.length, inserted: stored.inserted, updated: stored.updated, unchanged: stored.unchanged,
      filesWritten: published.written.length, filesUnchanged: published.unchanged, publishSkipped: published.skipped === true, problems: report.problems.length, durationMs: report.durationMs,
    },
    `run done: ${report.sources} sources (${report.fetched} fetched, ${report.notModified} not modified, ${report.failedSources.length} failed, ${report.skippedSources.length} not due), ` +
      `${stored.inserted} new, ${stored.updated} updated, ${published.written.length} files written, ${report.durationMs} ms`,
  );
}
