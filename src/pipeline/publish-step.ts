import path from 'node:path';
import { fileExists } from '../lib/file-access.js';
import type { Store } from '../store/store.js';
import { readRecord, recordDocument } from '../store/json-records.js';
import type { PublishInput, PublishReport } from '../publish/publish-types.js';
import { sha256Hex } from '../lib/text.js';

const LAST_PUBLISH_KEY = 'last-publish';
const HOUR_MS = 3_600_000;

export interface PublishOutcome extends PublishReport {
  /** Nothing that shapes any file changed since the last publish, so nothing was rendered. */
  skipped: boolean;
}

/**
 * Publishes unless nothing that shapes any file changed since the last successful publish: the
 * store's version, the config's site/sources/outputs/mirror map, and the source health and the
 * day of the last check that the index shows. A quiet run (all 304s) then renders nothing at all. Filters with maxAgeDays depend on the
 * clock, so the hour is part of the key when one is set.
 */
export async function publishIfChanged(input: PublishInput, store: Store): Promise<PublishOutcome> {
  const fingerprint = await fingerprintOf(input, store);
  const previous = (await readRecord(store, LAST_PUBLISH_KEY)) as { fingerprint: string; files: number } | null;
  if (previous?.fingerprint === fingerprint && (await fileExists(path.join(input.outputDir, 'index.html')))) {
    return { written: [], unchanged: previous.files, changedFeeds: [], skipped: true };
  }
  // Loaded here: a quiet run never needs the renderers, the feed library or the sanitizer.
  const { publishOutputs } = await import('../publish/publish-outputs.js');
  const report = await publishOutputs(input, store);
  await store.saveDocument(LAST_PUBLISH_KEY, recordDocument({ fingerprint, files: report.written.length + report.unchanged }, input.now));
  return { ...report, skipped: false };
}

async function fingerprintOf(input: PublishInput, store: Store): Promise<string> {
  const clockDependent = input.outputs.some((o) => o.filter?.maxAgeDays !== undefined);
  // What the index shows of each source's health; the fetch time only as its day.
  const health = (input.health ?? []).map((h) => [h.id, h.failures, h.lastError, h.lastStatus === null, h.items, h.checkedOn]);
  const shape = { ...input, now: clockDependent ? Math.floor(input.now.getTime() / HOUR_MS) : null, health };
  return sha256Hex(`${await store.getVersion()}\n${JSON.stringify(shape)}`);
}

