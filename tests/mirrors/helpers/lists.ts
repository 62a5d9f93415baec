/**
 * Mirror lists for the tests: the real bypass-mirrors list (a copy in tests/fixtures/mirrors/),
 * crafted v1/v2 lists, and loadMirrorDirectory run with captured log lines and an injected clock.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import type { Dispatcher } from 'undici';
import { parseConfig } from '../../../src/config/load-config.js';
import type { MirrorDirectory } from '../../../src/lib/mirror-directory.js';
import { loadMirrorDirectory } from '../../../src/pipeline/load-mirror-lists.js';
import type { Store } from '../../../src/store/store.js';
import type { HttpSettings } from '../../../src/sources/http/http-client.js';
import { parseLogLines, type LogRecord } from '../../helpers/workspace.js';
import { MIRROR_FIXTURES } from './servers.js';

export const REAL_LIST = path.join(MIRROR_FIXTURES, 'mirrorSites.json');

export function realListText(): string {
  return readFileSync(REAL_LIST, 'utf8');
}

/** Raw v2 entries as the real list spells them. */
export interface RawAlternate {
  proto?: string;
  type?: string;
  url?: string | null;
  created_at?: string | null;
  updated_at?: string | null;
}

export function realListSites(): { main_domain: string; available_alternatives: RawAlternate[] }[] {
  return (JSON.parse(realListText()) as { sites: { main_domain: string; available_alternatives: RawAlternate[] }[] }).sites;
}

export function v2List(sites: { main_domain: string; available_alternatives: RawAlternate[] }[]): string {
  return `${JSON.stringify({ version: '2.0', sites }, null, 2)}\n`;
}

export interface LoadResult {
  directory: MirrorDirectory | null;
  logs: LogRecord[];
}

export interface ListLoader {
  /** loadMirrorDirectory for these `mirrorLists` entries, at `now`, with every log line captured. */
  load(mirrorLists: Record<string, unknown>[], now: Date): Promise<LoadResult>;
}

/**
 * `configDir` is where relative list paths resolve; `store` keeps fetched URL lists between loads.
 * The dispatcher is created on demand by the caller (lists on disk never need one).
 */
export function listLoader(configDir: string, store: Store, dispatcher: () => Dispatcher): ListLoader {
  return {
    async load(mirrorLists, now) {
      const raw = { site: { url: 'https://feeds.example.org/' }, fetch: { allowPrivateNetworks: true }, mirrorLists, outputs: [{ id: 'all', title: 'All' }] };
      const config = parseConfig(JSON.stringify(raw), path.join(configDir, 'feedmirror.config.json'));
      const http: HttpSettings = { ...config.fetch, userAgent: 'feedmirror-tests' };
      const lines: string[] = [];
      const logger = pino({ level: 'debug', base: null }, { write: (line: string) => void lines.push(line) });
      const directory = await loadMirrorDirectory({ config, store, logger, now, http, dispatcher });
      return { directory, logs: parseLogLines(lines.join('')) };
    },
  };
}
