import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Config } from '../config/config.js';
import type { Store } from '../store/store.js';
import type { RunReport } from '../pipeline/run-once.js';

/**
 * Prometheus metrics. Counters count what this process did (runs scheduled with --schedule);
 * gauges are read from the store at scrape time, so they also reflect runs done by cron.
 */
export class FeedMetrics {
  readonly registry = new Registry();
  private readonly runs = new Counter({ name: 'feedmirror_runs_total', help: 'Runs started by this process, by result', labelNames: ['result'], registers: [this.registry] });
  private readonly duration = new Histogram({ name: 'feedmirror_run_duration_seconds', help: 'Duration of runs started by this process', buckets: [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600], registers: [this.registry] });
  private readonly fetches = new Counter({ name: 'feedmirror_fetches_total', help: 'Source fetches by outcome (HTTP status or error code)', labelNames: ['status'], registers: [this.registry] });
  private readonly items = new Counter({ name: 'feedmirror_items_ingested_total', help: 'Articles stored, by change', labelNames: ['change'], registers: [this.registry] });
  private readonly pages = new Counter({ name: 'feedmirror_page_fetches_total', help: 'Article pages fetched for full text, by result (ok, not-modified, failed)', labelNames: ['result'], registers: [this.registry] });
  private readonly fullTexts = new Counter({ name: 'feedmirror_full_text_items_total', help: 'Items full text looked at, by outcome (extracted, reused, kept: the feed content stays, deferred: to the next run)', labelNames: ['outcome'], registers: [this.registry] });
  private readonly errors = new Counter({ name: 'feedmirror_source_errors_total', help: 'Failed fetches by source and error code', labelNames: ['source', 'code'], registers: [this.registry] });
  private readonly chores = new Counter({
    name: 'feedmirror_chore_fires_total',
    help: 'Fires of the fleet chores (PostgreSQL) seen by this worker, by result: ok or failed (ran here), not-elected (ran on another worker), coordinator-error (skipped: the database did not answer; alert on it)',
    labelNames: ['chore', 'result'],
    registers: [this.registry],
  });

  constructor(private readonly context: { config: () => Config; store: () => Promise<Store | null> }) {
    const self = this;
    new Gauge({
      name: 'feedmirror_last_run_timestamp_seconds', help: 'When the last run (by any process) finished', registers: [this.registry],
      async collect() { const stats = await self.stats(); if (stats?.last) this.set(Date.parse(stats.last.finishedAt) / 1000); },
    });
    new Gauge({
      name: 'feedmirror_last_run_success', help: '1 if the last run published, 0 if it failed', registers: [this.registry],
      async collect() { const stats = await self.stats(); if (stats?.last) this.set(stats.last.outcome === 'ok' ? 1 : 0); },
    });
    new Gauge({
      name: 'feedmirror_output_last_success_timestamp_seconds', help: 'When each output was last published successfully', labelNames: ['output'], registers: [this.registry],
      async collect() {
        const stats = await self.stats();
        if (!stats?.lastOk) return;
        for (const output of self.context.config().outputs) this.set({ output: output.id }, Date.parse(stats.lastOk.finishedAt) / 1000);
      },
    });
    new Gauge({
      name: 'feedmirror_source_consecutive_failures', help: 'Failures in a row per source', labelNames: ['source'], registers: [this.registry],
      async collect() {
        const store = await self.context.store();
        if (!store) return;
        const states = await store.getSourceStates();
        for (const source of self.context.config().sources) this.set({ source: source.id }, states.get(source.id)?.failures ?? 0);
      },
    });
  }

  observeRun(report: RunReport | null, error: Error | null, durationMs: number): void {
    this.runs.inc({ result: error ? 'failed' : report ? 'ok' : 'skipped' });
    this.duration.observe(durationMs / 1000);
    if (!report) return;
    for (const [status, count] of Object.entries(report.fetchOutcomes)) this.fetches.inc({ status }, count);
    this.items.inc({ change: 'new' }, report.stored.inserted);
    this.items.inc({ change: 'updated' }, report.stored.updated);
    for (const { sourceId, code } of report.sourceErrors) this.errors.inc({ source: sourceId, code });
    this.observePages(report.pages);
  }

  observeChore(chore: string, result: string): void {
    this.chores.inc({ chore, result });
  }

  private observePages(pages: RunReport['pages']): void {
    this.pages.inc({ result: 'ok' }, pages.fetched - pages.notModified - pages.failed);
    this.pages.inc({ result: 'not-modified' }, pages.notModified);
    this.pages.inc({ result: 'failed' }, pages.failed);
    for (const outcome of ['extracted', 'reused', 'kept', 'deferred'] as const) this.fullTexts.inc({ outcome }, pages[outcome]);
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  private async stats() {
    const store = await this.context.store();
    return store ? store.getRunStats() : null;
  }
}
