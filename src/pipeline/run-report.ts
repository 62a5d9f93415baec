import type { FeedSourceConfig } from '../config/config.js';
import type { ErrorCode } from '../model/errors.js';
import type { InputProblem } from '../model/problem.js';
import { FetchError } from '../sources/http/fetch-errors.js';
import type { PublishReport } from '../publish/publish-types.js';
import type { UpsertSummary } from '../store/store.js';
import type { FeedHarvest } from './harvest-feed.js';
import type { SeedHarvest } from './harvest-seeds.js';
import { emptyFullTextCounts, type FullTextCounts } from './full-text-counts.js';

/** What one run did, for the summary line, `status`, /healthz and /metrics. */
export interface RunReport {
  sources: number;
  fetched: number;
  notModified: number;
  failedSources: string[];
  /** Not due (schedule, backoff, Retry-After). */
  skippedSources: string[];
  /** Cut short by a shutdown: neither failed nor fetched, and still due. */
  abortedSources: string[];
  /** Seed files not read this run (empty, not UTF-8, binary…), each also in `problems`. */
  badSeedFiles: number;
  /** Fetch outcomes by HTTP status or error code ("200", "304", "FM_TIMEOUT"), for metrics. */
  fetchOutcomes: Record<string, number>;
  /** Errors by source id and code, for metrics. */
  sourceErrors: { sourceId: string; code: ErrorCode }[];
  problems: InputProblem[];
  stored: UpsertSummary;
  /** Full text: article pages fetched and what came of them, over every source. */
  pages: FullTextCounts;
  published: PublishReport & { skipped?: boolean };
  durationMs: number;
}

export function emptyReport(sources: number): RunReport {
  return {
    sources, fetched: 0, notModified: 0, failedSources: [], skippedSources: [], abortedSources: [], badSeedFiles: 0, fetchOutcomes: {}, sourceErrors: [], problems: [],
    stored: { inserted: 0, updated: 0, unchanged: 0 }, pages: emptyFullTextCounts(), published: { written: [], unchanged: 0, changedFeeds: [] }, durationMs: 0,
  };
}

export function addStored(report: RunReport, summary: UpsertSummary): void {
  report.stored.inserted += summary.inserted;
  report.stored.updated += summary.updated;
  report.stored.unchanged += summary.unchanged;
}

/**
 * A seeds source's harvest: its problems. A folder that cannot be listed, or a file in it that
 * cannot be read as a seed, fails the source: the summary, `run --strict` and `status` say so.
 */
export function addSeedHarvest(report: RunReport, sourceId: string, harvest: SeedHarvest): void {
  for (const problem of harvest.problems) {
    report.problems.push(problem);
    report.sourceErrors.push({ sourceId, code: problem.code });
    if (problem.code !== 'FM_SEED_FOLDER') report.badSeedFiles++;
  }
  if (harvest.problems.length > 0) report.failedSources.push(sourceId);
  if (harvest.unchangedSince) addStored(report, { inserted: 0, updated: 0, unchanged: harvest.unchangedSince.articles });
}

/** A feed source's harvest: how its fetch ended, what it left out, whether it failed. */
export function addFeedHarvest(report: RunReport, source: FeedSourceConfig, harvest: FeedHarvest): void {
  // Cut short by shutdown: not the source's fault, so no failure is counted and it stays due.
  if (harvest.error?.code === 'FM_ABORTED') {
    report.abortedSources.push(source.id);
    return;
  }
  if (harvest.unchanged > 0) addStored(report, { inserted: 0, updated: 0, unchanged: harvest.unchanged });
  if (harvest.problem) report.problems.push(harvest.problem);
  if (harvest.fullText) for (const key of Object.keys(report.pages) as (keyof FullTextCounts)[]) report.pages[key] += harvest.fullText[key];
  const { error, state } = harvest;
  const status = error instanceof FetchError ? error.details.status : undefined;
  const outcome = error ? (status ? String(status) : error.code) : String(state.lastStatus ?? 'ok');
  report.fetchOutcomes[outcome] = (report.fetchOutcomes[outcome] ?? 0) + 1;
  if (error) {
    report.sourceErrors.push({ sourceId: source.id, code: error.code });
    report.failedSources.push(source.id);
    report.problems.push({ sourceId: source.id, target: state.url ?? source.url, code: error.code, message: error.message });
  } else if (state.lastOutcome === 'not-modified') report.notModified++;
  else report.fetched++;
}

/** Each source that failed this run, once, with the code of its first problem ("news (FM_CONNECT)"). */
export function describeFailures(report: RunReport): string[] {
  return [...new Set(report.failedSources)].map((sourceId) => {
    const code = report.sourceErrors.find((e) => e.sourceId === sourceId)?.code ?? report.problems.find((p) => p.sourceId === sourceId)?.code;
    return code ? `${sourceId} (${code})` : sourceId;
  });
}
