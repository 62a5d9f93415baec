import path from 'node:path';
import { fileExists } from '../lib/file-access.js';
import type { StoredArticle } from '../model/article.js';
import type { MediaUrl, Store } from '../store/store.js';
import type { PublishInput, PublishReport } from '../publish/publish-types.js';
import { sha256Hex } from '../lib/text.js';
import { runRecords, type RunRecords } from './run-records.js';
import { buildId } from '../version.js';
import { selectOutputs } from './select-outputs.js';
import type { OutputSelection } from '../model/output-selection.js';
import { mediaHash } from '../lib/media-hash.js';

const HOUR_MS = 3_600_000;
/** The number of seed pages is not capped by any output's limit: every stored seed article keeps its page. */
const ALL_PAGES = 1_000_000;

export interface PublishOutcome extends PublishReport {
  /** Nothing that shapes any file changed since the last publish, so nothing was rendered. */
  skipped: boolean;
}

/**
 * Publishes unless nothing that shapes any file changed since the last successful publish: the
 * store's version, the config's site/sources/outputs/mirror map, and the source health and the
 * day of the last check that the index shows. A quiet run (all 304s) then renders nothing at all. Filters with maxAgeDays depend on the
 * clock, so the hour is part of the key when one is set.
 *
 * Otherwise: what each output shows is selected (and recorded in the store), the publish stage
 * renders and writes the files, and the records it returns are kept for the next run.
 */
export async function publishIfChanged(input: PublishInput, store: Store, records: RunRecords): Promise<PublishOutcome> {
  const fingerprint = await fingerprintOf(input, store);
  const previous = await records.read('lastPublish');
  if (previous?.fingerprint === fingerprint && (await fileExists(path.join(input.outputDir, 'index.html')))) {
    return { written: [], unchanged: previous.files, changedFeeds: [], skipped: true };
  }
  const report = await publishAll(input, store, records);
  await records.save('lastPublish', undefined, { fingerprint, files: report.written.length + report.unchanged });
  return { ...report, skipped: false };
}

/** Selects what each output shows (recording it in the store), renders and writes every file that changed. */
export async function publishAll(input: PublishInput, store: Store, records: RunRecords = runRecords(store, { build: buildId(), refresh: false, now: input.now })): Promise<PublishReport> {
  const selections = await selectOutputs({ outputs: input.outputs, sources: input.sources, store, records, now: input.now });
  await recordProxiedMedia(input, selections, store);
  // Loaded here: a quiet run never needs the renderers, the feed library or the sanitizer.
  const { publishOutputs } = await import('../publish/publish-outputs.js');
  const { report, manifest } = await publishOutputs(input, {
    selections,
    seedArticles: await seedArticles(input, store),
    manifest: await records.read('publishManifest'),
    readArticles: (ids) => store.getArticlesByIds(ids),
  });
  if (manifest) await records.save('publishManifest', undefined, manifest);
  return report;
}

/**
 * Only the site-wide files (index.html, sources.opml, mirrors.json, seed pages, the stylesheet),
 * from what the store holds: what the fleet's `site` chore writes while workers publish the
 * outputs. Files whose bytes did not change are not touched. The files written.
 */
export async function publishSiteFiles(input: PublishInput, store: Store, records: RunRecords = runRecords(store, { build: buildId(), refresh: false, now: input.now })): Promise<string[]> {
  const selections = await selectOutputs({ outputs: input.outputs, sources: input.sources, store, records, now: input.now });
  const { publishSite } = await import('../publish/publish-site.js');
  return publishSite(input, { selections, seedArticles: await seedArticles(input, store) });
}

export async function fingerprintOf(input: PublishInput, store: Store): Promise<string> {
  const clockDependent = input.outputs.some((o) => o.filter?.maxAgeDays !== undefined);
  // What the index shows of each source's health; the fetch time only as its day.
  const health = (input.health ?? []).map((h) => [h.id, h.failures, h.lastError, h.lastStatus === null, h.items, h.checkedOn]);
  const shape = { ...input, now: clockDependent ? Math.floor(input.now.getTime() / HOUR_MS) : null, health };
  return sha256Hex(`${await store.getVersion()}\n${JSON.stringify(shape)}`);
}

export async function seedArticles(input: PublishInput, store: Store): Promise<StoredArticle[]> {
  const seedSources = input.sources.filter((s) => s.kind === 'seeds').map((s) => s.id);
  if (seedSources.length === 0) return [];
  return (await store.listArticles({ sourceIds: seedSources, limit: ALL_PAGES })).filter((a) => a.kind === 'seed');
}

/**
 * media: "proxy": the media URLs of the items about to be published, recorded before any file
 * names them, so /media/<hash> can fetch each and nothing else.
 */
export async function recordProxiedMedia(input: PublishInput, selections: Map<string, OutputSelection>, store: Store): Promise<void> {
  const sourceMedia = new Map(input.sources.map((s) => [s.id, s.media]));
  if (!input.outputs.some((o) => o.media === 'proxy') && ![...sourceMedia.values()].includes('proxy')) return;
  // Loaded only here, as the renderers are: it reads content with the sanitizer's parser.
  const { proxiedMedia } = await import('../publish/media-policy.js');
  const entries = new Map<string, MediaUrl>();
  for (const output of input.outputs) {
    const selection = selections.get(output.id)!;
    for (const article of [...selection.current, ...selection.sealedArticles.values()]) {
      if ((output.media ?? sourceMedia.get(article.sourceId)) !== 'proxy') continue;
      for (const { url, alternates } of proxiedMedia(article)) entries.set(url, { hash: mediaHash(url), url, alternates });
    }
  }
  await store.saveMediaUrls([...entries.values()], input.now);
}
