import { readFile } from 'node:fs/promises';
import type { Dispatcher } from 'undici';
import type { Config } from '../config/config.js';
import { durationMs } from '../config/schema.js';
import type { Logger } from '../log/logger.js';
import type { MirrorSite } from '../model/mirror-directory.js';
import type { Store } from '../store/store.js';
import { MirrorDirectory } from '../lib/mirror-directory.js';
import { FeedmirrorError } from '../model/errors.js';
import { parseMirrorList } from '../ingest/parse-mirror-list.js';
import { fetchFeed } from '../sources/http/fetch-feed.js';
import type { HttpSettings } from '../sources/http/http-client.js';

interface LoadDeps {
  config: Config;
  store: Store;
  logger: Logger;
  now: Date;
  http: HttpSettings;
  dispatcher: () => Dispatcher;
}

/**
 * Reads every configured mirror list into one directory. A list URL is fetched again only when
 * its `refresh` interval has passed (conditionally, with the stored validators); when it cannot
 * be fetched, the copy from the last good fetch is used. A broken list is a warning, never a failed run.
 */
export async function loadMirrorDirectory(deps: LoadDeps): Promise<MirrorDirectory | null> {
  if (deps.config.mirrorLists.length === 0) return null;
  const sites: MirrorSite[] = [];
  for (const list of deps.config.mirrorLists) {
    const name = list.path ?? list.url!;
    try {
      const text = list.path ? await readFile(list.path, 'utf8') : await fetchListText(list.url!, durationMs(list.refresh), deps);
      if (text === null) continue;
      const parsed = parseMirrorList(text, name);
      for (const reason of parsed.skipped) deps.logger.warn({ list: name }, `mirror list ${name}: ${reason}`);
      sites.push(...parsed.sites);
    } catch (error) {
      deps.logger.warn({ list: name, code: error instanceof FeedmirrorError ? error.code : 'FM_MIRROR_LIST' }, `mirror list ${name} not used: ${(error as Error).message}`);
    }
  }
  return new MirrorDirectory(sites);
}

async function fetchListText(url: string, refreshMs: number, deps: LoadDeps): Promise<string | null> {
  const key = `mirror-list:${url}`;
  const cached = await deps.store.getDocument(key);
  if (cached && Date.parse(cached.fetchedAt) + refreshMs > deps.now.getTime()) return cached.body;
  try {
    const result = await fetchFeed({ url, etag: cached?.etag ?? null, lastModified: cached?.lastModified ?? null }, deps.http, deps.dispatcher());
    const body = result.kind === 'ok' ? result.bytes.toString('utf8') : cached?.body;
    if (body === undefined) return null;
    await deps.store.saveDocument(key, { body, etag: result.etag ?? cached?.etag ?? null, lastModified: result.lastModified ?? cached?.lastModified ?? null, fetchedAt: deps.now.toISOString() });
    return body;
  } catch (error) {
    if (!cached) throw error;
    deps.logger.warn({ list: url }, `mirror list ${url} could not be refreshed (${(error as Error).message}); using the copy from ${cached.fetchedAt}`);
    return cached.body;
  }
}
