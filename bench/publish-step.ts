/**
 * The publish step alone: 100 outputs (one per source) × 100 items in RSS, Atom and JSON Feed,
 * from the store publish-setup.ts wrote. Runs the compiled feedmirror (dist/), so it is
 * transpiled to plain JavaScript by bench/run.ts and measured like the other children.
 *
 *   node publish-step.mjs ROOT DB OUTDIR   → one JSON line: {innerMs, written, unchanged}
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as PublishStepModule from '../src/pipeline/publish-step.js';
import type { PublishInput, PublishReport } from '../src/publish/publish-outputs.js';
import type * as StoreModule from '../src/store/sqlite-store.js';
import type * as VersionModule from '../src/version.js';

const [root, db, outputDir] = process.argv.slice(2) as [string, string, string];
const load = async <T>(relative: string) => (await import(pathToFileURL(path.join(root, 'dist', relative)).href)) as T;
const { publishAll } = await load<typeof PublishStepModule>('pipeline/publish-step.js');
const { openSqliteStore } = await load<typeof StoreModule>('store/sqlite-store.js');
const { GENERATOR } = await load<typeof VersionModule>('version.js');
/** Commits before the publish stage stopped reading the store (--ref) selected inside publishOutputs(input, store). */
const publish = publishAll ?? (async (input: PublishInput, store: unknown): Promise<PublishReport> => {
  const legacy = (await load<{ publishOutputs: (input: PublishInput, store: unknown) => Promise<PublishReport> }>('publish/publish-outputs.js')).publishOutputs;
  return legacy(input, store);
});

const SOURCES = 100;
const ids = Array.from({ length: SOURCES }, (_, s) => `p${String(s).padStart(3, '0')}`);
const store = openSqliteStore(db);
const started = performance.now();
const report = await publish(
  {
    site: { url: 'https://bench.example.org/', title: 'feedmirror publish bench', mirrors: [] },
    sources: ids.map((id) => ({ id, url: `https://${id}.publisher.example/feed.xml`, tags: [], kind: 'feed' as const, mirrors: [] })),
    outputs: ids.map((id) => ({ id: `o-${id}`, title: `Output ${id}`, sources: [id], limit: 100, formats: ['rss', 'atom', 'json'] })),
    outputDir,
    generator: GENERATOR,
    now: new Date('2025-01-02T00:00:00Z'),
    mirrorMap: { hosts: [] },
    health: [],
  },
  store,
);
const innerMs = performance.now() - started;
await store.close();
process.stdout.write(`${JSON.stringify({ innerMs, written: report.written.length, unchanged: report.unchanged })}\n`);
