import type { Dispatcher } from 'undici';
import type { Config } from '../config/config.js';
import type { Logger } from '../log/logger.js';
import type { Store } from '../store/store.js';
import type { ChoreStore } from '../store/chore-log.js';
import { createHttpAgent, type HttpSettings } from '../sources/http/http-client.js';
import { USER_AGENT } from '../version.js';
import { removeStaleTempFiles } from '../lib/atomic-write.js';
import { plural } from '../lib/plural.js';
import { loadMirrorDirectory } from './load-mirror-lists.js';
import { buildPublishInput } from './publish-input.js';
import { publishSiteFiles } from './publish-step.js';
import { applyRetention } from './retention.js';

/** A temp file in outputDir this old is a dead publish's leftover, not a live one's (a publish stages and renames within seconds). */
export const ORPHAN_TEMP_AGE_MS = 3_600_000;
/** Chore records (fires and runs) are kept this long (seconds): a week of "what ran where". */
export const CHORE_RECORDS_KEPT_S = 7 * 86_400;

export interface ChoreDeps {
  config: Config;
  store: Store;
  chores: ChoreStore;
  logger: Logger;
  now: Date;
}

/** What a chore did: a line for the log and the chore record; `changed` when it changed anything. */
export interface ChoreResult {
  detail: string;
  changed: boolean;
}

/**
 * The fleet's chores. Each is driven by what the store holds and is idempotent, because a fire
 * that dies with its worker is not run again: the next fire, on any worker, does its work.
 */
export const FLEET_CHORES = { site: refreshSite, housekeeping: keepHouse } as const satisfies Record<string, (deps: ChoreDeps) => Promise<ChoreResult>>;

export type ChoreName = keyof typeof FLEET_CHORES;

/** `site`: index.html, sources.opml and the other site-wide files, rewritten where the store says they changed. */
export async function refreshSite({ config, store, logger, now }: ChoreDeps): Promise<ChoreResult> {
  const http: HttpSettings = { ...config.fetch, userAgent: config.fetch.userAgent ?? USER_AGENT };
  let agent: Dispatcher | null = null;
  try {
    // The same mirror lists as a run's publish (cached in the store), so mirrors.json does not flip between the two.
    const directory = await loadMirrorDirectory({ config, store, logger, now, http, dispatcher: () => (agent ??= createHttpAgent(http)) });
    const written = await publishSiteFiles(await buildPublishInput(config, store, directory, now), store);
    return { detail: written.length === 0 ? 'site files unchanged' : `${plural(written.length, 'site file')} written (${written.join(', ')})`, changed: written.length > 0 };
  } finally {
    await (agent as Dispatcher | null)?.close();
  }
}

/**
 * `housekeeping`: retention, temp files that dead publishes left in outputDir, old chore records.
 * There is no quarantine report nor a WebSub retry record in the store to work from yet.
 */
export async function keepHouse({ config, store, chores, logger, now }: ChoreDeps): Promise<ChoreResult> {
  const pruned = await applyRetention(config, store, logger, now);
  const temps = await removeStaleTempFiles(config.outputDir, ORPHAN_TEMP_AGE_MS, now.getTime());
  if (temps > 0) logger.info({ event: 'orphan-temp-files', removed: temps, outputDir: config.outputDir }, `housekeeping: ${plural(temps, 'orphan temp file')} removed from ${config.outputDir}`);
  const records = await chores.pruneChoreRecords(CHORE_RECORDS_KEPT_S);
  const detail = `${plural(pruned, 'article')} pruned, ${plural(temps, 'orphan temp file')} removed, ${plural(records.fires + records.runs, 'old chore record')} dropped`;
  return { detail, changed: pruned + temps > 0 };
}
