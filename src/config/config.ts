import type { FullTextSettings, ParsedConfig } from './schema.js';

/** The validated config with every path made absolute: what the rest of the program receives. */
export interface Config extends Omit<ParsedConfig, 'sources'> {
  configPath: string;
  configDir: string;
  sources: SourceConfig[];
}

export type SourceConfig = SeedSourceConfig | FeedSourceConfig;

interface SourceBase {
  id: string;
  title?: string | undefined;
  mirrors: string[];
  tags: string[];
}

export interface SeedSourceConfig extends SourceBase {
  kind: 'seeds';
  /** Absolute folder path. */
  seeds: string;
}

export interface FeedSourceConfig extends SourceBase {
  kind: 'feed';
  url: string;
  fetch: Partial<Pick<Config['fetch'], 'headersTimeoutMs' | 'bodyIdleTimeoutMs' | 'totalTimeoutMs' | 'maxBodyBytes'>>;
  interval?: number | string | undefined;
  schedule?: string | undefined;
  /** This source's proxy URL instead of fetch.proxy, or false to fetch it directly; absent: fetch.proxy. */
  proxy?: string | false | undefined;
  /** Fetch each short item's page and extract the article (null: off). */
  fullText: FullTextSettings | null;
  media?: 'mirror' | 'proxy' | undefined;
}
