/** /metrics counts full text's page fetches and what came of the items, from each run's report. */
import { describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/config.js';
import { emptyReport } from '../../src/pipeline/run-report.js';
import { FeedMetrics } from '../../src/serve/metrics.js';

describe('metrics: full text', () => {
  it('feedmirror_page_fetches_total{result} and feedmirror_full_text_items_total{outcome} add up the runs', async () => {
    const metrics = new FeedMetrics({ config: () => ({ outputs: [], sources: [] }) as unknown as Config, store: async () => null });
    const report = emptyReport(1);
    report.pages = { fetched: 7, notModified: 2, failed: 1, reused: 3, extracted: 5, kept: 2, deferred: 4 };
    metrics.observeRun(report, null, 10);
    metrics.observeRun(report, null, 10);
    const { body } = await metrics.render();
    expect(body).toContain('feedmirror_page_fetches_total{result="ok"} 8');
    expect(body).toContain('feedmirror_page_fetches_total{result="not-modified"} 4');
    expect(body).toContain('feedmirror_page_fetches_total{result="failed"} 2');
    for (const [outcome, n] of [['extracted', 10], ['reused', 6], ['kept', 4], ['deferred', 8]] as const) expect(body).toContain(`feedmirror_full_text_items_total{outcome="${outcome}"} ${n}`);
  });
});
