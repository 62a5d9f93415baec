import type { ItemFilter } from './select-items.js';
import type { FeedFormat } from './feed-view.js';
import type { MirrorMapInput } from './render-mirror-map.js';
import type { PublishManifest } from './output-manifest.js';
import type { OutputSelection } from '../model/output-selection.js';
import type { StoredArticle } from '../model/article.js';
import type { MediaMode } from './media-policy.js';
import type { OutputSummary } from './render-index.js';

/** What the publish stage is given: values, never the config object or the clock. */
export interface PublishSite {
  url: string;
  title: string;
  description?: string | undefined;
  language?: string | undefined;
  mirrors: string[];
  websub?: { hub: string } | undefined;
}

export interface PublishSource {
  id: string;
  title?: string | undefined;
  url?: string | undefined;
  tags: string[];
  kind: 'seeds' | 'feed';
  mirrors?: string[];
  /** Where readers load this source's media from, unless the output says otherwise. */
  media?: MediaMode | undefined;
}

export interface PublishOutput {
  id: string;
  title: string;
  description?: string | undefined;
  language?: string | undefined;
  icon?: string | undefined;
  logo?: string | undefined;
  author?: { name: string; email?: string | undefined; url?: string | undefined } | undefined;
  copyright?: string | undefined;
  sources: string[];
  limit: number;
  formats: FeedFormat[];
  variants?: { id: string; kind: string }[];
  filter?: ItemFilter | undefined;
  archive?: false | { pageSize: number } | undefined;
  /** Where readers load the media of this output's items from; overrides the sources' `media`. */
  media?: MediaMode | undefined;
}

/** How a source is doing, for the index page. */
export interface SourceHealth {
  id: string;
  title: string;
  kind: 'seeds' | 'feed';
  url: string | null;
  lastFetchAt: string | null;
  /**
   * UTC day ("2024-05-02") of the last fetch: what the index shows. A day, not a time, so that a
   * run that finds nothing new changes no page (at most the index, once a day).
   */
  checkedOn: string | null;
  lastStatus: number | null;
  failures: number;
  lastError: string | null;
  items: number;
}

export interface PublishInput {
  site: PublishSite;
  sources: PublishSource[];
  outputs: PublishOutput[];
  outputDir: string;
  generator: string;
  /** The run's time: only for filters' maxAgeDays, never written into a file. */
  now: Date;
  mirrorMap?: MirrorMapInput;
  health?: SourceHealth[];
  /** UTC day of this run, shown on the index as when the sources were last checked (a day: see SourceHealth.checkedOn). */
  checkedOn?: string;
}

/** What publishing an output folder takes besides the input: the selections, and what it may read. */
export interface PublishPlan {
  /** What each output shows, by output id (every output of the input has one). */
  selections: Map<string, OutputSelection>;
  /** Every stored seed article: each has a page. */
  seedArticles: StoredArticle[];
  /** The last publish's manifest, null when there is none to trust. */
  manifest: PublishManifest | null;
  /** The articles of archive pages that must be written again (a new site copy or variant). */
  readArticles: (ids: string[]) => Promise<StoredArticle[]>;
  /** What to write; every part when absent. */
  parts?: PublishParts;
  /** What the index shows of each output, when the outputs are not published with it (in config order). */
  summaries?: OutputSummary[];
}

/**
 * The parts of a publish. Several publishers sharing one folder (a fleet on PostgreSQL) each
 * write the outputs they hold, and the site files in turn; none of them may sweep the folder's
 * temp files, which may be another publisher's staged files.
 */
export interface PublishParts {
  /** Every output of the input. */
  outputs: boolean;
  /** index.html, sources.opml, mirrors.json, the stylesheets and the seed pages. */
  siteFiles: boolean;
  /** Remove temp files a killed publish left behind: only when no other publisher may be staging files there. */
  sweepTempFiles: boolean;
}

export interface PublishResult {
  report: PublishReport;
  /** To keep for the next publish; null when nothing in it changed. */
  manifest: PublishManifest | null;
  /** What the index shows of each output published (or given in the plan). */
  summaries: OutputSummary[];
}

export interface PublishReport {
  written: string[];
  unchanged: number;
  /** URLs of feed files whose bytes changed (for WebSub pings). */
  changedFeeds: string[];
}
