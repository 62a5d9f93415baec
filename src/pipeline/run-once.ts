import type { Config } from '../config/config.js';
import type { Logger } from '../log/logger.js';
import type { Article } from '../model/article.js';
import type { InputProblem } from '../model/problem.js';
import type { Store, UpsertSummary } from '../store/store.js';
import { publishOutputs, type PublishReport } from '../publish/publish-outputs.js';
import { harvestSeedSource } from './ingest-seeds.js';
import { GENERATOR } from '../version.js';

export interface RunDeps {
  config: Config;
  store: Store;
  logger: Logger;
  now: () => Date;
}

export interface RunReport {
  sources: number;
  failedSources: number;
  problems: InputProblem[];
  stored: UpsertSummary;
  published: PublishReport;
  durationMs: number;
}

/** One pass: every source → store → every output. A failing source is logged and skipped; the run goes on. */
export async function runOnce({ config, store, logger, now }: RunDeps): Promise<RunReport> {
  const started = now();
  const articles: Article[] = [];
  const problems: InputProblem[] = [];
  const failed = new Set<string>();
  for (const source of config.sources) {
    if (source.kind !== 'seeds') continue;
    const harvest = await harvestSeedSource(source, config.site);
    articles.push(...harvest.articles);
    for (const problem of harvest.problems) {
      problems.push(problem);
      if (problem.code === 'FM_SEED_FOLDER') failed.add(problem.sourceId);
      logger.error({ source: problem.sourceId, file: problem.target, code: problem.code }, `seed ${problem.target} ${problem.message}`);
    }
  }
  const stored = await store.upsertArticles(articles, started);
  const published = await publishOutputs(
    { site: config.site, sources: config.sources.map((s) => ({ ...s, url: s.kind === 'feed' ? s.url : undefined })), outputs: config.outputs, outputDir: config.outputDir, generator: GENERATOR },
    store,
  );
  const report = { sources: config.sources.length, failedSources: failed.size, problems, stored, published, durationMs: now().getTime() - started.getTime() };
  logger.info(
    { event: 'run', ...stored, filesWritten: published.written.length, filesUnchanged: published.unchanged, problems: problems.length, durationMs: report.durationMs },
    `run done: ${config.sources.length} sources (${failed.size} failed), ${stored.inserted} new, ${stored.updated} updated, ${published.written.length} files written, ${problems.length} problems, ${report.durationMs} ms`,
  );
  return report;
}
